"""Orchestration overhead per chunk: dispatch, state, storage writes — with a zero-cost engine.

This file is two things:

- the benchmark (`python bench/overhead.py`): starts a private local stack with ONE worker whose
  engine costs nothing, submits the bench text, and reports per chunk
  (a) the median gap between consecutive chunk completions on the job's event stream (each gap is
  one whole chunk task: broker delivery, cancel check, plan/record reads, render's trim/level/
  fade/WAV, two S3 PUTs, the records update, the result write, the chain's next message), and
  (b) (job wall time − stitch time) / chunks, which also carries submit and the first task's
  plan fetch;
- the Celery app that worker runs (`celery -A bench.overhead worker`): it imports the real
  `narration.workers.app` and replaces the tasks' `engine_for` with `ZeroCostEngine` before the
  worker forks, so every other line a chunk task runs is the production code.

`--audio real` (default) makes the fake engine return a tone as long as Piper would speak the
text (18.4 characters a second, the voice's measured rate), so WAV sizes, S3 PUT sizes and the
render's PCM work match a real job; `--audio tiny` returns 20 ms, the floor. `--chunk-store
memory` keeps the chunk objects in the worker's memory (an ablation: what is left without the
per-chunk S3 HEAD and two PUTs). `--breakdown` also times the single storage and broker calls a
chunk task makes, from this process.

    python bench/overhead.py                 # 3 runs, the whole bench text, realistic audio
    python bench/overhead.py --audio tiny --runs 5 --chars 8000 --breakdown
    python bench/overhead.py --chunk-store memory
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Final

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from narration.engines.base import Synthesis, SynthesisParams, VoiceInfo
from narration.settings import Settings
from narration.workers import tasks as _tasks
from narration.workers.app import app

CHARS_PER_SECOND: Final = 18.4
"""Speaking rate of en_US-joe-medium (34,404 characters → 1,871 s)."""
TONE_HZ: Final = 220.0
TINY_S: Final = 0.020
STORE_ENV: Final = "BENCH_CHUNK_STORE"
TRACE_ENV: Final = "BENCH_TASK_TRACE"
AUDIO_ENV: Final = "BENCH_FAKE_AUDIO"
"""Read by the fake worker only (not NARRATION_*: settings refuse unknown names)."""


class ZeroCostEngine:
    """An engine that returns a tone at once: `real` length (text/18.4 s) or 20 ms (`tiny`)."""

    name = "bench-zero-cost"

    def __init__(self, voice: VoiceInfo, mode: str) -> None:
        self.voice = voice
        self._mode = mode
        self._tone = np.float32(0.3) * np.sin(
            2 * np.pi * TONE_HZ * np.arange(int(self.sample_rate * 60)) / self.sample_rate
        ).astype(np.float32)

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        seconds = TINY_S if self._mode == "tiny" else min(59.0, len(text) / CHARS_PER_SECOND)
        pcm = self._tone[: max(1, int(seconds * self.sample_rate))].copy()
        return Synthesis(pcm=pcm, sample_rate=self.sample_rate, words=[])


_ENGINES: dict[str, ZeroCostEngine] = {}


def _zero_cost_engine_for(voice_name: str, settings: Settings) -> ZeroCostEngine:
    from narration.engines.voices import find_voice

    if voice_name not in _ENGINES:
        mode = os.environ.get(AUDIO_ENV, "real")
        _ENGINES[voice_name] = ZeroCostEngine(find_voice(voice_name, settings.voice_dirs), mode)
    return _ENGINES[voice_name]


class ChunksInMemory:
    """Storage ablation: chunk objects (…/chunks/…) live in this worker's memory, the rest in S3.

    With one worker process the stitch task runs in the same process and finds them; comparing a
    run with and without it shows what the per-chunk HEAD and two PUTs cost.
    """

    def __init__(self, store: Any) -> None:
        from narration.pipeline.storage import MemoryStore

        self._store = store
        self._memory = MemoryStore(store.bucket)
        self.bucket = store.bucket

    def _pick(self, key: str) -> Any:
        return self._memory if "/chunks/" in key else self._store

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> None:
        self._pick(key).put_bytes(key, data, content_type)

    def get_bytes(self, key: str) -> bytes:
        return bytes(self._pick(key).get_bytes(key))

    def exists(self, key: str) -> bool:
        return bool(self._pick(key).exists(key))

    def list_keys(self, prefix: str) -> list[str]:
        return list(self._pick(prefix + "x").list_keys(prefix))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@functools.lru_cache(maxsize=1)
def _store_and_records_chunks_in_memory() -> tuple[Any, Any]:
    store, records = _real_store_and_records()
    return ChunksInMemory(store), records


class TaskTrace:
    """Worker side: one JSON line per task (start, end, seconds per call category) to a file.

    The categories wrap the production calls a chunk task makes; prerun → postrun also holds
    Celery's own result write and the chain's next-message publish, which no category covers.
    """

    def __init__(self, path: Path) -> None:
        from celery import signals

        from narration.jobs import JobRecords
        from narration.pipeline.storage import S3Store

        self._path = path
        self._calls: dict[str, float] = {}
        self._started = 0.0
        for name, label in (
            ("put_bytes", "S3 PUT"),
            ("exists", "S3 HEAD"),
            ("get_bytes", "S3 GET"),
        ):
            self._wrap(S3Store, name, label)
        for name in ("is_cancelled", "get", "set_status", "chunk_done"):
            self._wrap(JobRecords, name, "Redis records")
        self._wrap(_tasks, "render_chunk", "render (zero-cost engine, trim, level, fade, WAV)")
        self._wrap(_tasks, "engine_for", "engine_for (voice lookup)")
        signals.task_prerun.connect(self._prerun, weak=False)
        signals.task_postrun.connect(self._postrun, weak=False)

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._calls[label] = self._calls.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)

    def _prerun(self, task: Any = None, args: Any = (), **_: Any) -> None:
        self._calls = {}
        self._started = time.time()

    def _postrun(self, task: Any = None, args: Any = (), **_: Any) -> None:
        line = {"task": task.name, "start": self._started, "end": time.time(), "calls": self._calls}
        with self._path.open("a") as out:
            out.write(json.dumps(line) + "\n")


# The worker started with `-A bench.overhead` gets this app with the engine swapped (and, when
# asked, the chunk objects kept in memory and every task traced).
_real_store_and_records = _tasks._store_and_records
_tasks.engine_for = _zero_cost_engine_for
if os.environ.get(STORE_ENV) == "memory":
    _tasks._store_and_records = _store_and_records_chunks_in_memory
if os.environ.get(TRACE_ENV):
    TaskTrace(Path(os.environ[TRACE_ENV]))
__all__ = ["ZeroCostEngine", "app"]


# -- the benchmark -------------------------------------------------------------------------


def summarise_trace(path: Path) -> list[list[str]]:
    """Medians per synth task: each call category, the rest of the task, and the gap to the next."""
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    synth = [line for line in lines if line["task"] == "narration.synth"]
    if not synth:
        return []
    labels = sorted({label for line in synth for label in line["calls"]})
    rows = []
    for label in labels:
        rows.append(
            [label, f"{statistics.median(t['calls'].get(label, 0.0) for t in synth) * 1e3:.2f}"]
        )
    rest = [t["end"] - t["start"] - sum(t["calls"].values()) for t in synth]
    rows.append(
        [
            "rest of the task (Celery result write, chain publish, Python)",
            f"{statistics.median(rest) * 1e3:.2f}",
        ]
    )
    body = [t["end"] - t["start"] for t in synth]
    rows.append(["**task total (prerun → postrun)**", f"{statistics.median(body) * 1e3:.2f}"])
    ordered = sorted(lines, key=lambda t: t["start"])
    gaps = [
        b["start"] - a["end"]
        for a, b in itertools.pairwise(ordered)
        if a["task"] == b["task"] == "narration.synth" and 0 <= b["start"] - a["end"] < 1.0
    ]
    if gaps:
        rows.append(
            [
                "between tasks (ack, next delivery from the broker)",
                f"{statistics.median(gaps) * 1e3:.2f}",
            ]
        )
    return rows


def breakdown(settings: Settings, repeats: int = 50) -> list[list[str]]:
    """Median latency of each single call a chunk task makes, measured from this process."""
    from narration.pipeline import audio
    from narration.workers.app import configure

    services = configure(settings)
    store, records = services.store(), services.records()
    job = "bench-breakdown"
    records.create(job, {"chunks_total": 0})
    wav = audio.to_wav_bytes(np.zeros(int(22050 * 14.0), dtype=np.float32), 22050)
    meta = json.dumps({"words": [{"text": "word", "start": i, "end": i + 4} for i in range(45)]})
    calls = {
        "Redis HGET (is_cancelled)": lambda i: records.is_cancelled(job),
        "Redis HGETALL (records.get)": lambda i: records.get(job),
        "Redis chunk_done (SADD + 3-op pipeline + XADD)": lambda i: records.chunk_done(
            job, str(i), 1.0
        ),
        "S3 HEAD (exists)": lambda i: store.exists(f"bench/breakdown/{i}.json"),
        f"S3 PUT chunk WAV ({len(wav) // 1024} KiB, 14 s)": lambda i: store.put_bytes(
            f"bench/breakdown/{i}.wav", wav, "audio/wav"
        ),
        f"S3 PUT chunk JSON ({len(meta) // 1024 + 1} KiB)": lambda i: store.put_bytes(
            f"bench/breakdown/{i}.json", meta.encode(), "application/json"
        ),
        "S3 GET chunk WAV": lambda i: store.get_bytes(f"bench/breakdown/{i}.wav"),
        "WAV encode (14 s)": lambda i: audio.to_wav_bytes(
            np.zeros(int(22050 * 14.0), dtype=np.float32), 22050
        ),
    }
    rows = []
    for name, call in calls.items():
        call(0)
        times = []
        for i in range(repeats):
            started = time.perf_counter()
            call(i)
            times.append(time.perf_counter() - started)
        rows.append([name, f"{statistics.median(times) * 1000:.2f}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    from common import (
        BenchStack,
        bench_text,
        load_history,
        load_note,
        markdown_table,
        median,
        run_job,
        warm_up,
        write_section,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chars", type=int, default=None, help="use only the first N characters")
    parser.add_argument("--audio", choices=("real", "tiny"), default="real")
    parser.add_argument(
        "--chunk-store",
        choices=("s3", "memory"),
        default="s3",
        help="memory: keep chunk objects in the worker (ablation: overhead without S3)",
    )
    parser.add_argument("--breakdown", action="store_true", help="time single calls too")
    parser.add_argument("--write", type=Path, help="also write the result into this markdown file")
    args = parser.parse_args(argv)

    text = bench_text(args.chars)
    print(f"# text: {len(text):,} characters; {load_note()}", file=sys.stderr)
    loads = [load_note()]
    gaps_ms, per_chunk_ms, stitch_s, walls = [], [], [], []
    rows_breakdown: list[list[str]] = []
    with BenchStack.running() as bs:
        trace = bs.home / "task-trace.jsonl"
        bs.start_workers(
            1,
            app="bench.overhead",
            env={AUDIO_ENV: args.audio, STORE_ENV: args.chunk_store, TRACE_ENV: str(trace)},
        )
        settings = bs.settings()
        warm_up(settings, 1)
        chunks = segments = 0
        for run in range(args.runs):
            job = run_job(settings, text)
            chunks, segments = job.chunks, job.segments
            times = [job.chunk_s[seq] for seq in sorted(job.chunk_s, key=job.chunk_s.__getitem__)]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            gaps_ms.append(statistics.median(gaps) * 1000)
            per_chunk_ms.append((job.done_s - job.stitch_s) / job.chunks * 1000)
            stitch_s.append(job.stitch_s)
            walls.append(job.done_s)
            print(
                f"run {run + 1}: {job.chunks} chunks, wall {job.done_s:.2f} s, stitch "
                f"{job.stitch_s:.2f} s, median gap {gaps_ms[-1]:.1f} ms, p90 gap "
                f"{sorted(gaps)[int(len(gaps) * 0.9)] * 1000:.1f} ms, "
                f"(wall − stitch)/chunks {per_chunk_ms[-1]:.1f} ms",
                file=sys.stderr,
            )
            loads.append(load_note())
            if run == 0:
                trace.unlink(missing_ok=True)  # keep the last runs: warm-up and run 1 pay imports
        rows_trace = summarise_trace(trace)
        if args.breakdown:
            rows_breakdown = breakdown(settings)

    table = markdown_table(
        ["measure (1 worker, zero-cost engine)", "median of runs", "runs"],
        [
            [
                "per chunk: gap between chunk completions, ms",
                f"{median(gaps_ms):.1f}",
                " / ".join(f"{v:.1f}" for v in gaps_ms),
            ],
            [
                "per chunk: (wall − stitch) / chunks, ms",
                f"{median(per_chunk_ms):.1f}",
                " / ".join(f"{v:.1f}" for v in per_chunk_ms),
            ],
            ["job wall, s", f"{median(walls):.2f}", " / ".join(f"{v:.2f}" for v in walls)],
            ["stitch, s", f"{median(stitch_s):.2f}", " / ".join(f"{v:.2f}" for v in stitch_s)],
        ],
    )
    lines = [
        f"Text: {len(text):,} characters, {chunks} chunks in {segments} segments; fake audio: "
        f"{args.audio}; chunk objects in {args.chunk_store}; {args.runs} run(s).",
        "",
        table,
    ]
    lines += [
        "",
        "Inside the worker, per synth task (medians over the traced runs; prerun → postrun):",
        "",
        markdown_table(["part of a chunk task", "ms"], rows_trace),
    ]
    if rows_breakdown:
        lines += [
            "",
            "Single calls from the bench process (median of 50):",
            "",
            markdown_table(["call", "ms"], rows_breakdown),
        ]
    lines += [
        "",
        "Load average (1/5/15 min) at start and after each run: " + load_history(loads) + ".",
        f"Machine: {loads[0]}.",
        f"Rerun: `python bench/overhead.py --runs {args.runs} --audio {args.audio}"
        + (f" --chars {args.chars}" if args.chars else "")
        + (f" --chunk-store {args.chunk_store}" if args.chunk_store != "s3" else "")
        + (" --breakdown" if args.breakdown else "")
        + "`",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(
            args.write,
            f"overhead-{args.audio}-{args.chunk_store}",
            f"## Overhead per chunk\n\n{report}",
        )
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
