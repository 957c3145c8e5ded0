"""Front/back matter is found by the book's structure, at its edges; nothing is lost unlisted."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence

import pytest

from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document
from tests.pipeline.ingest.conftest import Page

RIGHTS = "Copyright © 2024 Ann Author. All rights reserved. ISBN 978-0-00-000000-0."


def _page(file_name: str, title: str | None, text: str, kind: str = "") -> Page:
    return (file_name, title, f"<p>{text}</p>", kind)


def assert_accounted(doc: Document, pages: Sequence[Page]) -> None:
    """Every page is read (its text in exactly one chapter) or listed once with reason and chars."""
    spoken = [" ".join(c.paragraphs) for c in doc.chapters]
    for file_name, _, body, _ in pages:
        listed = [s for s in doc.skipped if s.source == file_name]
        marker = f"page {file_name}"
        assert marker in body, "each test page carries its own marker"
        read = [text for text in spoken if marker in text]
        assert len(read) + len(listed) == 1, (file_name, read, listed)
        if listed:
            assert listed[0].reason and listed[0].chars > 0, listed[0]


def test_six_short_chapters_about_copyright_are_all_read(make_epub: Callable[..., bytes]) -> None:
    pages = [
        _page(
            f"ch{n}.xhtml",
            f"Chapter {n}",
            f"This is page ch{n}.xhtml. The copyright of the song had lapsed, its ISBN was lost,"
            " and all rights reserved meant nothing to the crowd.",
        )
        for n in range(1, 7)
    ]
    doc = load_document(make_epub(pages), "short.epub")
    assert [c.title for c in doc.chapters] == [f"Chapter {n}" for n in range(1, 7)]
    assert doc.skipped == ()
    assert doc.coverage == 1.0
    assert_accounted(doc, pages)


BOOK = [
    (
        "cover.xhtml",
        None,
        '<div><img src="cover.jpg" alt="Cover"/></div><p>page cover.xhtml</p>',
        "",
    ),
    _page("title.xhtml", None, "A Test Book, by Ann Author; page title.xhtml"),
    _page("rights.xhtml", None, f"{RIGHTS} page rights.xhtml"),
    _page("ch1.xhtml", "One", f"page ch1.xhtml. {RIGHTS}"),
    _page("ch2.xhtml", "Two", "page ch2.xhtml. The middle of the book."),
    _page("ch3.xhtml", "Three", "page ch3.xhtml. The end of the story."),
    _page("index.xhtml", None, "apples 3, pears 5; page index.xhtml"),
]
GUIDE = [
    ("cover", "cover.xhtml"),
    ("title-page", "title.xhtml"),
    ("copyright-page", "rights.xhtml"),
    ("text", "ch1.xhtml"),
    ("index", "index.xhtml"),
]


def _package(data: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("EPUB/content.opf").decode(), z.read("EPUB/nav.xhtml").decode()


@pytest.mark.parametrize(
    ("structure", "options"),
    [
        ("epub3 landmarks", {"epub2_guide": False, "epub3_landmark": True}),
        ("epub2 guide", {"epub2_guide": True, "epub3_landmark": False}),
    ],
)
def test_landmarks_or_guide_mark_the_edges(
    make_epub: Callable[..., bytes], structure: str, options: dict[str, bool]
) -> None:
    data = make_epub(BOOK, guide=GUIDE, write_options=options)
    opf, nav = _package(data)
    assert ("<guide" in opf) == (structure == "epub2 guide")
    assert ('epub:type="landmarks"' in nav) == (structure == "epub3 landmarks")

    doc = load_document(data, "book.epub")
    assert [c.title for c in doc.chapters] == ["One", "Two", "Three"]
    assert RIGHTS in doc.chapters[0].paragraphs[0]  # a chapter's own words never skip it
    reasons = {s.source: s.reason for s in doc.skipped}
    assert reasons == {
        "cover.xhtml": "front matter: cover",
        "title.xhtml": "front matter: title-page",
        "rights.xhtml": "front matter: copyright-page",
        "index.xhtml": "back matter: index",
    }
    assert not any(s.body for s in doc.skipped)
    assert doc.coverage == 1.0
    assert_accounted(doc, BOOK)


def test_typed_page_inside_the_book_is_read(make_epub: Callable[..., bytes]) -> None:
    """Structure counts only at the edges: a page marked copyright between chapters is read."""
    pages = [
        _page("ch1.xhtml", "One", "page ch1.xhtml"),
        _page("note.xhtml", "A note on rights", f"page note.xhtml. {RIGHTS}", "copyright-page"),
        _page("ch2.xhtml", "Two", "page ch2.xhtml"),
        _page("colophon.xhtml", None, f"page colophon.xhtml. {RIGHTS}", "copyright-page"),
    ]
    doc = load_document(make_epub(pages), "book.epub")
    assert [c.title for c in doc.chapters] == ["One", "A note on rights", "Two"]
    assert [(s.source, s.reason) for s in doc.skipped] == [
        ("colophon.xhtml", "back matter: copyright-page")
    ]
    assert_accounted(doc, pages)


def test_non_linear_item_is_listed_and_lowers_coverage(make_epub: Callable[..., bytes]) -> None:
    pages = [
        _page("ch1.xhtml", "One", "page ch1.xhtml. " + "Words of the story. " * 4),
        _page("popup.xhtml", "Answers", "page popup.xhtml. The answers to the quiz."),
        _page("ch2.xhtml", "Two", "page ch2.xhtml. " + "More words of the story. " * 4),
    ]
    doc = load_document(make_epub(pages, linear_no=["popup.xhtml"]), "book.epub")
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    (item,) = doc.skipped
    assert (item.source, item.title, item.reason, item.body) == (
        "popup.xhtml",
        "Answers",
        "non-linear spine item",
        True,
    )
    assert item.chars == len("page popup.xhtml. The answers to the quiz.")
    assert doc.coverage == pytest.approx(doc.chars / (doc.chars + item.chars))
    assert doc.coverage < 1.0
    assert_accounted(doc, pages)


def test_links_page_at_the_edge_is_a_contents_page(make_epub: Callable[..., bytes]) -> None:
    links = '<p><a href="ch1.xhtml">One</a></p><p><a href="ch2.xhtml">Two</a></p>'
    pages: list[Page] = [
        ("toc.xhtml", None, f"<h1>page toc.xhtml</h1>{links}", ""),
        _page("ch1.xhtml", "One", "page ch1.xhtml"),
        ("ch2.xhtml", "Two", f"<p>page ch2.xhtml, read on:</p>{links}", ""),
    ]
    doc = load_document(make_epub(pages), "book.epub")
    assert [(s.source, s.reason, s.chars) for s in doc.skipped] == [
        ("toc.xhtml", "front matter: toc", len("One") + len("Two"))
    ]
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert_accounted(doc, pages)


def test_keep_front_matter_reads_everything(make_epub: Callable[..., bytes]) -> None:
    data = make_epub(BOOK, guide=GUIDE, linear_no=["ch2.xhtml"])
    assert {s.source for s in load_document(data, "book.epub").skipped} >= {"ch2.xhtml"}
    doc = load_document(data, "book.epub", skip_front_matter=False)
    assert doc.skipped == ()
    assert len(doc.chapters) == len(BOOK)
    assert_accounted(doc, BOOK)
