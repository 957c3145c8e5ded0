"""Builders for ingest tests: EPUBs are made with ebooklib, in memory."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from ebooklib import epub

# (file name, nav/NCX title or None, body XHTML, epub:type of the page or "")
Page = tuple[str, str | None, str, str]


def build_epub(
    pages: Sequence[Page],
    *,
    title: str = "A Test Book",
    author: str = "Ann Author",
    language: str = "en",
    guide: Sequence[tuple[str, str]] = (),
    linear_no: Sequence[str] = (),
    write_options: dict[str, Any] | None = None,
) -> bytes:
    """`guide` goes into both the EPUB 2 guide and the EPUB 3 landmarks unless `write_options`
    turns one off (ebooklib: `epub2_guide`, `epub3_landmark`)."""
    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title(title)
    book.set_language(language)
    book.add_author(author)
    items = []
    toc = []
    for file_name, toc_title, body, body_type in pages:
        item = epub.EpubHtml(title=toc_title or file_name, file_name=file_name, lang=language)
        if body_type:  # on a wrapping section: ebooklib drops the body's attributes on writing
            body = f'<section epub:type="{body_type}">{body}</section>'
        item.set_content(
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
            f"<head><title>{toc_title or ''}</title></head><body>{body}</body></html>"
        )
        book.add_item(item)
        items.append(item)
        if toc_title:
            toc.append(epub.Link(file_name, toc_title, file_name.replace(".", "_")))
    book.toc = toc
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav()
    book.add_item(nav)
    book.spine = [
        (item, "no") if item.file_name in linear_no else item for item in items
    ]  # the nav document is left out of the spine on purpose in most tests
    for kind, href in guide:
        book.guide.append({"type": kind, "href": href, "title": kind})
    out = io.BytesIO()
    epub.write_epub(out, book, write_options or {})
    return out.getvalue()


@pytest.fixture
def make_epub() -> Callable[..., bytes]:
    return build_epub
