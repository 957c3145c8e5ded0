"""EPUB 2/3 in, via ebooklib: spine order, titles from the nav document or NCX.

Each spine item becomes (at most) one chapter. Its title comes from the table of contents
(nav or NCX, matched by file), else its first heading, else "Chapter N". Front and back matter
(cover, title page, copyright page, table of contents, index) is skipped by default, but only
where the book's structure says so (EPUB 3 landmarks and epub:type, the EPUB 2 guide, the nav
and cover items, a page that is only links into the book) and only at the edges of the book:
never because of words in a chapter, which once lost short chapters that mention "copyright".
Non-linear spine items are skipped too. Whatever is not read is returned as `Skipped`.
Footnote reference markers are dropped; note bodies are read where the book puts them.
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
from narration.pipeline.document import Chapter, Skipped
from narration.pipeline.ingest.html import (
    html_blocks,
    localname,
    numeric_entities,
    semantic_type,
)
from narration.pipeline.ingest.policy import ReadingOptions, SkipLog
from narration.pipeline.ingest.text import PARA, Block, as_sentence, assemble, clean

_LOGGER = logging.getLogger(__name__)

FRONT_MATTER_TYPES = frozenset(
    ("cover", "toc", "copyright-page", "copyright", "index", "titlepage", "title-page",
     "halftitlepage", "loi", "lot")
)  # fmt: skip
BODY_START_TYPES = frozenset(("bodymatter", "text"))
"""EPUB 3 landmark / EPUB 2 guide types that mark where the reading starts."""
_LINKS_ONLY_SHARE = 0.9
FRONT_MATTER = "front matter"
BACK_MATTER = "back matter"
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
        self.files: set[str] = set()

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


def _structural_kind(name: str, item: Any, body: Any, blocks: list[Block], toc: _Toc) -> str:
    """The front/back matter type the book's structure gives this page ('' when none).

    Never the words on the page: a chapter that mentions copyright is still a chapter.
    """
    kinds = set(toc.landmarks.get(name, set()))
    kinds.update(semantic_type(body).split())
    for el in list(body)[:3]:
        kinds.update(semantic_type(el).split())
    hit = kinds & FRONT_MATTER_TYPES
    if hit:
        return sorted(hit)[0]
    if name in toc.nav_files:
        return "toc"
    if type(item).__name__ == "EpubCoverHtml":  # manifest item with properties="cover"
        return "cover"
    if _links_only(name, body, blocks, toc.files):
        return "toc"
    return ""


def _links_only(name: str, body: Any, blocks: list[Block], files: set[str]) -> bool:
    """A page whose text, headings aside, is links to other files of the book: a contents page."""
    others = files - {name}
    links = [
        clean("".join(a.itertext()))
        for a in body.iter()
        if localname(a) == "a"
        and ":" not in a.get("href", ":")  # no scheme: a link into the book
        and _resolve(name, a.get("href", "")) in others
    ]
    text_chars = sum(len(t) for k, t in blocks if k <= 0)
    link_chars = sum(map(len, links))
    return len(links) >= 2 and text_chars > 0 and link_chars >= _LINKS_ONLY_SHARE * text_chars


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


class _Page:
    """One spine document, parsed, with what the structure says about it."""

    def __init__(
        self, name: str, item: Any, linear: bool, toc: _Toc, options: ReadingOptions
    ) -> None:
        self.name = name
        body = _body(_parse_xhtml(item.get_content()))
        self.log = SkipLog(name)
        self.blocks = html_blocks(body, options, self.log)
        self.linear = linear
        self.kind = _structural_kind(name, item, body, self.blocks, toc)
        self.title = toc.title_for(name)
        self.types = toc.landmarks.get(name, set())

    @property
    def content(self) -> bool:
        """Linear, not marked as front/back matter, and has text: part of the reading."""
        return self.linear and not self.kind and any(t for _, t in self.blocks)


def _read_toc(book: Any) -> _Toc:
    toc = _Toc()
    for item in book.get_items():
        name = item.get_name()
        toc.files.add(name)
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
    return toc


def _edge_reasons(pages: list[_Page]) -> list[str]:
    """Why each page is skipped ('' when it is read).

    Typed pages are front/back matter only before the first content document (or the
    landmark/guide start of the text, whichever is later) and after the last one: a typed page
    in the middle of the book is read. Non-linear pages are out of the reading order anywhere.
    """
    content = [i for i, p in enumerate(pages) if p.content]
    starts = [i for i, p in enumerate(pages) if p.types & BODY_START_TYPES]
    first = max(content[:1] + starts[:1], default=len(pages))
    last = content[-1] if content else -1
    reasons = []
    for index, page in enumerate(pages):
        if not page.linear:
            reasons.append("non-linear spine item")
        elif page.kind and index < first:
            reasons.append(f"{FRONT_MATTER}: {page.kind}")
        elif page.kind and index > last:
            reasons.append(f"{BACK_MATTER}: {page.kind}")
        else:
            reasons.append("")
    return reasons


def parse_epub(
    data: bytes, *, skip_front_matter: bool = True, options: ReadingOptions | None = None
) -> tuple[dict[str, str], tuple[Chapter, ...], tuple[Skipped, ...]]:
    """An EPUB's metadata, chapters and what was found but not read."""
    import ebooklib

    book = _load(data)
    toc = _read_toc(book)
    meta = {
        "title": _meta(book, "title"),
        "author": _meta(book, "creator"),
        "language": _meta(book, "language"),
    }
    pages: list[_Page] = []
    skipped: list[Skipped] = []
    for entry in book.spine:
        idref, linear = (entry, "yes") if isinstance(entry, str) else (entry[0], entry[1])
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            name = item.get_name() if item is not None else str(idref)
            skipped.append(Skipped(name, "", "not a text document", 0, False, "media"))
            continue
        linear_page = str(linear).lower() != "no"
        pages.append(_Page(item.get_name(), item, linear_page, toc, options or ReadingOptions()))
    reasons = _edge_reasons(pages) if skip_front_matter else [""] * len(pages)
    chapters: list[Chapter] = []
    content: list[list[Block]] = []
    logs: list[SkipLog] = []
    first_heading = ""
    for page, why in zip(pages, reasons, strict=True):
        heading = next((t for k, t in page.blocks if k > 0 and t), "")
        chapter = _chapter(page.blocks, page.title, len(chapters) + 1)
        if why or chapter is None:
            # measured as a chapter would be, so spoken and skipped characters add up
            chars = sum(map(len, chapter.paragraphs)) if chapter else len(_text(page.blocks))
            furniture = why.startswith((FRONT_MATTER, BACK_MATTER))
            reason = why or "no speakable text"
            kind = why.split(":")[0].replace(" ", "_").replace("-", "_") if why else "empty"
            excerpt = clean(" ".join(t for _, t in page.blocks))[:80]
            title = page.title or heading
            skipped.append(Skipped(page.name, title, reason, chars, not furniture, kind,
                                   excerpt=excerpt))  # fmt: skip
            continue
        first_heading = first_heading or heading
        chapters.append(chapter)
        content.append(page.blocks)
        logs.append(page.log)
    if not meta["title"] and first_heading:
        meta["title"] = first_heading
    if len(content) == 1:
        # the whole book in one file (pandoc without splitting): chapters from its headings
        head = chapters[0]
        chapters = list(assemble(content[0], head.title, doc_title_spoken=head.title_spoken))
    for log in logs:  # code, tables, footnotes and chrome inside the pages read
        skipped.extend(log.records(chapters))
    return {k: v for k, v in meta.items() if v}, tuple(chapters), tuple(skipped)


def _text(blocks: list[Block]) -> str:
    return "".join(t for _, t in blocks)
