"""The C allocator in worker processes: its arena limit, and free memory handed back.

glibc gives each thread that allocates its own arena (up to eight per core), and memory freed
in one is not reused by another. A part reads chunks on four threads while two more measure its
encoded stream: with an arena each, a one-hour book's parts peaked 52 MB higher (322 MB against
270 MB, `bench/stitch.py --hours 1`) for the same work. Two arenas keep that memory shared,
and `release_free_memory` after each task returns what the task freed.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Final

_LOGGER = logging.getLogger(__name__)

M_ARENA_MAX: Final = -8
"""glibc's mallopt parameter number for the arena limit (malloc.h)."""
WORKER_ARENAS: Final = 2


def limit_arenas(count: int = WORKER_ARENAS) -> bool:
    """Cap this process's malloc arenas at `count` (glibc only); whether the cap was set.

    Call it before the threads start: arenas already made stay."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    if mallopt(ctypes.c_int(M_ARENA_MAX), ctypes.c_int(count)) != 1:
        _LOGGER.debug("mallopt(M_ARENA_MAX, %d) refused", count)
        return False
    return True


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`); whether any went.

    Freed memory otherwise stays in the process: a chunk's model run or a part's buffers leave
    hundreds of MB free but resident until the next task happens to reuse them, which is what
    made a worker's processes measure up to 768 MB after a job (docs/BENCHMARKS.md, "Worker
    memory"). Trimming takes about a millisecond.
    """
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    return bool(malloc_trim(ctypes.c_size_t(0)))
