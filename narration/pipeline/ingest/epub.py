"""EPUB 2/3 in, via ebooklib: spine order, titles from the nav document or NCX.

Each spine item becomes (at most) one chapter. Its title comes from the table of contents
(nav or NCX, matched by file), else its first heading, else "Chapter N". Cover, title page,
copyright, table-of-contents and index pages are skipped by default; they are recognised from
the EPUB 3 landmarks, the EPUB 2 guide, epub:type on the page, file names and, last, content
(a page of links, a short page with a copyright notice, a page with only an image). Non-linear
spine items are skipped with them. Footnote reference markers are dropped; note bodies are read
where the book puts them.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import warnings
import zipfile
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from lxml import etree

from narration.errors import InputError
from narration.pipeline.document import Chapter
from narration.pipeline.ingest.html import (
    html_blocks,
    localname,
    numeric_entities,
    semantic_type,
)
from narration.pipeline.ingest.text import PARA, Block, as_sentence, assemble, clean

_LOGGER = logging.getLogger(__name__)

FRONT_MATTER_TYPES = frozenset(
    ("cover", "toc", "copyright-page", "copyright", "index", "titlepage", "title-page",
     "halftitlepage", "loi", "lot")
)  # fmt: skip
_FRONT_FILE = re.compile(
    r"(?:^|[/_.-])(cover|toc|contents|copyright|titlepage|title-page|halftitle)(?:[_.-]|\d|$)",
    re.I,
)
_COPYRIGHT = re.compile(r"©|\bcopyright\b|all rights reserved|\bISBN\b", re.I)
_TOC_HEADING = re.compile(r"^(?:table of )?contents$", re.I)
_INDEX_HEADING = re.compile(r"^index$", re.I)
_COPYRIGHT_MAX_CHARS = 3000
_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
_NCX_MEDIA = "application/x-dtbncx+xml"


def _parse_xhtml(content: bytes) -> Any:
    text = content.decode("utf-8", errors="replace")
    text = numeric_entities(text)
    try:
        root = etree.fromstring(text.encode("utf-8"), _XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        import lxml.html

        root = lxml.html.document_fromstring(text)
    return root


def _body(root: Any) -> Any:
    for el in root.iter():
        if localname(el) == "body":
            return el
    return root


def _resolve(base: str, href: str) -> str:
    path = unquote(href.split("#", 1)[0])
    if not path:
        return ""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), path))


class _Toc:
    """File → title from the nav document and NCX, and file → landmark types."""

    def __init__(self) -> None:
        self.titles: dict[str, str] = {}
        self.landmarks: dict[str, set[str]] = {}
        self.nav_files: set[str] = set()

    def add_title(self, path: str, title: str) -> None:
        title = clean(title)
        if path and title and path not in self.titles:
            self.titles[path] = title

    def add_landmark(self, path: str, kind: str) -> None:
        if path:
            self.landmarks.setdefault(path, set()).update(kind.lower().split())

    def read_nav(self, name: str, content: bytes) -> None:
        self.nav_files.add(name)
        root = _parse_xhtml(content)
        for nav in root.iter():
            if localname(nav) != "nav":
                continue
            kinds = semantic_type(nav)
            for a in nav.iter():
                if localname(a) != "a" or not a.get("href"):
                    continue
                path = _resolve(name, a.get("href", ""))
                if "landmarks" in kinds:
                    self.add_landmark(path, semantic_type(a))
                elif "toc" in kinds or not kinds:
                    self.add_title(path, "".join(a.itertext()))

    def read_ncx(self, name: str, content: bytes) -> None:
        root = etree.fromstring(content, _XML_PARSER)
        if root is None:
            return
        for point in root.iter():
            if localname(point) != "navPoint".lower():
                continue
            label, src = "", ""
            for child in point:
                if localname(child) == "navlabel":
                    label = "".join(child.itertext())
                elif localname(child) == "content":
                    src = child.get("src", "")
            self.add_title(_resolve(name, src), label)

    def title_for(self, path: str) -> str | None:
        if path in self.titles:
            return self.titles[path]
        base = posixpath.basename(path)
        matches = [t for p, t in self.titles.items() if posixpath.basename(p) == base]
        return matches[0] if len(matches) == 1 else None


def _load(data: bytes) -> Any:
    from ebooklib import epub

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return epub.read_epub(io.BytesIO(data), {"ignore_ncx": False})
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, IndexError) as exc:
        raise InputError(f"the EPUB could not be read ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # ebooklib raises bare EpubException and friends
        raise InputError(f"the EPUB could not be read ({exc})") from None


def _meta(book: Any, name: str) -> str:
    try:
        values = book.get_metadata("DC", name)
    except (KeyError, AttributeError):
        return ""
    return clean(values[0][0]) if values and values[0][0] else ""


def _front_matter_kind(name: str, root: Any, body: Any, blocks: list[Block], toc: _Toc) -> str:
    """Why this page is front/back matter ('' when it is content)."""
    kinds = set(toc.landmarks.get(name, set()))
    kinds.update(semantic_type(body).split())
    for el in list(body)[:3]:
        kinds.update(semantic_type(el).split())
    hit = kinds & FRONT_MATTER_TYPES
    if hit:
        return sorted(hit)[0]
    if name in toc.nav_files:
        return "toc"
    if _FRONT_FILE.search(posixpath.basename(name)):
        return "file name"
    text_blocks = [t for k, t in blocks if t]
    chars = sum(len(t) for t in text_blocks)
    first = text_blocks[0] if text_blocks else ""
    if chars < 3 and any(localname(el) in ("img", "image", "svg") for el in body.iter()):
        return "cover"
    if _TOC_HEADING.match(first.rstrip(".:")):
        return "toc"
    if _INDEX_HEADING.match(first.rstrip(".:")):
        return "index"
    if 0 < chars < _COPYRIGHT_MAX_CHARS and _COPYRIGHT.search(" ".join(text_blocks)):
        return "copyright"
    link_chars = sum(
        len(clean("".join(a.itertext())))
        for a in body.iter()
        if localname(a) == "a" and a.get("href")
    )
    if chars and link_chars / chars > 0.6 and sum(1 for k, _ in blocks if k != PARA) >= 3:
        return "toc"
    return ""


def _same(a: str, b: str) -> bool:
    norm = re.compile(r"[\W_]+")
    return norm.sub(" ", a).strip().lower() == norm.sub(" ", b).strip().lower()


def _chapter(blocks: list[Block], title: str | None, number: int) -> Chapter | None:
    """One spine item's chapter: leading headings are the title; later ones are sentences."""
    lead: list[str] = []
    i = 0
    while i < len(blocks) and blocks[i][0] > 0:
        lead.append(blocks[i][1])
        i += 1
    rest = blocks[i:]
    spoken = True
    if title is None:
        title = ": ".join(h for h in lead[:2] if h) if lead else f"Chapter {number}"
        spoken = bool(lead)
        lead = lead[2:]
    else:
        # headings that repeat the table of contents title are not read again
        joined = " ".join(lead)
        if lead and (_same(joined, title) or all(_same(h, title) or h in title for h in lead)):
            lead = []
    as_para: list[Block] = [(PARA, as_sentence(h)) for h in lead if h]
    chapters = assemble(as_para + rest, title, split=False)
    if not chapters:
        return None
    return replace(chapters[0], title_spoken=spoken)


def parse_epub(
    data: bytes, *, skip_front_matter: bool = True
) -> tuple[dict[str, str], tuple[Chapter, ...]]:
    """An EPUB's metadata and chapters."""
    import ebooklib

    book = _load(data)
    toc = _Toc()
    for item in book.get_items():
        name = item.get_name()
        try:
            if item.media_type == _NCX_MEDIA:
                toc.read_ncx(name, item.get_content())
            elif "nav" in (getattr(item, "properties", None) or []) or type(item).__name__ == (
                "EpubNav"
            ):
                toc.read_nav(name, item.get_content())
        except (etree.XMLSyntaxError, ValueError) as exc:
            _LOGGER.warning("ignoring unreadable table of contents %s: %s", name, exc)
    for ref in getattr(book, "guide", None) or []:
        # the EPUB 2 guide's hrefs are relative to the package document, as item names are
        toc.add_landmark(_resolve("x", ref.get("href", "")), ref.get("type", ""))

    meta = {
        "title": _meta(book, "title"),
        "author": _meta(book, "creator"),
        "language": _meta(book, "language"),
    }
    chapters: list[Chapter] = []
    content: list[list[Block]] = []
    first_heading = ""
    for entry in book.spine:
        idref, linear = (entry, "yes") if isinstance(entry, str) else (entry[0], entry[1])
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() not in (ebooklib.ITEM_DOCUMENT,):
            continue
        name = item.get_name()
        root = _parse_xhtml(item.get_content())
        body = _body(root)
        blocks = html_blocks(body)
        if skip_front_matter:
            if str(linear).lower() == "no":
                _LOGGER.debug("skipping non-linear spine item %s", name)
                continue
            why = _front_matter_kind(name, root, body, blocks, toc)
            if why:
                _LOGGER.debug("skipping %s (%s)", name, why)
                continue
        if not first_heading:
            first_heading = next((t for k, t in blocks if k > 0 and t), "")
        chapter = _chapter(blocks, toc.title_for(name), len(chapters) + 1)
        if chapter is not None:
            chapters.append(chapter)
            content.append(blocks)
    if not meta["title"] and first_heading:
        meta["title"] = first_heading
    if len(content) == 1:
        # the whole book in one file (pandoc without splitting): chapters from its headings
        head = chapters[0]
        chapters = list(assemble(content[0], head.title, doc_title_spoken=head.title_spoken))
    return {k: v for k, v in meta.items() if v}, tuple(chapters)
