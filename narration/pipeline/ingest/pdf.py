"""PDF in, via pdfminer.six (MIT): text in reading order, without the page furniture.

What a listener should not hear is taken out by geometry (`pdf_layout`): running headers and
footers, page numbers. Lines are joined into paragraphs, a word hyphenated at a line end is
joined again ("narra-⏎tion" → "narration"), and a paragraph cut by a page or column break is
joined with its continuation. Chapters come from the document outline (bookmarks) when it has
at least two entries, else from headings told apart by font size. Pages that are only images
(a scan without a text layer) are refused: we cannot read them, and a silent gap would be worse.
"""

from __future__ import annotations

import io
import re
import statistics
from collections.abc import Iterator, Sequence
from typing import Any, Final

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import (
    LAParams,
    LTChar,
    LTFigure,
    LTImage,
    LTPage,
    LTTextBox,
    LTTextLine,
)
from pdfminer.pdfdocument import PDFDocument, PDFNoOutlines
from pdfminer.pdfexceptions import PDFException, PSException
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.utils import decode_text

from narration.errors import InputError
from narration.pipeline.document import Skipped
from narration.pipeline.ingest.pdf_contents import contents_pages, first_page_title
from narration.pipeline.ingest.pdf_layout import (
    Box,
    Line,
    Page,
    body_size,
    reading_order,
    split_furniture,
)
from narration.pipeline.ingest.policy import (
    ReadingOptions,
    SkipLog,
    add_code,
    last_text,
    settle_code_notes,
)
from narration.pipeline.ingest.text import PARA, Block, clean

HEADING_SIZE_RATIO: Final = 1.15
"""A short box set at least this much larger than the body text is a heading."""
HEADING_MAX_LINES: Final = 3
HEADING_MAX_CHARS: Final = 150
MIN_OUTLINE_ENTRIES: Final = 2
_TERMINAL: Final = frozenset(".!?:;…\"'”’)]")
_LIGATURES: Final = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
_HYPHENS: Final = ("-", "‐")
_MONO_FONT: Final = re.compile(r"mono|courier|typewriter|cmtt|consol|menlo|fixed|code", re.I)
MONO_SHARE: Final = 0.8
"""A line with at least this share of its characters in a monospaced font is code."""
_NUMBERING: Final = re.compile(
    r"^(?:(?:chapter|appendix|section|part)\s+)?(?:\d+(?:\.\d+)*|[a-z](?:\.\d+)*)\.?\s+"
)
_RUNNING: Final = "text repeated in the top or bottom margin of the pages"
_NUMBERS: Final = "page numbers in the top or bottom margin"


def parse_pdf(
    data: bytes, options: ReadingOptions | None = None
) -> tuple[dict[str, str], list[Block], SkipLog]:
    """Metadata, blocks in reading order, and what was not read."""
    options = options or ReadingOptions()
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pages, page_ids = _read_pages(document)
        meta = _metadata(document)
        outline = _outline(document, page_ids)
    except (PDFException, PSException, ValueError, KeyError, TypeError) as error:
        message = str(error) or type(error).__name__
        if "password" in message.lower() or "encrypt" in message.lower():
            raise InputError("the PDF is encrypted; save an unprotected copy") from None
        raise InputError(f"the PDF cannot be read ({message})") from None
    skipped = list(_check_scans(pages))
    bodies, running, numbers = split_furniture(pages)
    if running:
        skipped.append(_furniture("running headers and footers", _RUNNING, running, "running"))
    if numbers:
        skipped.append(_furniture("page numbers", _NUMBERS, numbers, "page_numbers"))
    ordered = [reading_order(boxes, page.width) for boxes, page in zip(bodies, pages, strict=True)]
    if "title" not in meta:
        title = first_page_title(ordered)
        if title:
            meta["title"] = title
    log = SkipLog("pdf")
    log.keep(skipped)
    index: list[tuple[str, str]] = []
    for number, (kind, boxes) in contents_pages(ordered).items():
        if getattr(options, kind) == "read":
            continue
        text = " ".join(box.text for box in boxes)
        if kind == "toc":
            log.add(kind, text, f"page {number + 1}")
        else:
            index.append((text, f"page {number + 1}"))
        ordered[number] = [box for box in ordered[number] if box not in boxes]
        dropped = " ".join(_key(box.text) for box in boxes)
        outline = [e for e in outline if e[0] != number or _key(e[2]) not in dropped]
    blocks = _blocks(ordered, outline, options, log)
    for text, where in index:  # at the back of the book
        log.add("index", text, where, last_text(blocks))
    return meta, blocks, log


def _read_pages(document: PDFDocument) -> tuple[list[Page], dict[object, int]]:
    resources = PDFResourceManager()
    # boxes_flow=None skips pdfminer's own reading-order grouping (quadratic in the boxes of a
    # page); `pdf_layout.reading_order` orders the boxes instead
    device = PDFPageAggregator(resources, laparams=LAParams(boxes_flow=None))
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[Page] = []
    page_ids: dict[object, int] = {}
    for number, pdf_page in enumerate(PDFPage.create_pages(document)):
        page_ids[pdf_page.pageid] = number
        interpreter.process_page(pdf_page)
        pages.append(_page(device.get_result(), number))
    return pages, page_ids


def _page(layout: LTPage, number: int) -> Page:
    boxes: list[Box] = []
    images = 0
    for item in _walk(layout):
        if isinstance(item, LTImage):
            images += 1
        elif isinstance(item, LTTextBox):
            lines = tuple(line for line in map(_line, item) if line is not None)
            if lines:
                boxes.append(Box(number, item.x0, item.y0, item.x1, item.y1, lines))
    return Page(layout.width, layout.height, tuple(boxes), images)


def _walk(container: Any) -> Iterator[Any]:
    for item in container:
        yield item
        if isinstance(item, LTFigure):
            yield from _walk(item)


def _line(item: Any) -> Line | None:
    if not isinstance(item, LTTextLine):
        return None
    text = clean(item.get_text().translate(_LIGATURES))
    chars = [char for char in item if isinstance(char, LTChar)]
    if not text or not chars:
        return None
    mono = sum(1 for char in chars if _MONO_FONT.search(char.fontname)) >= MONO_SHARE * len(chars)
    return Line(text, statistics.median(char.size for char in chars), mono)


def _metadata(document: PDFDocument) -> dict[str, str]:
    meta: dict[str, str] = {}
    for info in document.info:
        for key, name in (("Title", "title"), ("Author", "author")):
            value = resolve1(info.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and clean(value) and name not in meta:
                meta[name] = clean(value)
    return meta


def _outline(document: PDFDocument, page_ids: dict[object, int]) -> list[tuple[int, int, str]]:
    """(page, level, title) of each bookmark that leads to a page."""
    entries = []
    try:
        for level, title, dest, action, _ in document.get_outlines():
            page = _dest_page(document, dest, action, page_ids)
            if page is not None and isinstance(title, str) and clean(title):
                entries.append((page, level, clean(title)))
    except PDFNoOutlines:
        return []
    return entries if len(entries) >= MIN_OUTLINE_ENTRIES else []


def _dest_page(
    document: PDFDocument, dest: Any, action: Any, page_ids: dict[object, int]
) -> int | None:
    if dest is None and action is not None:
        action = resolve1(action)
        if isinstance(action, dict):
            dest = action.get("D")
    dest = resolve1(dest)
    if isinstance(dest, bytes | str):
        dest = resolve1(document.get_dest(dest))
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    if isinstance(dest, list) and dest and isinstance(dest[0], PDFObjRef):
        return page_ids.get(dest[0].objid)
    return None


def _check_scans(pages: Sequence[Page]) -> Iterator[Skipped]:
    """Refuse pages that are only images; a first page like that is a cover and is listed."""
    scans = [n for n, page in enumerate(pages) if page.images and not page.boxes]
    if not any(page.boxes for page in pages):
        raise InputError("the PDF has no text layer (a scanned document?); run OCR on it first")
    if scans == [0] or not scans:
        if scans:
            yield Skipped(
                "page 1", "cover image", "an image without text", 0, body=False, kind="cover"
            )
        return
    numbers = ", ".join(str(n + 1) for n in scans if n)
    raise InputError(
        f"the PDF has pages without a text layer (page {numbers}: scanned images); "
        "run OCR on it first"
    )


def _furniture(title: str, reason: str, boxes: Sequence[Box], kind: str) -> Skipped:
    pages = sorted({box.page + 1 for box in boxes})
    source = f"pages {pages[0]}-{pages[-1]}" if len(pages) > 1 else f"page {pages[0]}"
    chars = sum(len(box.text) for box in boxes)
    excerpt = boxes[0].text[:80]
    return Skipped(source, title, f"{reason} ({len(boxes)} found)", chars, False, kind,
                   excerpt=excerpt)  # fmt: skip


def join_lines(lines: Sequence[str]) -> str:
    """Lines of one paragraph joined; a word hyphenated at a line end is one word again.

    The hyphen goes when the next line goes on in lower case ("narra-" "tion"); before a
    capital it stays, without a space ("Anglo-" "Saxon")."""
    text = ""
    for line in lines:
        text = _join(text, line)
    return text


def _join(text: str, following: str) -> str:
    if not text:
        return following
    if text.endswith(_HYPHENS) and len(text) > 1 and text[-2].isalpha() and following[:1].isalpha():
        return (text[:-1] if following[0].islower() else text) + following
    return f"{text} {following}"


def _key(title: str) -> str:
    """A heading as the outline and the page both spell it: "1.1 History" is "History"."""
    return _NUMBERING.sub("", " ".join(title.lower().split()).rstrip(". "))


def _blocks(
    pages: Sequence[Sequence[Box]],
    outline: list[tuple[int, int, str]],
    options: ReadingOptions,
    log: SkipLog,
) -> list[Block]:
    """Headings (outline titles or larger type), paragraphs and code (monospaced boxes); a
    paragraph cut by a page or column break (no sentence end, the next one goes on in lower
    case) is joined again."""
    size = body_size(pages)
    levels = _size_levels(pages, size)
    deepest = max((level for _, level, _ in outline), default=0)
    blocks: list[Block] = []
    for number, boxes in enumerate(pages):
        titles = {_key(t): lvl for p, lvl, t in outline if p == number}
        found = set()
        page_blocks: list[Block] = []
        for box in boxes:
            text = join_lines([line.text for line in box.lines])
            key = _key(text)
            if box.mono:
                add_code(page_blocks, "\n".join(line.text for line in box.lines), options, log,
                         f"page {number + 1}")  # fmt: skip
            elif key in titles and key not in found:
                page_blocks.append((titles[key], text))
                found.add(key)
            elif _is_heading(box, size):
                level = levels[round(box.size * 2) / 2]
                page_blocks.append((min(6, level + deepest) if outline else level, text))
            else:
                page_blocks.append((PARA, text))
        missing = [(lvl, t) for p, lvl, t in outline if p == number and _key(t) not in found]
        blocks.extend(missing)
        for block in page_blocks:
            _append(blocks, block)
    return settle_code_notes(blocks)


def _append(blocks: list[Block], block: Block) -> None:
    kind, text = block
    if blocks and kind == PARA and blocks[-1][0] == PARA:
        last = blocks[-1][1]
        if last[-1] not in _TERMINAL and text[:1].islower():
            blocks[-1] = (PARA, _join(last, text))
            return
    blocks.append(block)


def _is_heading(box: Box, size: float) -> bool:
    return (
        size > 0
        and box.size >= size * HEADING_SIZE_RATIO
        and len(box.lines) <= HEADING_MAX_LINES
        and len(box.text) <= HEADING_MAX_CHARS
    )


def _size_levels(pages: Sequence[Sequence[Box]], size: float) -> dict[float, int]:
    """Heading font sizes, largest first, as levels 1, 2, … (at most 6)."""
    sizes = {round(b.size * 2) / 2 for boxes in pages for b in boxes if _is_heading(b, size)}
    return {s: min(6, n) for n, s in enumerate(sorted(sizes, reverse=True), 1)}
