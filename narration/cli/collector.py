"""The cyclic garbage collector of a `narrate` process: rare while the command starts.

A command's start allocates tens of thousands of objects that live as long as the process (the
modules it imports: Typer, redis-py, Celery, the pipeline). At CPython's default threshold the
collector ran about 140 times during `narrate submit FILE --wait`'s start, a full collection
among them, going over those objects again each time: 0.03-0.05 s of a 0.3 s start
(docs/BENCHMARKS.md, "CLI start-up"). A process that ends within seconds gains nothing from it.

So `entry` raises the first generation's threshold, which keeps the collector working, only
rarely; a command that goes on to follow a job or to serve puts it back as it was
(`collect_as_usual`), so that a long-running process collects as any other.
"""

from __future__ import annotations

import gc
from typing import Final

START_THRESHOLD: Final = 100_000
"""Allocations (net of deallocations) between two young-generation collections while a command
starts: `submit`'s start of a short page makes about 100,000; the default threshold is 700."""

_usual: list[tuple[int, ...]] = []


def collect_rarely() -> None:
    """Collect only every `START_THRESHOLD` allocations until `collect_as_usual`."""
    if not _usual:
        _usual.append(gc.get_threshold())
    gc.set_threshold(START_THRESHOLD, *_usual[0][1:])


def collect_as_usual() -> None:
    """The thresholds as they were before `collect_rarely` (none changed if it never ran)."""
    if _usual:
        gc.set_threshold(*_usual.pop())
