"""Whether this host has a core nobody runs on right now: the kernel's count of runnable threads.

A worker process renders a chunk's sentences on a second thread only while a core is free
(`engines.sentence_pool`). The fourth field of /proc/loadavg is the number of threads runnable
at this instant, host-wide, the one asking included: anything that keeps a core busy counts
(another worker's chain, a stitch's encoder, a neighbour's job), not only our tasks. Where the
file cannot be read (not Linux), no core is ever called free: the old one-thread path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

LOADAVG: Final = Path("/proc/loadavg")


def runnable_threads(loadavg: str) -> int:
    """The threads runnable now, from /proc/loadavg's text (`0.52 0.58 0.59 3/467 12345`)."""
    return int(loadavg.split()[3].split("/")[0])


def usable_cores() -> int:
    """The cores this process may run on (its affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def core_to_spare(source: Path = LOADAVG) -> bool:
    """True when the threads runnable now, the caller and the thread it would add to its work
    included, fit on the cores: a thread that asks is itself runnable, so a process whose main
    thread renders while a helper asks counts as two."""
    try:
        text = source.read_text()
    except OSError:
        return False
    return runnable_threads(text) <= usable_cores()
