"""How a benchmark reports: markdown tables, a section of a docs page rewritten in place, and a
line on the machine's load so that the numbers can be judged later."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def load_note() -> str:
    """One line for the output: cores and load averages, so numbers can be judged later."""
    one, five, fifteen = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, load average {one:.2f} / {five:.2f} / {fifteen:.2f} "
        f"(1/5/15 min), {platform.python_implementation()} {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


def load_history(notes: Sequence[str]) -> str:
    """The load averages of several `load_note` lines, joined."""
    return "; ".join(note.split("load average ")[1].split(" (")[0] for note in notes)


def load_change(before: Sequence[float], after: Sequence[float]) -> str:
    """The 1/5/15-minute load averages before and after a run, for a table's note."""

    def loads(values: Sequence[float]) -> str:
        return " / ".join(f"{value:.2f}" for value in values)

    return f"{loads(before)} before, {loads(after)} after"


def median(values: Sequence[float]) -> float:
    """The median of a benchmark's runs; NaN when there were none."""
    return statistics.median(values) if values else float("nan")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(path: Path, name: str, body: str, title: str = "# Benchmarks") -> None:
    """Replace the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def print_section(body: str, path: Path | None, name: str, heading: str = "") -> None:
    """Print a benchmark's result; given `path` (its `--write`), also write it, under
    `heading`, into that markdown file's section `name` (`write_section`)."""
    print(body)
    if path is not None:
        write_section(path, name, f"{heading}\n\n{body}" if heading else body)
        print(f"wrote {path}", file=sys.stderr)
