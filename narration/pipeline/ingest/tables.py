"""Tables read aloud: small ones row by row as "header: value", large ones replaced by a note.

A listener can follow a few rows spoken as sentences ("Name: Ann, Age: 30."), not a grid of
hundreds of cells; a large table is skipped with a short spoken note and listed as skipped.
Shared by the HTML walker and the Markdown reader, which both hand over rows of cell texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from narration.pipeline.ingest.chrome import localname
from narration.pipeline.ingest.policy import ReadingOptions, SkipLog
from narration.pipeline.ingest.text import ITEM, PARA, Block


def row_sentence(header: Sequence[str], cells: Sequence[str]) -> str:
    """One row as "header: value, header: value" (empty cells left out)."""
    if header and len(header) == len(cells):
        pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c]
        return ", ".join(pairs)
    return ", ".join(c for c in cells if c)


def rows_blocks(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    options: ReadingOptions,
    log: SkipLog,
    where: str,
    after: str = "",
) -> list[Block]:
    """Blocks for a table given its header cells (maybe none) and body rows; `after` is the
    text read before it (`policy.last_text`)."""
    columns = max((len(r) for r in [header, *rows]), default=0)
    large = len(rows) > options.table_max_rows or columns > options.table_max_columns
    if large and options.tables != "read":
        cells = [c for r in [header, *rows] for c in r]
        log.add("table", " ".join(cells), where, after)
        return (
            [(PARA, f"A table of {len(rows)} rows is not read.")]
            if options.tables == "note"
            else []
        )
    if not rows and header:
        return [(ITEM, row_sentence((), header))]
    blocks: list[Block] = []
    for row in rows:
        sentence = row_sentence(header, row)
        if sentence:
            blocks.append((ITEM, sentence))
    return blocks


def table_blocks(
    table: Any, text_of: Callable[[Any], str], options: ReadingOptions, log: SkipLog, after: str
) -> list[Block]:
    """An HTML table: its caption, then its rows; the first row is the header if all `th`."""
    blocks: list[Block] = []
    rows: list[list[str]] = []
    header: list[str] = []
    for el in table.iter():
        name = localname(el)
        if name == "caption":
            caption = text_of(el)
            if caption:
                blocks.append((PARA, caption))
        if name != "tr":
            continue
        cells = [c for c in el if localname(c) in ("td", "th")]
        texts = [text_of(c) for c in cells]
        heading_row = all(localname(c) == "th" for c in cells) or localname(el.getparent()) == (
            "thead"
        )
        if heading_row and not rows and not header:
            header = texts
        elif any(texts):
            rows.append(texts)
    return blocks + rows_blocks(header, rows, options, log, "table", after)
