"""HTML in: trafilatura finds the main content, then a block walker turns it into blocks.

trafilatura (already a dependency) drops navigation, headers, footers, cookie banners, asides
and comments far better than tag lists can. Its HTML output keeps h1-h6, p, lists and tables,
which the walker below maps to blocks. When trafilatura finds nothing (very short pages) we
fall back to the whole body minus the usual furniture.

The walker is shared with the EPUB reader. It reads every text node exactly once: an element
with block children flushes the inline text gathered so far as a paragraph before descending,
so `li > p` and `div > p` are never read twice, and inline text is concatenated without added
spaces so `foo<em>bar</em>` stays one word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from narration.errors import InputError
from narration.pipeline.ingest.text import BREAK, ITEM, PARA, Block, clean

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = frozenset(
    """p div section article main header footer aside nav blockquote li ul ol dl dt dd figure
    figcaption pre table thead tbody tfoot tr td th caption body hr address details summary
    hgroup center form fieldset legend h1 h2 h3 h4 h5 h6 html""".split()
)
SKIP_TAGS = frozenset(
    """script style head title img audio video object embed iframe svg math noscript template
    rt rp button input select textarea canvas map area""".split()
)
FURNITURE_TAGS = frozenset("nav header footer aside form".split())
_FURNITURE_ATTR = re.compile(
    r"cookie|consent|gdpr|banner|newsletter|subscribe|sidebar|menu|breadcrumb|share|social|"
    r"related|advert|promo|popup|modal|skip-link",
    re.I,
)
_NOTE_MARK = re.compile(r"^\s*[\[(]?(?:\d{1,4}|[*†‡§¶#]+|[a-z])[\])]?\s*$")
_NOTEREF_CLASS = re.compile(r"noteref|footnote-ref|fnref|footnote_ref|endnote-ref", re.I)
_BACKLINK_CLASS = re.compile(r"footnote-back|backlink|fnback", re.I)
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))


def localname(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag[0] == "{":
        tag = tag.rsplit("}", 1)[1]
    return tag.rsplit(":", 1)[-1].lower()


def semantic_type(el: Any) -> str:
    """epub:type and role of an element, lower-cased, space-joined."""
    parts = []
    for key, value in el.attrib.items():
        if key.endswith("}type") or key == "epub:type" or key == "role":
            parts.append(value.lower())
    return " ".join(parts)


def is_noteref(el: Any, name: str) -> bool:
    """A footnote reference marker (the "1" in the text) or a footnote's back link."""
    if name not in ("a", "sup", "span"):
        return False
    kinds = semantic_type(el)
    if "noteref" in kinds or "backlink" in kinds:
        return True
    cls = el.get("class", "")
    if cls and (_NOTEREF_CLASS.search(cls) or _BACKLINK_CLASS.search(cls)):
        return True
    text = "".join(el.itertext())
    if name == "a" and "#" in el.get("href", ""):
        return bool(_NOTE_MARK.match(text)) or text.strip() in ("↩", "↩︎", "↑")
    if name == "sup":
        return any(localname(d) == "a" for d in el.iterdescendants()) and bool(
            _NOTE_MARK.match(text)
        )
    return False


class Walker:
    """Turns an element tree into blocks; `skip` decides which subtrees are not read."""

    def __init__(self, *, drop_furniture: bool = False) -> None:
        self.drop_furniture = drop_furniture
        self.blocks: list[Block] = []

    def skip(self, el: Any, name: str) -> bool:
        if name in SKIP_TAGS or not name:
            return True
        if el.get("hidden") is not None or el.get("aria-hidden") == "true":
            return True
        if "pagebreak" in semantic_type(el):
            return True
        if is_noteref(el, name):
            return True
        if self.drop_furniture:
            if name in FURNITURE_TAGS:
                return True
            ident = f"{el.get('id', '')} {el.get('class', '')}"
            if ident.strip() and _FURNITURE_ATTR.search(ident):
                return True
        return False

    def text_of(self, el: Any) -> str:
        """All readable text under el (not its tail), concatenated."""
        parts: list[str] = []
        self._collect(el, parts)
        return clean("".join(parts))

    def _collect(self, el: Any, parts: list[str]) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            name = localname(child)
            if name == "br":
                parts.append(" ")
            elif name and not self.skip(child, name):
                if name in BLOCK_TAGS:
                    parts.append(" ")
                self._collect(child, parts)
                if name in BLOCK_TAGS:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    def _has_block(self, el: Any) -> bool:
        return any(localname(d) in BLOCK_TAGS for d in el.iterdescendants())

    def walk(self, el: Any, *, item: bool = False) -> list[Block]:
        out = self.blocks
        buf: list[str] = []

        def flush() -> None:
            text = clean("".join(buf))
            buf.clear()
            if text:
                out.append((ITEM if item else PARA, text))

        if el.text:
            buf.append(el.text)
        for child in el:
            name = localname(child)
            if not name or self.skip(child, name):
                pass
            elif name in _HEADINGS:
                flush()
                out.append((_HEADINGS[name], self.text_of(child)))
            elif name == "br":
                buf.append(" ")
            elif name == "table":
                flush()
                self._table(child)
            elif name in ("ul", "ol", "dl"):
                flush()
                self.walk(child, item=True)
                if not item:
                    out.append((BREAK, ""))
            elif name in BLOCK_TAGS or self._has_block(child):
                flush()
                self.walk(child, item=item or name in ("li", "dt", "dd"))
            else:
                self._collect(child, buf)
            if child.tail:
                buf.append(child.tail)
        flush()
        return out

    def _table(self, table: Any) -> None:
        for row in table.iter():
            if localname(row) == "caption":
                caption = self.text_of(row)
                if caption:
                    self.blocks.append((ITEM, caption))
            if localname(row) != "tr":
                continue
            cells = [
                self.text_of(c)
                for c in row
                if localname(c) in ("td", "th") and not self.skip(c, localname(c))
            ]
            cells = [c for c in cells if c]
            if cells:
                self.blocks.append((ITEM, ", ".join(cells)))
        self.blocks.append((BREAK, ""))


def html_blocks(root: Any, *, drop_furniture: bool = False) -> list[Block]:
    return Walker(drop_furniture=drop_furniture).walk(root)


def numeric_entities(markup: str) -> str:
    """Named HTML entities as numeric references, so an XML parser keeps &nbsp; and friends."""
    from html.entities import name2codepoint

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return m.group(0)
        return f"&#{name2codepoint[name]};"

    return _ENTITY.sub(repl, markup)


def _meta(root: Any, *names: str) -> str:
    for name in names:
        for el in root.iter("meta"):
            if (el.get("name") or el.get("property") or "").lower() == name:
                value = clean(el.get("content") or "")
                if value:
                    return value
    return ""


def _parse(markup: str) -> Any:
    try:
        return lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"the HTML could not be parsed ({exc})") from None


def parse_html(markup: str) -> tuple[dict[str, str], list[Block]]:
    """An HTML page to metadata and the blocks of its main content."""
    original = _parse(markup)
    meta: dict[str, str] = {}
    lang = original.get("lang") or original.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        meta["language"] = lang.strip()
    page_title = original.find(".//title")
    extracted = trafilatura.extract(
        markup,
        output_format="html",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
        deduplicate=False,
    )
    blocks: list[Block] = []
    if extracted:
        tree = _parse(extracted)
        meta["title"] = _meta(tree, "title")
        meta["author"] = _meta(tree, "author")
        body = tree.find("body")
        blocks = html_blocks(body if body is not None else tree)
    if not any(k in (PARA, ITEM) for k, _ in blocks):
        # trafilatura found no main content: read the body minus the usual furniture
        content: Iterable[Any] = original.xpath("//main|//article") or original.xpath("//body")
        blocks = []
        for el in list(content)[:1] or [original]:
            blocks = html_blocks(el, drop_furniture=True)
    if not meta.get("title"):
        meta["title"] = _meta(original, "og:title", "title") or (
            clean(page_title.text_content()) if page_title is not None else ""
        )
    if not meta.get("author"):
        meta["author"] = _meta(original, "author")
    return {k: v for k, v in meta.items() if v}, blocks
