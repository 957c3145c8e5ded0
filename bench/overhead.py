"""Orchestration overhead per chunk: dispatch, state, storage writes — with a zero-cost engine.

`python bench/overhead.py` starts a private local stack with ONE worker running
`bench.zero_cost_worker`: the production worker (tasks, `workers.steps`, chunk store, job
records, S3, Celery) with a `WorkerContext` whose engine costs nothing. It submits the bench text
and reports per chunk
(a) the median gap between consecutive chunk completions on the job's event stream (each gap is
one whole chunk task: broker delivery, cancel check, done-set check, plan/record reads, render's
trim/level/fade/WAV, two S3 PUTs, the records update, the result write, the chain's next
message), and
(b) (job wall time − stitch time) / chunks, which also carries submit and the first task's
plan fetch.

Every run submits the same text, so each starts from an empty chunk cache, as a first
narration does: with chunk objects in S3 the bench deletes the bucket's `chunk-cache/` before
the run (untimed); with `--chunk-store memory` the cache is in the worker's memory, out of the
bench's reach, so each run gets its own seed, which changes every chunk's key (the cache is
then never hit, but grows by one run's chunks per run). Otherwise runs after the first would
measure cache hits.

`--audio real` (default) makes the fake engine return a tone as long as Piper would speak the
text (18.4 characters a second, the voice's measured rate), so WAV sizes, S3 PUT sizes and the
render's PCM work match a real job; `--audio tiny` returns 20 ms, the floor. `--chunk-store
memory` keeps the chunk objects (job metadata and the chunk cache) in the worker's memory (an
ablation: what is left without the chunk's PUTs). `--breakdown` also times the single storage
and broker calls a chunk task makes, from this process. `--quick` is a smoke test: 2,000
characters, one run.

    python bench/overhead.py                 # 3 runs, the whole bench text, realistic audio
    python bench/overhead.py --audio tiny --runs 5 --chars 8000 --breakdown
    python bench/overhead.py --chunk-store memory
    python bench/overhead.py --quick
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Final

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    JOB_SEED,
    BenchStack,
    bench_text,
    empty_cache,
    load_history,
    load_note,
    markdown_table,
    median,
    run_job,
    warm_up,
    write_section,
)
from zero_cost_worker import AUDIO_ENV, MODULE, STORE_ENV, TRACE_ENV

from narration.pipeline import audio
from narration.settings import Settings
from narration.workers.app import configure

QUICK_CHARS: Final = 2000

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
    parser.add_argument("--audio", choices=("real", "tiny"), default="real")
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
    gaps_ms, per_chunk_ms, stitch_s, walls = [], [], [], []
    rows_breakdown: list[list[str]] = []
    with BenchStack.running() as bs:
        trace = bs.settings.home / "task-trace.jsonl"
        bs.start_workers(
            1,
            module=MODULE,
            env={AUDIO_ENV: args.audio, STORE_ENV: args.chunk_store, TRACE_ENV: str(trace)},
        )
        settings = bs.settings
        memory = args.chunk_store == "memory"
        warm_up(settings, 1)
        chunks = segments = 0
        for run in range(args.runs):
            empty_cache(settings)
            job = run_job(settings, text, seed=JOB_SEED + run if memory else JOB_SEED)
            chunks, segments = job.chunks, job.segments
            times = [job.chunk_s[seq] for seq in sorted(job.chunk_s, key=job.chunk_s.__getitem__)]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            gaps_ms.append(statistics.median(gaps) * 1000)
            per_chunk_ms.append((job.done_s - job.stitch_s) / job.chunks * 1000)
            stitch_s.append(job.stitch_s)
            walls.append(job.done_s)
            print(
                f"run {run + 1}: {job.chunks} chunks ({job.record.get('chunks_reused')} "
                f"from the cache), wall {job.done_s:.2f} s, stitch "
                f"{job.stitch_s:.2f} s, median gap {gaps_ms[-1]:.1f} ms, p90 gap "
                f"{sorted(gaps)[int(len(gaps) * 0.9)] * 1000:.1f} ms, "
                f"(wall − stitch)/chunks {per_chunk_ms[-1]:.1f} ms",
                file=sys.stderr,
            )
            loads.append(load_note())
            if run == 0 and args.runs > 1:
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
        f"{args.audio}; chunk objects in {args.chunk_store}; {args.runs} run(s), "
        + ("each with its own seed" if memory else "each from an empty chunk cache")
        + " (no cache hits).",
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
