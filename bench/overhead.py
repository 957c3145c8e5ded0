"""Orchestration overhead per chunk: dispatch, state, storage — with an engine that costs no CPU.

`python bench/overhead.py` starts a private local stack with ONE worker process running
`bench.zero_cost_worker`: the production worker (tasks, `production.steps`, the background chunk
commits, chunk store, job records, S3, Celery) with a `WorkerContext` whose engine returns
slices of one real Piper recording (made once, here) as long as Piper would speak each chunk,
after sleeping `--engine-ms` (300). It submits the bench text and reports per chunk, each less
the engine's time:
(a) the task path, the headline: from one synth task's start to the next one's, over synth
tasks the process ran back to back (broker delivery, cancel and done-set checks, the cache
index check, trim and level, the chain's next message, the ack; and any wait for a full
commit queue), from a trace the worker writes;
(b) the median gap between consecutive chunk completions on the job's event stream (a chunk
completes when the background writer has committed it);
(c) (job wall time − stitch time) / chunks, which also carries submit, the first task's plan
fetch and the part task of each segment, run by the same process.

Why a paced engine: the writer's commit of a chunk (peak taming, fades, loudness figures, WAV,
three PUTs, Redis: about 45-60 ms) runs beside the next chunk's synthesis; with an engine that
returns at once it would set the pace, which no real engine lets it do (zero_cost_worker.py).
Why WAV (`--format`, default wav): a segment's WAV part costs no encode, so part encoding in
the same process is not counted as orchestration; `--format mp3` shows it.

Every run submits the same text, so each starts from an empty chunk cache, as a first
narration does: with chunk objects in S3 the bench deletes the bucket's `chunk-cache/` and its
Redis index before the run (untimed); with `--chunk-store memory` the cache is in the worker's
memory, out of the bench's reach, so each run gets its own seed, which changes every chunk's
key. Otherwise runs after the first would measure cache hits.

`--audio tone` returns a tone instead of speech (the true-peak meter then works on almost
every sample: much slower than on speech), `--audio tiny` 20 ms. `--chunk-store memory` keeps
the chunk objects in the worker's memory (an ablation: what is left without the chunk's
PUTs). `--breakdown` also times the single storage and broker calls a chunk task makes, from
this process. `--quick` is a smoke test: 2,000 characters, one run.

    python bench/overhead.py --chars 12000   # 3 runs, about 2 min
    python bench/overhead.py                 # the whole bench text (157 chunks)
    python bench/overhead.py --engine-ms 100 --format mp3
    python bench/overhead.py --quick
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from essay import bench_text
from report import (
    load_history,
    load_note,
    markdown_table,
    median,
    print_section,
)
from task_trace import ENGINE_LABEL
from timed_jobs import JOB_SEED, empty_cache, run_job, warm_up
from zero_cost_worker import (
    AUDIO_ENV,
    ENGINE_MS_ENV,
    MODULE,
    SPEECH_ENV,
    SPEECH_TEXT_CHARS,
    STORE_ENV,
    TRACE_ENV,
    record_speech,
)

from narration.pipeline import audio
from narration.settings import Settings
from narration.workers.app import configure

QUICK_CHARS: Final = 2000
DEFAULT_ENGINE_MS: Final = 300.0
"""Shorter than any real Piper chunk (0.7-1.5 s of CPU each), long enough for the background
commit of one chunk (about 45 ms, more under load) to land before the next chunk's own work:
at 100 ms the two overlap in one process and contend for the GIL and the CPU, which a real
engine's chunk does not make them do. Every figure has it subtracted."""

# -- the benchmark -------------------------------------------------------------------------


@dataclass
class Trace:
    """What the worker wrote about one run: its synth tasks in order, and its commits."""

    tasks: list[dict[str, Any]]
    """Every task the pool process ran, in order (synth, part, stitch)."""
    commits: list[dict[str, Any]]

    @classmethod
    def read(cls, path: Path) -> Trace:
        if not path.exists():
            return cls([], [])
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        lines.sort(key=lambda t: t["start"])
        return cls(
            [t for t in lines if t["task"].startswith("narration.")],
            [t for t in lines if t["task"] == "commit"],
        )

    @property
    def synth(self) -> list[dict[str, Any]]:
        return [t for t in self.tasks if t["task"] == "narration.synth"]

    def synth_pairs(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Synth tasks that ran one straight after the other (no part task between)."""
        return [
            (a, b)
            for a, b in itertools.pairwise(self.tasks)
            if a["task"] == b["task"] == "narration.synth" and b["start"] - a["end"] < 1.0
        ]

    def per_chunk_s(self) -> list[float]:
        """Per chunk, from one synth task's start to the next one's, less the engine's time:
        what the process spends on a chunk besides synthesis, waits for its commits included
        (the task path; with one process every chunk of every chain goes through it)."""
        return [
            b["start"] - a["start"] - a["calls"].get(ENGINE_LABEL, 0.0)
            for a, b in self.synth_pairs()
        ]

    def engine_s(self) -> float:
        return statistics.median(t["calls"].get(ENGINE_LABEL, 0.0) for t in self.synth)

    def rows(self) -> list[list[str]]:
        """Medians per synth task: each call category, the rest of the task, the gap to the
        next, and the background commit."""
        if not self.synth:
            return []
        rows = []
        labels = sorted({label for line in self.synth for label in line["calls"]})
        for label in labels:
            seconds = statistics.median(t["calls"].get(label, 0.0) for t in self.synth)
            rows.append([label, f"{seconds * 1e3:.2f}"])
        rest = [t["end"] - t["start"] - sum(t["calls"].values()) for t in self.synth]
        rows.append(
            [
                "rest of the task (trim and level, the chain's next message, Python; "
                "waits for a full commit queue)",
                f"{statistics.median(rest) * 1e3:.2f}",
            ]
        )
        body = [t["end"] - t["start"] for t in self.synth]
        rows.append(["**task total (prerun → postrun)**", f"{statistics.median(body) * 1e3:.2f}"])
        gaps = [b["start"] - a["end"] for a, b in self.synth_pairs()]
        if gaps:
            rows.append(
                [
                    "between tasks (ack, next delivery from the broker)",
                    f"{statistics.median(gaps) * 1e3:.2f}",
                ]
            )
        if self.commits:
            commit = statistics.median(t["end"] - t["start"] for t in self.commits)
            rows.append(
                [
                    "background commit, writer thread (shaping, figures, WAV, 3 PUTs, Redis)",
                    f"{commit * 1e3:.2f}",
                ]
            )
        return rows


def breakdown(settings: Settings, repeats: int = 50) -> list[list[str]]:
    """Median latency of each single call a chunk task makes, measured from this process."""
    services = configure(settings)
    store, records = services.store(), services.records()
    job = "bench-breakdown"
    records.create(job, {"chunks_total": 0})
    wav = audio.to_wav_bytes(np.zeros(int(22050 * 14.0), dtype=np.float32), 22050)
    meta = json.dumps({"words": [{"text": "word", "start": i, "end": i + 4} for i in range(45)]})
    calls = {
        "Redis HGET (is_cancelled)": lambda i: records.is_cancelled(job),
        "Redis HGETALL (records.get)": lambda i: records.get(job),
        "Redis SISMEMBER (is_chunk_done)": lambda i: records.is_chunk_done(job, str(i)),
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chars", type=int, default=None, help="use only the first N characters")
    parser.add_argument("--audio", choices=("real", "tone", "tiny"), default="real")
    parser.add_argument(
        "--format",
        default="wav",
        help="the job's format: wav (default) has parts that cost no encode; mp3 adds the "
        "encode of each segment's part to the same worker",
    )
    parser.add_argument(
        "--engine-ms",
        type=float,
        default=DEFAULT_ENGINE_MS,
        help="the fake engine's time per chunk, spent asleep (subtracted from every figure)",
    )
    parser.add_argument(
        "--chunk-store",
        choices=("s3", "memory"),
        default="s3",
        help="memory: keep chunk objects in the worker (ablation: overhead without S3)",
    )
    parser.add_argument("--breakdown", action="store_true", help="time single calls too")
    parser.add_argument("--write", type=Path, help="also write the result into this markdown file")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke test: {QUICK_CHARS:,} characters, one run"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.chars, args.runs = min(args.chars or QUICK_CHARS, QUICK_CHARS), 1

    text = bench_text(args.chars)
    print(f"# text: {len(text):,} characters; {load_note()}", file=sys.stderr)
    loads = [load_note()]
    task_ms, gaps_ms, per_chunk_ms, stitch_s, walls = [], [], [], [], []
    rows_trace: list[list[str]] = []
    rows_breakdown: list[list[str]] = []
    with BenchStack.running() as bs:
        trace_path = bs.settings.home / "task-trace.jsonl"
        env = {
            AUDIO_ENV: args.audio,
            ENGINE_MS_ENV: str(args.engine_ms),
            STORE_ENV: args.chunk_store,
            TRACE_ENV: str(trace_path),
        }
        if args.audio == "real":
            speech = bs.settings.home / "speech.npy"
            record_speech(
                speech, bench_text(SPEECH_TEXT_CHARS), bs.settings.voice, bs.settings.voice_dirs
            )
            env[SPEECH_ENV] = str(speech)
        bs.start_workers(1, module=MODULE, env=env)
        settings = bs.settings
        memory = args.chunk_store == "memory"
        warm_up(settings, 1)
        chunks = segments = 0
        for run in range(args.runs):
            empty_cache(settings)
            trace_path.unlink(missing_ok=True)
            seed = JOB_SEED + run if memory else JOB_SEED
            job = run_job(settings, text, seed=seed, fmt=args.format)
            chunks, segments = job.chunks, job.segments
            trace = Trace.read(trace_path)
            engine_s = trace.engine_s() if trace.synth else args.engine_ms / 1000
            times = [job.chunk_s[seq] for seq in sorted(job.chunk_s, key=job.chunk_s.__getitem__)]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            task_ms.append(statistics.median(trace.per_chunk_s()) * 1000)
            gaps_ms.append((statistics.median(gaps) - engine_s) * 1000)
            per_chunk_ms.append(((job.done_s - job.stitch_s) / job.chunks - engine_s) * 1000)
            stitch_s.append(job.stitch_s)
            walls.append(job.done_s)
            rows_trace = trace.rows()
            print(
                f"run {run + 1}: {job.chunks} chunks ({job.record.get('chunks_reused')} "
                f"from the cache), wall {job.done_s:.2f} s, stitch {job.stitch_s:.2f} s, "
                f"engine {engine_s * 1000:.1f} ms/chunk; besides it: task path "
                f"{task_ms[-1]:.1f} ms, completion gap {gaps_ms[-1]:.1f} ms, "
                f"(wall − stitch)/chunks {per_chunk_ms[-1]:.1f} ms",
                file=sys.stderr,
            )
            loads.append(load_note())
        if args.breakdown:
            rows_breakdown = breakdown(settings)

    def row(name: str, values: list[float], digits: int = 1) -> list[str]:
        shown = " / ".join(f"{v:.{digits}f}" for v in values)
        return [name, f"{median(values):.{digits}f}", shown]

    table = markdown_table(
        [
            "measure (1 worker process, zero-cost engine; ms per chunk less the engine's)",
            "median of runs",
            "runs",
        ],
        [
            row("**task path: one synth task's start to the next one's, ms**", task_ms),
            row("gap between chunk completions (job's event stream), ms", gaps_ms),
            row("(wall − stitch) / chunks, ms", per_chunk_ms),
            row("job wall, s", walls, 2),
            row("stitch, s", stitch_s, 2),
        ],
    )
    lines = [
        f"Text: {len(text):,} characters, {chunks} chunks in {segments} segments, format "
        f"{args.format}; fake audio: {args.audio}, engine time {args.engine_ms:g} ms asleep; "
        f"chunk objects in {args.chunk_store}; {args.runs} run(s), "
        + ("each with its own seed" if memory else "each from an empty chunk cache")
        + " (no cache hits).",
        "",
        table,
        "",
        "Inside the worker, per synth task (medians over the last run; prerun → postrun):",
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
        f"Rerun: `python bench/overhead.py --runs {args.runs} --audio {args.audio} "
        f"--format {args.format} --engine-ms {args.engine_ms:g}"
        + (f" --chars {args.chars}" if args.chars else "")
        + (f" --chunk-store {args.chunk_store}" if args.chunk_store != "s3" else "")
        + (" --breakdown" if args.breakdown else "")
        + "`",
    ]
    report = "\n".join(lines)
    section = f"overhead-{args.audio}-{args.chunk_store}"
    print_section(report, args.write, section, "## Overhead per chunk")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
