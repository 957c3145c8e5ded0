"""A PDF page's text boxes in reading order, and the furniture around them.

pdfminer.six groups characters into lines and lines into boxes; what it does not know is which
boxes a reader skips (running headers, footers, page numbers) and in what order two columns are
read. Both are decided here from geometry alone, never from words in the prose: furniture is a
box in the top or bottom margin that is a page number or that repeats (digits aside) on many
pages; columns are read left then right inside each band between boxes that span the page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

EDGE_SHARE: Final = 0.12
"""Boxes whose middle lies in the top or bottom 12 % of the page may be furniture."""
REPEAT_SHARE: Final = 0.3
"""Edge text seen on at least this share of the pages (and on two) is a running header/footer."""
SAME_PLACE_PT: Final = 3.0
"""Edge text seen on two pages at the same height (within so many points) is running text too:
a chapter's running header stands on that chapter's pages only."""
COLUMN_TOLERANCE: Final = 0.02
"""A box within 2 % of the page's width of its middle still belongs to one column."""
_PAGE_NUMBER: Final = re.compile(
    r"^(?:page\s+)?[-–—(\[]?\s*(?:\d{1,5}|[ivxlcdm]{1,8})\s*[-–—)\]]?"
    r"(?:\s*(?:of|/)\s*\d{1,5})?$",
    re.I,
)
_DIGITS: Final = re.compile(r"\d+")


@dataclass(frozen=True)
class Line:
    text: str
    size: float
    """The median font size of its characters, in points."""
    mono: bool = False
    """Set in a monospaced font (code, a terminal session, a hex dump)."""


@dataclass(frozen=True)
class Box:
    """A block of lines on one page; coordinates in points, y grows upwards (PDF space)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def size(self) -> float:
        return max(line.size for line in self.lines)

    @property
    def mono(self) -> bool:
        return all(line.mono for line in self.lines)


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    boxes: tuple[Box, ...]
    images: int
    """Images on the page: a page with images and no text is a scan."""


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(" ".join(text.split())))


def _edge_text(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def _at_edge(box: Box, page: Page) -> bool:
    middle = (box.y0 + box.y1) / 2
    margin = page.height * EDGE_SHARE
    return middle >= page.height - margin or middle <= margin


def _outermost(page: Page) -> list[Box]:
    """The top and the bottom box of a page, where running text stands."""
    if not page.boxes:
        return []
    return [max(page.boxes, key=lambda b: b.y1), min(page.boxes, key=lambda b: b.y0)]


def _placed(box: Box) -> tuple[str, int]:
    return _edge_text(box.text), round(box.y1 / SAME_PLACE_PT)


def split_furniture(pages: Sequence[Page]) -> tuple[list[list[Box]], list[Box], list[Box]]:
    """Each page's body boxes, and the running headers/footers and page numbers taken out.

    Running text repeats in the margin on many pages, or at the same height on two; a line
    standing alone where running text stands on other pages (a chapter's header on its one
    page) is running text too."""
    seen: Counter[str] = Counter()
    placed: Counter[tuple[str, int]] = Counter()
    for page in pages:
        seen.update({_edge_text(b.text) for b in page.boxes if _at_edge(b, page)})
        placed.update({_placed(b) for b in _outermost(page) if _at_edge(b, page)})
    with_text = sum(1 for page in pages if page.boxes)
    needed = max(2, round(with_text * REPEAT_SHARE))
    slots = {slot for (_, slot), count in placed.items() if count >= 2}

    def running(box: Box, outermost: list[Box]) -> bool:
        if seen[_edge_text(box.text)] >= needed:
            return True
        if box not in outermost:
            return False
        return placed[_placed(box)] >= 2 or (len(box.lines) == 1 and _placed(box)[1] in slots)

    bodies: list[list[Box]] = []
    repeated: list[Box] = []
    numbers: list[Box] = []
    for page in pages:
        outermost = _outermost(page)
        body = []
        for box in page.boxes:
            if _at_edge(box, page) and is_page_number(box.text):
                numbers.append(box)
            elif _at_edge(box, page) and running(box, outermost):
                repeated.append(box)
            else:
                body.append(box)
        bodies.append(body)
    return bodies, repeated, numbers


def reading_order(boxes: Sequence[Box], width: float) -> list[Box]:
    """Top to bottom; where the page has two columns, the left one before the right one.

    Boxes that cross the page's middle (titles, single-column text) cut the page into bands;
    inside a band the left column is read before the right one.
    """
    middle, tolerance = width / 2, width * COLUMN_TOLERANCE
    by_top = sorted(boxes, key=lambda b: (-b.y1, b.x0))
    ordered: list[Box] = []
    band: list[Box] = []

    def flush() -> None:
        left = [b for b in band if b.x1 <= middle + tolerance]
        right = [b for b in band if b.x1 > middle + tolerance]
        ordered.extend(left)
        ordered.extend(right)
        band.clear()

    for box in by_top:
        wide = box.x0 < middle - tolerance and box.x1 > middle + tolerance
        if wide:
            flush()
            ordered.append(box)
        else:
            band.append(box)
    flush()
    return ordered


def body_size(pages: Sequence[Sequence[Box]]) -> float:
    """The font size most of the text is set in (weighted by characters)."""
    sizes: Counter[float] = Counter()
    for boxes in pages:
        for box in boxes:
            for line in box.lines:
                sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0
