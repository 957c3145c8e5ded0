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
_LEADER_ENTRY: Final = re.compile(r"(?:\.\s?){3,}\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*$", re.I)
_INDEX_ENTRY: Final = re.compile(r"^[^\d\s][^.!?]{0,80},\s*\d{1,4}(?:\s*[-–,]\s*\d{1,4})*\.?$")
_NOT_A_TITLE: Final = re.compile(r"https?://|www\.|\S@\S|©|\(c\)\s*\d|\.(?:org|com|net)\b", re.I)


def is_entry(text: str) -> bool:
    """One contents or index entry: a dot leader and a page number, or "term, 12, 34"."""
    return bool(_LEADER_ENTRY.search(text) or _INDEX_ENTRY.match(text))


def contents_pages(pages: Sequence[Sequence[Box]]) -> dict[int, str]:
    """Page number → "toc" or "index" for the pages that are mostly entries.

    In the first half of the document such a page is a table of contents, else an index."""
    found: dict[int, str] = {}
    for number, boxes in enumerate(pages):
        lines = [line.text for box in boxes for line in box.lines]
        entries = sum(1 for text in lines if is_entry(text))
        # the last page of a contents or index may hold a single entry
        least = 1 if number - 1 in found else MIN_ENTRIES
        if entries >= least and entries >= ENTRY_SHARE * len(lines):
            found[number] = "toc" if number < len(pages) / 2 else "index"
    return found


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
