"""A worker's side of the metrics: report each chunk, part, stitch and engine batch, and beat.

Reports go to Redis (`adapters.worker_reports`), one pipelined round trip each. A report that
fails is logged and dropped: metrics never fail or retry a task. The heartbeat runs on a thread
of the worker's main process, so a worker counts once however many pool processes it has.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from narration.adapters.worker_reports import HEARTBEAT_S, WorkerReports
from narration.errors import NarrationError

_LOGGER = logging.getLogger(__name__)


class Reporter:
    """Reports of one worker process; never raises."""

    def __init__(self, reports: WorkerReports) -> None:
        self._reports = reports

    def _send(self, what: str, call: Callable[[], None]) -> None:
        try:
            call()
        except NarrationError as error:
            _LOGGER.warning("metrics: %s not reported: %s", what, error)

    def chunk(self, engine: str, reused: bool, seconds: float, audio_seconds: float) -> None:
        self._send("a chunk", lambda: self._reports.chunk(engine, reused, seconds, audio_seconds))

    @contextmanager
    def timed_stitch(self, step: str) -> Iterator[None]:
        """Time a `part` or a `stitch`; only one that finishes is reported."""
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        self._send(step, lambda: self._reports.stitch(step, elapsed))

    def batch_reporter(self, engine: str) -> Callable[[int], None]:
        """What a micro-batcher calls with the size of each batch it ran."""

        def report(size: int) -> None:
            self._send("a batch", lambda: self._reports.batch(engine, size))

        return report


def beat_forever(reports: WorkerReports, node: str, queues: Sequence[str], slots: int) -> None:
    """Start the heartbeat thread of a worker (`node`: Celery's node name)."""

    def beat() -> None:
        while True:
            try:
                reports.heartbeat(node, queues, slots)
            except NarrationError as error:
                _LOGGER.warning("metrics: heartbeat not sent: %s", error)
            time.sleep(HEARTBEAT_S)

    threading.Thread(target=beat, name="narration-heartbeat", daemon=True).start()
