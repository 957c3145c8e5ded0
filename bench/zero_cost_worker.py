"""A production Celery worker whose engine costs nothing: what bench/overhead.py measures.

Run as `python -m bench.zero_cost_worker [celery worker options]` (the bench starts it with
`stack.worker_command(module="bench.zero_cost_worker")`). It does what
`narration.workers.main` does, builds the process's `Settings` and configures the real app,
then installs a `ZeroCostContext`: a `WorkerContext` whose `engine()` returns
`ZeroCostEngine`. The tasks, `production.steps.make_chunk`, the chunk store's commit order, the
job records, S3, Celery and the broker are the production code; only the model is gone. That
is the same measurement as before the worker context existed (when the bench swapped the tasks'
engine lookup), through a public seam instead of a patched module.

Options travel in BENCH_* variables (settings refuse unknown NARRATION_* names):
BENCH_FAKE_AUDIO `real` (speech as long as Piper would speak the text: slices of one real Piper
recording, BENCH_SPEECH=PATH, an .npy the bench makes once with `record_speech`, so that the
render's trim, level, peak taming, loudness figures and WAV cost what they cost on speech; a
tone would not do, the true-peak meter's fast path skips all but ~1 % of speech samples and
almost none of a tone's), `tone` (a tone of that length), `tiny` (20 ms), or `model`: the
real engine after all, its synthesis timed (bench/first_audio.py follows a job's first chunk);
BENCH_ENGINE_MS: the engine sleeps this long per chunk without using the CPU (a model busy on
another core or a GPU), so that the background chunk commits keep up as they do behind a real
engine instead of setting the pace;
BENCH_CHUNK_STORE `memory` keeps chunk objects, chunk cache included, in this process (an
ablation: no chunk PUTs);
BENCH_TASK_TRACE=PATH traces each task (bench/task_trace.py: seconds per call category, timed
on the task's own thread; no package code is patched) and each background commit.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from task_trace import (
    ENGINE_LABEL,
    LOOKUP_LABEL,
    RECORD_LABELS,
    STORE_LABELS,
    TaskTrace,
    TimedEngine,
    TracedCommits,
)

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import MemoryStore, ObjectStore
from narration.adapters.worker_reports import WorkerReports
from narration.connections import Services
from narration.engines.voices import find_voice
from narration.pipeline.engine import (
    Engine,
    EngineFacts,
    OneAtATime,
    Synthesis,
    SynthesisParams,
    VoiceInfo,
)
from narration.pipeline.speech_text import speakable
from narration.production import context
from narration.production.reporting import Reporter
from narration.settings import Settings, load_settings
from narration.workers.app import app, configure

CHARS_PER_SECOND: Final = 18.4
"""Speaking rate of en_US-joe-medium (34,404 characters → 1,871 s)."""
TONE_HZ: Final = 220.0
TINY_S: Final = 0.020
AUDIO_ENV: Final = "BENCH_FAKE_AUDIO"
SPEECH_ENV: Final = "BENCH_SPEECH"
ENGINE_MS_ENV: Final = "BENCH_ENGINE_MS"
STORE_ENV: Final = "BENCH_CHUNK_STORE"
TRACE_ENV: Final = "BENCH_TASK_TRACE"
MODULE: Final = "bench.zero_cost_worker"
MODEL_AUDIO: Final = "model"
"""BENCH_FAKE_AUDIO=model: no fake at all, the real engine, traced (bench/first_audio.py)."""
SPEECH_TEXT_CHARS: Final = 1200
"""How much of the bench text `record_speech` speaks: about a minute, longer than any chunk."""


def record_speech(path: Path, text: str, voice_name: str, voice_dirs: Sequence[Path]) -> None:
    """Speak `text` once with the real Piper voice (one thread) and save the PCM as .npy."""
    from narration.engines.piper import PiperEngine
    from narration.pipeline.engine import SynthesisParams

    engine = PiperEngine.load(find_voice(voice_name, voice_dirs), threads=1)
    synthesis = engine.synthesize(engine.prepare_text(text), SynthesisParams(seed=1))
    np.save(path, synthesis.pcm.astype(np.float32))


class ZeroCostEngine(OneAtATime):
    """An engine that costs no CPU: `real` speech, a `tone` (text/18.4 s long) or 20 ms
    (`tiny`), after sleeping `pace_s`."""

    name = "bench-zero-cost"

    def __init__(
        self,
        voice: VoiceInfo,
        mode: str,
        speech: np.ndarray | None = None,
        pace_s: float = 0.0,
        trace: TaskTrace | None = None,
    ) -> None:
        self.voice = voice
        self.identity = f"{self.name}-{mode}:{voice.name}"
        self.facts = EngineFacts(self.name, "cpu", "fp32", "the same audio every time")
        self._mode = mode
        self._pace_s = pace_s
        self._trace = trace
        if mode == "real":
            if speech is None:
                raise ValueError(f"`real` audio needs a recording ({SPEECH_ENV})")
            self._source = speech
        else:
            self._source = np.float32(0.3) * np.sin(
                2 * np.pi * TONE_HZ * np.arange(int(self.sample_rate * 60)) / self.sample_rate
            ).astype(np.float32)

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    def prepare_text(self, text: str) -> str:
        return speakable(text)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        started = time.perf_counter()
        if self._pace_s:
            time.sleep(self._pace_s)
        seconds = TINY_S if self._mode == "tiny" else len(text) / CHARS_PER_SECOND
        wanted = max(1, int(seconds * self.sample_rate))
        repeats = -(-wanted // len(self._source))
        pcm = np.tile(self._source, repeats)[:wanted].copy()
        if self._trace is not None:
            self._trace.add(ENGINE_LABEL, time.perf_counter() - started)
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


@dataclass
class ZeroCostContext(context.WorkerContext):
    """The production worker context, with a zero-cost engine in place of the loaded model."""

    audio: str = "real"
    speech: np.ndarray | None = None
    pace_s: float = 0.0
    trace: TaskTrace | None = None
    _engines: dict[str, Engine] = field(default_factory=dict)

    @classmethod
    def start(
        cls, settings: Settings, services: Services, chunk_store: str, trace_path: str
    ) -> ZeroCostContext:
        trace = TaskTrace(Path(trace_path)) if trace_path else None
        objects: ObjectStore = services.store()
        records: JobRecords = services.records()
        if trace is not None:
            objects = cast(ObjectStore, trace.timed(objects, STORE_LABELS))
            records = cast(JobRecords, trace.timed(records, RECORD_LABELS))
        if chunk_store == "memory":
            objects = cast(ObjectStore, ChunksInMemory(objects))
        reports = Reporter(WorkerReports.connect(services.broker()))
        return cls(settings, services, objects, records, reports, trace=trace)

    def engine(self, voice_name: str, kind: str = "piper") -> Engine:
        """As `WorkerContext.engine` (the voice is looked up once per name), minus the model;
        with `model` audio, the loaded model itself, its synthesis timed."""
        started = time.perf_counter()
        if voice_name not in self._engines:
            if self.audio == MODEL_AUDIO:
                model = super().engine(voice_name, kind)
                self._engines[voice_name] = TimedEngine(model, self.trace)
            else:
                voice = find_voice(voice_name, self.settings.voice_dirs)
                self._engines[voice_name] = ZeroCostEngine(
                    voice, self.audio, self.speech, self.pace_s, self.trace
                )
        if self.trace is not None:
            self.trace.add(LOOKUP_LABEL, time.perf_counter() - started)
        return self._engines[voice_name]


def _trace_commits(**_: Any) -> None:
    """In each pool process, after the app has given it its background committer."""
    worker = context.current()
    if isinstance(worker, ZeroCostContext) and worker.trace is not None:
        worker.commits = TracedCommits(worker.commits, worker.trace)


def main(argv: list[str]) -> None:
    """`narration.workers.main`, with the zero-cost context installed before Celery forks."""
    from celery.signals import worker_process_init

    settings = load_settings()
    services = configure(settings)
    worker = ZeroCostContext.start(
        settings,
        services,
        chunk_store=os.environ.get(STORE_ENV, "s3"),
        trace_path=os.environ.get(TRACE_ENV, ""),
    )
    worker.audio = os.environ.get(AUDIO_ENV, "real")
    worker.pace_s = float(os.environ.get(ENGINE_MS_ENV, "0")) / 1000.0
    if worker.audio == "real":
        worker.speech = np.load(os.environ[SPEECH_ENV])
    context.install(worker)
    worker_process_init.connect(_trace_commits, weak=False)
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
