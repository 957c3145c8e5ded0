"""HTML in: find the main content by structure, drop the chrome around it, walk it into blocks.

The main content is the element marked `role="main"`, else `<main>`, else the page's only
`<article>`, else the body. Everything outside it, and the chrome inside it (chrome.py), is not
read but counted by kind in the skip log, so `narrate inspect` shows what was left out.

The walker is shared with the EPUB reader. It reads every text node exactly once: an element
with block children flushes the inline text gathered so far as a paragraph before descending,
so `li > p` and `div > p` are never read twice. Inline elements (`code`, `a`, `em`, `span`...)
and `<br>` never end a paragraph, and inline text is concatenated without added spaces so
`foo<em>bar</em>` stays one word. Code blocks, tables and footnotes follow `ReadingOptions`.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from narration.errors import InputError
from narration.pipeline.ingest.chrome import (
    chrome_kind,
    is_footnotes,
    localname,
    semantic_type,
    text_chars,
)
from narration.pipeline.ingest.list_numbers import list_label
from narration.pipeline.ingest.policy import (
    ReadingOptions,
    SkipLog,
    add_code,
    inline_code,
    last_text,
    pop_toc_title,
    settle_code_notes,
)
from narration.pipeline.ingest.tables import table_blocks
from narration.pipeline.ingest.text import ITEM, PARA, Block, clean

__all__ = ["html_blocks", "localname", "numeric_entities", "parse_html", "semantic_type"]

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
_NOTE_MARK = re.compile(r"^\s*[\[(]?(?:\d{1,4}|[*†‡§¶#]+|[a-z])[\])]?\s*$")
_NOTEREF_CLASS = re.compile(r"noteref|footnote-ref|fnref|footnote_ref|endnote-ref", re.I)
_BACKLINK_CLASS = re.compile(r"footnote-back|backlink|fnback", re.I)
_BACK_ARROWS = ("↩", "↩︎", "↑")
_CODE_SPANS = frozenset(("code", "kbd", "samp", "tt"))
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))
_STRONG_SEPARATOR = re.compile(r"\s+(?:\||—|–|·|»|::)\s+")
_WEAK_SEPARATOR = re.compile(r"\s+-\s+")


def is_noteref(el: Any, name: str) -> bool:
    """A footnote reference marker (the "1" in the text) or a footnote's back link."""
    if name not in ("a", "sup", "span"):
        return False
    kinds = semantic_type(el)
    text = "".join(el.itertext())
    if "noteref" in kinds:
        return True
    if "backlink" in kinds:
        # Sphinx links a whole section heading back to its contents entry (doc-backlink): a
        # note's back link is a mark or an arrow, a heading is words
        return bool(_NOTE_MARK.match(text)) or text.strip() in _BACK_ARROWS
    cls = el.get("class", "")
    if cls and (_NOTEREF_CLASS.search(cls) or _BACKLINK_CLASS.search(cls)):
        return True
    if name == "a" and "#" in el.get("href", ""):
        return bool(_NOTE_MARK.match(text)) or text.strip() in _BACK_ARROWS
    if name == "sup":
        return any(localname(d) == "a" for d in el.iterdescendants()) and bool(
            _NOTE_MARK.match(text)
        )
    return False


def describe(el: Any) -> str:
    """A short CSS-like name for an element, for the skip log."""
    cls = el.get("class", "").split()
    return localname(el) + "".join(f".{c}" for c in cls[:2])


class Walker:
    """Turns an element tree into blocks; chrome and skipped blocks go to the skip log."""

    def __init__(
        self, options: ReadingOptions, log: SkipLog, main_ids: frozenset[str] = frozenset()
    ) -> None:
        self.options = options
        self.log = log
        self.main_ids = main_ids
        self.blocks: list[Block] = []

    def skip(self, el: Any, name: str) -> bool:
        if name in SKIP_TAGS or not name:
            return True
        if el.get("hidden") is not None or el.get("aria-hidden") == "true":
            return True
        kind = chrome_kind(el, name, self.main_ids)
        if kind is None and self.options.footnotes == "skip" and is_footnotes(el, name):
            kind = "footnotes"
        if kind is None:
            return "pagebreak" in semantic_type(el) or is_noteref(el, name)
        if kind in ("toc", "index") and getattr(self.options, kind) == "read":
            return False
        text = self.raw_text(el)
        if kind == "toc":
            text = f"{pop_toc_title(self.blocks)} {text}"
        self.log.add(kind, text, describe(el), last_text(self.blocks))
        return True

    def raw_text(self, el: Any) -> str:
        return clean(" ".join(el.itertext()))

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
            elif name in _CODE_SPANS:
                text = "".join(child.itertext())
                parts.append(
                    inline_code(text, self.options, self.log, describe(child), self.blocks)
                )
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
        number = _list_start(el) - 1
        numbered = localname(el) == "ol" and not any(
            is_footnotes(a, localname(a)) for a in (el, *el.iterancestors())
        )  # a note's number is its reference mark, not a list position
        for child in el:
            name = localname(child)
            if name in BLOCK_TAGS:
                flush()
            if not name or self.skip(child, name):
                pass
            elif name in _HEADINGS:
                out.append((_HEADINGS[name], self.text_of(child)))
            elif name == "br":
                buf.append(" ")
            elif name in _CODE_SPANS and not self._has_block(child):
                text = "".join(child.itertext())
                buf.append(inline_code(text, self.options, self.log, describe(child), out))
            elif name == "pre" or (name == "table" and child.find(".//pre") is not None):
                add_code(out, "".join(child.itertext()), self.options, self.log, describe(child))
            elif name == "table":
                out.extend(
                    table_blocks(child, self.text_of, self.options, self.log, last_text(out))
                )
            elif name in BLOCK_TAGS or self._has_block(child):
                flush()
                start = len(out)
                self.walk(child, item=item or name in ("li", "dt", "dd", "ul", "ol", "dl"))
                if name == "li" and numbered and len(out) > start:
                    # an ordered list's numbers are heard: "2. Unpack the archive."
                    number += 1
                    label = list_label(number, el.get("type", "1"))
                    out[start] = (out[start][0], f"{label}. {out[start][1]}")
            else:
                self._collect(child, buf)
            if child.tail:
                buf.append(child.tail)
        flush()
        return out


def _list_start(el: Any) -> int:
    try:
        return int(el.get("start", "1"))
    except ValueError:
        return 1


def html_blocks(
    root: Any, options: ReadingOptions | None = None, log: SkipLog | None = None
) -> list[Block]:
    return settle_code_notes(Walker(options or ReadingOptions(), log or SkipLog("html")).walk(root))


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


def page_title(root: Any) -> str:
    """og:title, else `<title>`, with a site name after the last separator trimmed.

    A strong separator (| — – · » ::) always marks a site suffix; a hyphen only when one side
    is a top heading of the page (mdBook and MkDocs print the site name as one) or the suffix is
    its og:site_name.
    """
    text = _meta(root, "og:title", "dc.title", "citation_title")
    if not text:
        element = root.find(".//title")
        text = clean(element.text_content()) if element is not None else ""
    site = _meta(root, "og:site_name", "application-name")
    strong = [m for m in _STRONG_SEPARATOR.finditer(text) if m.start() > 0]
    weak = [m for m in _WEAK_SEPARATOR.finditer(text) if m.start() > 0]
    if strong:
        return text[: strong[-1].start()].strip()
    if weak:
        head, tail = text[: weak[-1].start()].strip(), text[weak[-1].end() :].strip()
        headings = {clean(h.text_content()).rstrip("¶#§ ") for h in root.iter("h1")}
        if tail == site or head in headings or tail in headings:
            return head
    return text


def _parse(markup: str) -> Any:
    # XHTML (DocBook, groff, gtk-doc) opens with an XML declaration, which lxml refuses in an
    # already decoded string
    markup = _XML_DECLARATION.sub("", markup, count=1)
    try:
        return lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"the HTML could not be parsed ({exc})") from None


def _main_root(body: Any) -> Any:
    for path in ("//*[@role='main']", "//main"):
        found = body.xpath(path)
        if found:
            return found[0]
    articles = body.xpath("//article")
    return articles[0] if len(articles) == 1 else body


def _log_outside(
    el: Any, main: Any, ancestors: set[Any], log: SkipLog, targets: frozenset[str]
) -> None:
    """Count what lies outside the main content, by the most specific kind found."""
    for child in el:
        name = localname(child)
        if child is main or not name or name in SKIP_TAGS:
            continue
        if child in ancestors:
            _log_outside(child, main, ancestors, log, targets)
            continue
        kind = chrome_kind(child, name, targets)
        if kind is not None:
            log.add(kind, clean(" ".join(child.itertext())), describe(child))
        elif len(child) and text_chars(child) > sum(text_chars(c) for c in child):
            log.add("outside", clean(" ".join(child.itertext())), describe(child))
        elif len(child):
            _log_outside(child, main, ancestors, log, targets)
        elif text_chars(child):
            log.add("outside", clean(" ".join(child.itertext())), describe(child))


def parse_html(
    markup: str, options: ReadingOptions | None = None
) -> tuple[dict[str, str], list[Block], SkipLog]:
    """An HTML page to metadata, the blocks of its main content, and what was skipped."""
    root = _parse(markup)
    meta: dict[str, str] = {}
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        meta["language"] = lang.strip()
    meta["title"] = page_title(root)
    meta["author"] = _meta(root, "author", "article:author", "dc.creator")
    body = root.find("body")
    body = root if body is None else body
    main = _main_root(body)
    log = SkipLog("html")
    if main is not body:
        # outside the main content, a link to anything in it is a skip link
        targets = frozenset(e.get("id") for e in main.iter() if e.get("id"))
        targets |= frozenset(a.get("id") for a in main.iterancestors() if a.get("id"))
        _log_outside(body, main, set(main.iterancestors()), log, targets)
    main_ids = frozenset(i for i in (main.get("id"), body.get("id")) if i)
    main_ids |= frozenset(a.get("id") for a in main.iterancestors() if a.get("id"))
    blocks = settle_code_notes(Walker(options or ReadingOptions(), log, main_ids).walk(main))
    return {k: v for k, v in meta.items() if v}, blocks, log
