"""Word (.docx) in, via python-docx: headings become chapters, notes and comments are not read.

The body is read in order, paragraphs and tables alike. A paragraph's text is every `w:t` in it,
inserted (tracked) text included and deleted text left out, so what is read is what Word shows.
Styles decide the structure: `Title` and `Heading N` are headings, list styles and numbered
paragraphs are list items, tables are read as the HTML reader reads them. Footnotes, endnotes
and comments live in parts of their own; their bodies are listed in `skipped` (or, with
`footnotes="read"`, notes are read after the paragraph that refers to them). Page headers and
footers are page furniture and are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any, Final

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from narration.errors import InputError
from narration.pipeline.document import Skipped
from narration.pipeline.ingest.list_numbers import Numbering
from narration.pipeline.ingest.policy import (
    ReadingOptions,
    SkipLog,
    add_code,
    inline_code,
    last_text,
    settle_code_notes,
)
from narration.pipeline.ingest.tables import rows_blocks
from narration.pipeline.ingest.text import ITEM, PARA, Block, clean

W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADING_STYLE: Final = re.compile(r"^heading\s+(\d)$", re.I)
_NOTE_KINDS: Final = {
    RELATIONSHIP_TYPE.FOOTNOTES: "footnote",
    RELATIONSHIP_TYPE.ENDNOTES: "endnote",
}
_SEPARATOR_TYPES: Final = frozenset(("separator", "continuationSeparator", "continuationNotice"))
_CODE_STYLE: Final = re.compile(
    r"source ?code|verbatim|preformatted|plain text|\bcode\b|html (?:code|keyboard|typewriter)",
    re.I,
)
"""Paragraph and character styles that set code (pandoc's "Source Code" and "Verbatim Char",
Word's "HTML Preformatted" and "Plain Text")."""
_MONO_FONT: Final = re.compile(r"mono|courier|consol|menlo|lucida console|typewriter", re.I)


def parse_docx(data: bytes, options: ReadingOptions) -> tuple[dict[str, str], list[Block], SkipLog]:
    """Metadata, blocks in reading order, and what was not read."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (
        PackageNotFoundError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
    ) as error:
        raise InputError(f"the Word document cannot be read ({error})") from None
    props = document.core_properties
    meta = {
        name: clean(value or "")
        for name, value in (
            ("title", props.title),
            ("author", props.author),
            ("language", props.language),
        )
        if clean(value or "")
    }
    notes = _notes(document)
    log = SkipLog("word/document.xml")
    code_styles = _code_styles(document)
    numbering = Numbering(document)
    blocks: list[Block] = []
    code: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph) and _is_code(item, code_styles):
            code.append("".join(node.text or "" for node in item._p.iter(f"{{{W}}}t")))
            continue
        if code:
            add_code(blocks, "\n".join(code), options, log, "code paragraphs")
            code.clear()
        if isinstance(item, Paragraph):
            spoken = _spoken_runs(item, code_styles, options, log, blocks)
            label = numbering.label(_numbering_of(item))
            blocks.extend(_paragraph(item, label, spoken, notes, options))
        elif isinstance(item, Table):
            blocks.extend(_table(item, options, log, last_text(blocks)))
    if code:
        add_code(blocks, "\n".join(code), options, log, "code paragraphs")
    skipped: list[Skipped] = []
    if options.footnotes == "skip":
        for kind in ("footnote", "endnote"):
            texts = [text for (k, _), text in notes.items() if k == kind]
            if texts:
                chars = sum(len(t) for t in texts)
                skipped.append(
                    Skipped(
                        f"word/{kind}s.xml",
                        f"{kind}s",
                        f"not read ({len(texts)} found)",
                        chars,
                        kind="footnotes",
                        excerpt=texts[0][:80],
                    )
                )
    comments = _part_texts(document, RELATIONSHIP_TYPE.COMMENTS, "comment")
    if comments:
        chars = sum(len(t) for t in comments)
        skipped.append(
            Skipped(
                "word/comments.xml",
                "comments",
                f"reviewers' comments, not part of the text ({len(comments)} found)",
                chars,
                body=False,
                kind="comments",
                excerpt=comments[0][:80],
            )
        )
    log.keep(skipped)
    return meta, settle_code_notes(blocks), log


def _text(element: Any, code_runs: frozenset[Any] = frozenset()) -> str:
    """What Word shows of a paragraph: text runs, tabs and breaks; not deleted text, nor the
    runs in `code_runs` (code spans left out by the code policy)."""
    parts: list[str] = []
    for node in element.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"):
        if any(etree.QName(a).localname == "del" for a in node.iterancestors()):
            continue
        if node.getparent() in code_runs:
            continue
        parts.append((node.text or "") if etree.QName(node).localname == "t" else " ")
    return clean("".join(parts))


def _code_styles(document: Any) -> frozenset[str]:
    """Ids of the styles that set code: by name, by the style they are based on, or by font."""
    found: set[str] = set()
    for style in document.styles:
        chain, base = [], style
        while base is not None:
            chain.append(base)
            base = getattr(base, "base_style", None)
        font = getattr(getattr(style, "font", None), "name", None) or ""
        if any(_CODE_STYLE.search(s.name or "") for s in chain) or _MONO_FONT.search(font):
            found.add(style.style_id)
    return frozenset(found)


def _is_code(paragraph: Paragraph, code_styles: frozenset[str]) -> bool:
    ppr = paragraph._p.pPr
    style = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else ""
    return style in code_styles


def _run_is_code(run: Any, code_styles: frozenset[str]) -> bool:
    rpr = run.find(f"{{{W}}}rPr")
    if rpr is None:
        return False
    style = rpr.find(f"{{{W}}}rStyle")
    if style is not None and style.get(f"{{{W}}}val") in code_styles:
        return True
    fonts = rpr.find(f"{{{W}}}rFonts")
    return fonts is not None and bool(_MONO_FONT.search(fonts.get(f"{{{W}}}ascii", "")))


def _spoken_runs(
    paragraph: Paragraph,
    code_styles: frozenset[str],
    options: ReadingOptions,
    log: SkipLog,
    blocks: list[Block],
) -> frozenset[Any]:
    """The runs of the code spans in a paragraph that are not read (`policy.inline_code`)."""
    spans: list[list[Any]] = [[]]
    for run in paragraph._p.iter(f"{{{W}}}r"):
        if _run_is_code(run, code_styles):
            spans[-1].append(run)
        elif spans[-1]:
            spans.append([])
    left_out: set[Any] = set()
    for span in spans:
        text = "".join(t.text or "" for run in span for t in run.iter(f"{{{W}}}t"))
        if span and not inline_code(text, options, log, "inline code", blocks):
            left_out.update(span)
    return frozenset(left_out)


def _style_names(paragraph: Paragraph) -> Iterator[str]:
    style = paragraph.style
    while style is not None:
        yield style.name or ""
        style = style.base_style


def _paragraph(
    paragraph: Paragraph,
    label: str,
    code_runs: frozenset[Any],
    notes: dict[tuple[str, str], str],
    options: ReadingOptions,
) -> list[Block]:
    text = _text(paragraph._p, code_runs)
    out: list[Block] = []
    if text:
        out.append((_kind(paragraph), label + text))
    if options.footnotes == "read":
        for ref in paragraph._p.iter(f"{{{W}}}footnoteReference", f"{{{W}}}endnoteReference"):
            kind = "footnote" if etree.QName(ref).localname.startswith("foot") else "endnote"
            body = notes.get((kind, ref.get(f"{{{W}}}id", "")), "")
            if body:
                out.append((PARA, body))
    return out


def _numbering_of(paragraph: Paragraph) -> Any:
    """The paragraph's `w:numPr`, its own or its style's (Word's "List Number")."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return ppr.numPr
    style = paragraph.style
    while style is not None:
        numpr = style.element.find(f"{{{W}}}pPr/{{{W}}}numPr")
        if numpr is not None:
            return numpr
        style = style.base_style
    return None


def _kind(paragraph: Paragraph) -> int:
    for name in _style_names(paragraph):
        if name.lower() == "title":
            return 1
        match = _HEADING_STYLE.match(name)
        if match:
            return min(6, int(match.group(1)) + 1)
        if name.lower().startswith("list"):
            return ITEM
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    return ITEM if numbered else PARA


def _table(table: Table, options: ReadingOptions, log: SkipLog, after: str) -> list[Block]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is not previous:  # a merged cell is listed once per column it spans
                cells.append(" ".join(_text(p._p) for p in cell.paragraphs).strip())
            previous = cell._tc
        rows.append(cells)
    if not rows:
        return []
    # a header row is one Word repeats on every page (w:tblHeader); else the table has none
    first = table.rows[0]._tr
    if first.trPr is not None and first.trPr.find(f"{{{W}}}tblHeader") is not None:
        return rows_blocks(rows[0], rows[1:], options, log, "table", after)
    return rows_blocks((), rows, options, log, "table", after)


def _notes(document: Any) -> dict[tuple[str, str], str]:
    """(kind, id) → text of every footnote and endnote (separators left out)."""
    found: dict[tuple[str, str], str] = {}
    for relationship in document.part.rels.values():
        kind = _NOTE_KINDS.get(relationship.reltype)
        if kind is None or relationship.is_external:
            continue
        root = etree.fromstring(relationship.target_part.blob)
        for note in root.iter(f"{{{W}}}{kind}"):
            if note.get(f"{{{W}}}type") in _SEPARATOR_TYPES:
                continue
            text = _text(note)
            if text:
                found[(kind, note.get(f"{{{W}}}id", ""))] = text
    return found


def _part_texts(document: Any, reltype: str, element: str) -> list[str]:
    texts: list[str] = []
    for relationship in document.part.rels.values():
        if relationship.reltype == reltype and not relationship.is_external:
            root = etree.fromstring(relationship.target_part.blob)
            texts.extend(t for t in (_text(e) for e in root.iter(f"{{{W}}}{element}")) if t)
    return texts
