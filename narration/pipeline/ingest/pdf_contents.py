"""A PDF's table of contents and index pages, its title, told apart by their lines' shape.

A contents or index page is mostly entries: a title, a dot leader and a page number ("History
. . . . 12"), or a term and its page numbers ("Garamond, 5, 34"). Such a page is not read (the
chapters themselves are). The title is the document's metadata title, else the largest text on
the first page, never a line that is a web address, an e-mail address or a copyright notice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from narration.pipeline.ingest.pdf_layout import Box, body_size

ENTRY_SHARE: Final = 0.5
"""A page whose lines are at least this share of entries is a contents or index page."""
MIN_ENTRIES: Final = 3
TITLE_SIZE_RATIO: Final = 1.15
HEADING_CHARS: Final = 40
LEAD_IN_LINES: Final = 3
"""A contents heading is one line; a lead-in between it and the entries at most three."""
_LEADER_ENTRY: Final = re.compile(
    r"(?:\.\s?){3,}\s*(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*[,–-]\s*\d{1,4})*\s*$", re.I
)
_LEADER_ONLY: Final = re.compile(r"^[.\s·]+$|(?:\.\s?){5,}$")
"""Leader dots without their page number: some typesetters (groff) space the dots so wide that
each is a line of its own; a narrow column puts the number on the next line."""
_INDEX_ENTRY: Final = re.compile(r"^[^\d\s][^.!?]{0,80},\s*\d{1,4}(?:\s*[-–,]\s*\d{1,4})*\.?$")
_PAGE_NUMBER: Final = re.compile(
    r"^(?:\d{1,4}|[ivxlc]{1,6})$|^\d{1,4}(?:\s*[,–-]\s*\d{1,4})+,?$", re.I
)
"""A page number alone, or page numbers that run on from an index entry's line."""
_NOT_A_TITLE: Final = re.compile(r"https?://|www\.|\S@\S|©|\(c\)\s*\d|\.(?:org|com|net)\b", re.I)


def is_entry(text: str) -> bool:
    """One contents or index entry: a dot leader and page numbers, "term, 12, 34", or the dots
    of a leader without their number."""
    return bool(_LEADER_ENTRY.search(text) or _INDEX_ENTRY.match(text) or _LEADER_ONLY.search(text))


def _counts(box: Box) -> tuple[int, int, int]:
    """(lines, entries, bare page numbers) of a box."""
    texts = [line.text for line in box.lines]
    numbers = sum(1 for text in texts if _PAGE_NUMBER.match(text))
    return len(texts), sum(1 for text in texts if is_entry(text)), numbers


def contents_pages(pages: Sequence[Sequence[Box]]) -> dict[int, tuple[str, list[Box]]]:
    """Page number → ("toc" or "index", its boxes that are the contents or index) for the pages
    that hold one: from the first box of entries or page numbers (with the short heading just
    before it: "Contents") to the end of the page, when most of that is entries and page
    numbers and at least `ENTRY_SHARE / 2` of its other lines are entries (a listing's line
    numbers alone never make one). In the first half of the document it is a table of
    contents, else an index."""
    found: dict[int, tuple[str, list[Box]]] = {}
    for number, boxes in enumerate(pages):
        counts = [_counts(box) for box in boxes]
        listed = [
            i for i, (lines, hits, numbers) in enumerate(counts)
            if (hits and hits >= ENTRY_SHARE * (lines - numbers)) or (lines and numbers == lines)
        ]  # fmt: skip
        if not listed:
            continue
        first = _with_heading(boxes, listed[0])
        lines, entries, numbers = (sum(c[k] for c in counts[first:]) for k in range(3))
        least = 1 if number - 1 in found else MIN_ENTRIES
        if entries < least or entries + numbers < ENTRY_SHARE * lines:
            continue
        if entries < ENTRY_SHARE / 2 * (lines - numbers):
            continue
        kind = "toc" if number < len(pages) / 2 else "index"
        found[number] = (kind, list(boxes[first:]))
    return found


def _with_heading(boxes: Sequence[Box], first: int) -> int:
    """Where a contents or index starts: its short heading ("Contents", "Index") just before
    the first entries, or that heading and a short lead-in under it ("Numbers in italic…")."""

    def heading(at: int) -> bool:
        return at >= 0 and len(boxes[at].lines) == 1 and len(boxes[at].text) <= HEADING_CHARS

    if heading(first - 1):
        return first - 1
    if first >= 1 and len(boxes[first - 1].lines) <= LEAD_IN_LINES and heading(first - 2):
        return first - 2
    return first


def first_page_title(pages: Sequence[Sequence[Box]]) -> str:
    """The largest text on the first page with text, when it stands out from the body text."""
    size = body_size(pages)
    first = next((boxes for boxes in pages if boxes), ())
    candidates = sorted(first, key=lambda box: -box.size)
    for box in candidates:
        if box.size < size * TITLE_SIZE_RATIO:
            return ""
        if not _NOT_A_TITLE.search(box.text) and any(ch.isalpha() for ch in box.text):
            return box.text
    return ""
