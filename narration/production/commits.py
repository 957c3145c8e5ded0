"""Chunk commits off the chain's critical path: one writer thread per worker process.

A chunk task returns its session state as soon as the chunk is rendered; the next chunk of
the chain starts while this one's WAV and metadata go up to storage (two PUTs and a Redis
round trip: half of the orchestration time per chunk, docs/BENCHMARKS.md). The promise that a
killed worker loses nothing still holds, one step later: a chunk whose commit never landed is
made again, byte-identical, by the `part` task of its part (or the stitch), before the part
is made (`production.steps.landed_metas`). A commit waits out an unreachable store or broker for
up to two minutes; the queue is short, so meanwhile the tasks wait too instead of piling up
rendered chunks in memory.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Final, Protocol

from narration.errors import RetryableError

_LOGGER = logging.getLogger(__name__)

PENDING_MAX: Final = 4
PATIENCE_S: Final = 120.0
"""How long a commit keeps trying while storage or Redis is unreachable (an outage of a
minute is survived as the synchronous commit survived it: tasks wait, nothing is re-made)."""
MAX_PAUSE_S: Final = 5.0
Commit = Callable[[], None]


class Committer(Protocol):
    def submit(self, commit: Commit) -> None: ...
    def drain(self) -> None: ...


class Immediate:
    """Commits run in the caller, before `submit` returns (tests, benchmarks, the CLI)."""

    def submit(self, commit: Commit) -> None:
        commit()

    def drain(self) -> None:
        return None


class Background:
    """Commits run in order on one daemon thread, started in the process that uses it."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Commit] = queue.Queue(maxsize=PENDING_MAX)
        self._thread: threading.Thread | None = None

    def submit(self, commit: Commit) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="chunk-commits", daemon=True)
            self._thread.start()
        self._queue.put(commit)

    def drain(self) -> None:
        """Wait until every commit submitted so far has landed or given up."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            commit = self._queue.get()
            try:
                _with_retries(commit)
            finally:
                self._queue.task_done()


def _with_retries(commit: Commit) -> None:
    """Run a commit, retrying a service that is away with capped backoff for `PATIENCE_S`;
    anything else, or a longer outage, leaves the chunk to be made again by its part task."""
    deadline = time.monotonic() + PATIENCE_S
    pause = 0.5
    while True:
        try:
            commit()
            return
        except RetryableError as error:
            if time.monotonic() + pause > deadline:
                _LOGGER.warning("chunk commit failed, left to the part task: %s", error)
                return
            time.sleep(pause)
            pause = min(MAX_PAUSE_S, pause * 2)
        except Exception as error:
            _LOGGER.warning("chunk commit failed, left to the part task: %s", error)
            return
