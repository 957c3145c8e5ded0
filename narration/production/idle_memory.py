"""An idle worker process gives its working memory back; a busy one keeps it.

A task's memory freed at its end stays in the process (the engine runtime's arena, the C
allocator's free lists) so that the next task reuses it without a page fault per 4 KB: handing
it back after every chunk cost about 10 % more CPU time (docs/BENCHMARKS.md, "Worker memory").
While tasks follow one another nothing is released; once a process has had no task for
`IDLE_S`, its engines shrink their runtime's arenas (`loaded_engines.release_memory`) and the
allocator returns the free pages (`adapters.allocator.release_free_memory`), so that a worker
waiting for the next job holds its loaded voice and little else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

IDLE_S: Final = 1.0
"""How long without a task before a process releases: longer than the gap between a chain's
chunks, shorter than anyone measures a worker between jobs."""


class IdleRelease:
    """Calls `release` once a process has been idle for `idle_s` after its last task.

    `busy()` as a task starts, `idle()` as it ends (also from several task threads: the release
    waits until none is running)."""

    def __init__(self, release: Callable[[], None], idle_s: float = IDLE_S) -> None:
        self._release = release
        self._idle_s = idle_s
        self._lock = threading.Lock()
        self._running = 0
        self._timer: threading.Timer | None = None

    def busy(self) -> None:
        with self._lock:
            self._running += 1
            self._cancel()

    def idle(self) -> None:
        with self._lock:
            self._running = max(0, self._running - 1)
            self._cancel()
            if self._running == 0:
                self._timer = threading.Timer(self._idle_s, self._fire)
                self._timer.daemon = True
                self._timer.start()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        # Under the lock: a task starting meanwhile waits the few milliseconds it takes.
        with self._lock:
            if self._running or self._timer is None:
                return
            self._timer = None
            self._release()
