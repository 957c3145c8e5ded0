"""A production Celery worker whose engine costs nothing: what bench/overhead.py measures.

Run as `python -m bench.zero_cost_worker [celery worker options]` (the bench starts it with
`stack.worker_command(module="bench.zero_cost_worker")`). It does what
`narration.workers.main` does, builds the process's `Settings` and configures the real app,
then installs a `ZeroCostContext`: a `WorkerContext` whose `engine()` returns
`ZeroCostEngine`. The tasks, `workers.steps.make_chunk`, the chunk store's commit order, the
job records, S3, Celery and the broker are the production code; only the model is gone. That
is the same measurement as before the worker context existed (when the bench swapped the tasks'
engine lookup), through a public seam instead of a patched module.

Options travel in BENCH_* variables (settings refuse unknown NARRATION_* names):
BENCH_FAKE_AUDIO `real` (a tone as long as Piper would speak the text) or `tiny` (20 ms);
BENCH_CHUNK_STORE `memory` keeps chunk objects, chunk cache included, in this process (an
ablation: no chunk PUTs);
BENCH_TASK_TRACE=PATH writes one JSON line per task with the seconds spent per call category,
timed by proxies around the context's store and records (no package code is patched).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

import numpy as np

from narration.adapters.chunk_store import CACHE_PREFIX, ChunkStore, JobKeys
from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import MemoryStore, ObjectStore
from narration.adapters.worker_reports import WorkerReports
from narration.engines.base import (
    Engine,
    EngineFacts,
    OneAtATime,
    Synthesis,
    SynthesisParams,
    VoiceInfo,
)
from narration.engines.voices import find_voice
from narration.pipeline.speech_text import speakable
from narration.services import Services
from narration.settings import Settings, load_settings
from narration.workers import context
from narration.workers.app import app, configure
from narration.workers.reporting import Reporter

CHARS_PER_SECOND: Final = 18.4
"""Speaking rate of en_US-joe-medium (34,404 characters → 1,871 s)."""
TONE_HZ: Final = 220.0
TINY_S: Final = 0.020
AUDIO_ENV: Final = "BENCH_FAKE_AUDIO"
STORE_ENV: Final = "BENCH_CHUNK_STORE"
TRACE_ENV: Final = "BENCH_TASK_TRACE"
MODULE: Final = "bench.zero_cost_worker"

ENGINE_LABEL: Final = "engine (voice lookup)"
RENDER_LABEL: Final = "render (zero-cost engine, trim, level, fade, WAV)"
STORE_LABELS: Final = {"put_bytes": "S3 PUT", "exists": "S3 HEAD", "get_bytes": "S3 GET"}
RECORD_LABELS: Final = dict.fromkeys(
    ("is_cancelled", "get", "set_status", "chunk_done", "is_chunk_done"), "Redis records"
)


class ZeroCostEngine(OneAtATime):
    """An engine that returns a tone at once: `real` length (text/18.4 s) or 20 ms (`tiny`)."""

    name = "bench-zero-cost"

    def __init__(self, voice: VoiceInfo, mode: str) -> None:
        self.voice = voice
        self.identity = f"{self.name}-{mode}:{voice.name}"
        self.facts = EngineFacts(self.name, "cpu", "fp32", "a tone, the same every time")
        self._mode = mode
        self._tone = np.float32(0.3) * np.sin(
            2 * np.pi * TONE_HZ * np.arange(int(self.sample_rate * 60)) / self.sample_rate
        ).astype(np.float32)

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    def prepare_text(self, text: str) -> str:
        return speakable(text)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        seconds = TINY_S if self._mode == "tiny" else min(59.0, len(text) / CHARS_PER_SECOND)
        pcm = self._tone[: max(1, int(seconds * self.sample_rate))].copy()
        return Synthesis(pcm=pcm, sample_rate=self.sample_rate, words=[])


class ChunksInMemory:
    """Storage ablation: chunk objects live in this worker's memory, the rest in S3.

    Chunk objects are a job's metadata (…/chunks/…) and the chunk cache's audio and metadata
    (`chunk-cache/…`, where a commit's WAV goes). With one worker process the stitch task runs
    in the same process and finds them; comparing a run with and without it shows what the
    PUTs of a chunk's commit cost. The bench process cannot empty this cache (it is in the
    worker's memory), so bench/overhead.py gives each run its own seed instead.
    """

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._memory = MemoryStore(store.bucket)
        self.bucket = store.bucket

    def _pick(self, key: str) -> ObjectStore:
        in_memory = "/chunks/" in key or key.startswith(CACHE_PREFIX)
        return self._memory if in_memory else self._store

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> None:
        self._pick(key).put_bytes(key, data, content_type)

    def get_bytes(self, key: str) -> bytes:
        return self._pick(key).get_bytes(key)

    def exists(self, key: str) -> bool:
        return self._pick(key).exists(key)

    def size(self, key: str) -> int:
        return self._pick(key).size(key)

    def upload_file(self, key: str, path: Path, content_type: str = "") -> None:
        self._pick(key).upload_file(key, path, content_type)

    def download_file(self, key: str, path: Path) -> None:
        self._pick(key).download_file(key, path)

    def list_keys(self, prefix: str) -> list[str]:
        return self._pick(prefix + "x").list_keys(prefix)

    def delete_prefix(self, prefix: str) -> int:
        return self._pick(prefix + "x").delete_prefix(prefix)

    def delete_keys(self, keys: list[str]) -> None:
        for key in keys:
            self._pick(key).delete_keys([key])

    def __getattr__(self, name: str) -> Any:
        """Everything else (presign, other buckets, …) is S3's."""
        return getattr(self._store, name)


class TaskTrace:
    """One JSON line per task (start, end, seconds per call category) to a file.

    The categories time the calls a chunk task makes on the context's store and records and
    its engine; prerun → postrun also holds Celery's own result write and the chain's
    next-message publish, which no category covers.
    """

    def __init__(self, path: Path) -> None:
        from celery import signals

        self._path = path
        self.calls: dict[str, float] = {}
        self.engine_returned = 0.0
        self._started = 0.0
        signals.task_prerun.connect(self._prerun, weak=False)
        signals.task_postrun.connect(self._postrun, weak=False)

    def add(self, label: str, seconds: float) -> None:
        self.calls[label] = self.calls.get(label, 0.0) + seconds

    @contextlib.contextmanager
    def timing(self, label: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(label, time.perf_counter() - started)

    def timed(self, target: Any, labels: dict[str, str]) -> Any:
        """A proxy of `target` whose methods named in `labels` are timed into those labels."""
        return _Timed(target, self, labels)

    def _prerun(self, task: Any = None, args: Any = (), **_: Any) -> None:
        self.calls = {}
        self._started = time.time()

    def _postrun(self, task: Any = None, args: Any = (), **_: Any) -> None:
        line = {"task": task.name, "start": self._started, "end": time.time(), "calls": self.calls}
        with self._path.open("a") as out:
            out.write(json.dumps(line) + "\n")


class _Timed:
    def __init__(self, target: Any, trace: TaskTrace, labels: dict[str, str]) -> None:
        self._target, self._trace, self._labels = target, trace, labels

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        label = self._labels.get(name)
        if label is None:
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._trace.timing(label):
                return attribute(*args, **kwargs)

        return timed


class TracedChunkStore(ChunkStore):
    """Times the render: from the engine's return to the commit that stores its result."""

    def __init__(
        self, objects: ObjectStore, keys: JobKeys, records: JobRecords, trace: TaskTrace
    ) -> None:
        super().__init__(objects, keys, records)
        self._trace = trace

    def commit(self, seq: int, wav: bytes, meta: dict[str, Any]) -> None:
        if self._trace.engine_returned:
            self._trace.add(RENDER_LABEL, time.perf_counter() - self._trace.engine_returned)
            self._trace.engine_returned = 0.0
        super().commit(seq, wav, meta)


@dataclass
class ZeroCostContext(context.WorkerContext):
    """The production worker context, with a zero-cost engine in place of the loaded model."""

    audio: str = "real"
    trace: TaskTrace | None = None
    _engines: dict[str, ZeroCostEngine] = field(default_factory=dict)

    @classmethod
    def start(
        cls, settings: Settings, services: Services, audio: str, chunk_store: str, trace_path: str
    ) -> ZeroCostContext:
        trace = TaskTrace(Path(trace_path)) if trace_path else None
        objects: ObjectStore = services.store()
        records: JobRecords = services.records()
        if trace is not None:
            objects = cast(ObjectStore, trace.timed(objects, STORE_LABELS))
            records = cast(JobRecords, trace.timed(records, RECORD_LABELS))
        if chunk_store == "memory":
            objects = cast(ObjectStore, ChunksInMemory(objects))
        reports = Reporter(WorkerReports.from_url(services.broker_url))
        return cls(settings, services, objects, records, reports, audio=audio, trace=trace)

    def engine(self, voice_name: str, kind: str = "piper") -> Engine:
        """As `WorkerContext.engine` (the voice is looked up on every call), minus the model."""
        started = time.perf_counter()
        voice = find_voice(voice_name, self.settings.voice_dirs)
        if voice.name not in self._engines:
            self._engines[voice.name] = ZeroCostEngine(voice, self.audio)
        if self.trace is not None:
            self.trace.engine_returned = time.perf_counter()
            self.trace.add(ENGINE_LABEL, self.trace.engine_returned - started)
        return self._engines[voice.name]

    def chunks(self, job_id: str) -> ChunkStore:
        if self.trace is None:
            return super().chunks(job_id)
        keys = self.services.keys(job_id)
        return TracedChunkStore(self.objects, keys, self.records, self.trace)


def main(argv: list[str]) -> None:
    """`narration.workers.main`, with the zero-cost context installed before Celery forks."""
    settings = load_settings()
    services = configure(settings)
    context.install(
        ZeroCostContext.start(
            settings,
            services,
            audio=os.environ.get(AUDIO_ENV, "real"),
            chunk_store=os.environ.get(STORE_ENV, "s3"),
            trace_path=os.environ.get(TRACE_ENV, ""),
        )
    )
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
