"""One device, many task threads: chunks gathered into batches for `Engine.synthesize_many`.

A torch worker runs Celery's thread pool, so each chunk stays one task (late ack, retries,
chains, redelivery as on every worker), and many tasks are in flight at once. Their threads call
`BatchedEngine.synthesize`, which queues the request and waits; one batcher thread takes up to
`max_requests` queued requests, waiting at most `max_wait_s` after the first for more, and runs
them together. The engine buckets their sentences by length. A failed batch fails each of its
requests, and each task retries on its own.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from narration.pipeline.engine import (
    Engine,
    Synthesis,
    SynthesisParams,
    SynthesisRequest,
)

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    request: SynthesisRequest
    result: Future[Synthesis] = field(default_factory=Future)


class MicroBatcher:
    """Runs queued requests through `engine.synthesize_many` in batches, on its own thread."""

    def __init__(
        self,
        engine: Engine,
        max_requests: int,
        max_wait_s: float,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """`on_batch` hears the size of each batch run (the worker's metrics)."""
        self._engine = engine
        self._on_batch = on_batch
        self._max_requests = max(1, max_requests)
        self._max_wait_s = max(0.0, max_wait_s)
        self._queue: queue.Queue[_Pending] = queue.Queue()
        self.batches = 0
        self.largest = 0
        self._thread = threading.Thread(target=self._serve, name="narration-batcher", daemon=True)
        self._thread.start()

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        """Wait for this request's place in a batch and return its synthesis."""
        pending = _Pending(SynthesisRequest(text, params))
        self._queue.put(pending)
        return pending.result.result()

    def _serve(self) -> None:
        while True:
            batch = self._gather()
            started = time.perf_counter()
            try:
                made = self._engine.synthesize_many([p.request for p in batch])
            except Exception as error:
                for pending in batch:
                    pending.result.set_exception(error)
                continue
            for pending, synthesis in zip(batch, made, strict=True):
                pending.result.set_result(synthesis)
            self.batches += 1
            self.largest = max(self.largest, len(batch))
            if self._on_batch is not None:
                self._on_batch(len(batch))
            audio_s = sum(s.duration_s for s in made)
            elapsed = time.perf_counter() - started
            _LOGGER.info(
                "batch of %d chunks: %.1f s of audio in %.2f s", len(batch), audio_s, elapsed
            )

    def _gather(self) -> list[_Pending]:
        batch = [self._queue.get()]
        deadline = time.monotonic() + self._max_wait_s
        while len(batch) < self._max_requests:
            try:
                batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return batch


class BatchedEngine:
    """The engine as a task thread sees it: the same engine, whose `synthesize` joins a batch."""

    def __init__(self, engine: Engine, batcher: MicroBatcher) -> None:
        self.engine = engine
        self.batcher = batcher
        self.name = engine.name
        self.voice = engine.voice
        self.identity = engine.identity
        self.facts = engine.facts

    @property
    def sample_rate(self) -> int:
        return self.engine.sample_rate

    def prepare_text(self, text: str) -> str:
        return self.engine.prepare_text(text)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        return self.batcher.synthesize(text, params)

    def synthesize_many(self, requests: Sequence[SynthesisRequest]) -> list[Synthesis]:
        return self.engine.synthesize_many(requests)
