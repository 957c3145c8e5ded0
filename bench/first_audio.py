"""Where a job's first audio goes: submit → chunk 0 stored, step by step, with the real voice.

`python bench/first_audio.py` starts a private stack with one worker shaped as `narrate up`
runs it (one engine process per core, one engine thread each), running
`bench.zero_cost_worker` with `BENCH_FAKE_AUDIO=model`: the production worker and its real
Piper engine, traced (when each task's message arrived, when it ran, what it called, when the
engine started and ended, when its background commit ran). This process submits the bench
text's first `--chars` characters (as `narrate submit` does, through `production.dispatch`),
notes when it published chunk 0's message (Celery's `after_task_publish`) and when chunk 0's
event arrived on the job's stream, and lines the two processes' wall clocks up into one
timeline. Each run has its own seed, so chunk 0 is synthesised, never taken from the cache.

The reference is chunk 0 synthesised alone in a warm engine in this process, twice: with one
intra-op thread (what each worker process runs) and with onnxruntime's default (one per core,
what bench/throughput.py compares with). The ratio the issue sets (first audio ≤ 1.5× warm
synthesis) is given against both.

    python bench/first_audio.py                # 3 runs, 4,000 characters (two segments)
    python bench/first_audio.py --runs 5 --chars 12000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from essay import bench_text
from report import load_history, load_note, markdown_table
from task_trace import ENGINE_LABEL
from timed_jobs import JOB_SEED, run_job, warm_up
from zero_cost_worker import AUDIO_ENV, MODEL_AUDIO, MODULE, TRACE_ENV

from narration import stack

DEFAULT_CHARS: Final = 4000


class Published:
    """When this process published each synth message (Celery's `after_task_publish`)."""

    def __init__(self) -> None:
        from celery.signals import after_task_publish

        self.at: dict[str, float] = {}
        after_task_publish.connect(self._published, weak=False)

    def _published(self, sender: str = "", headers: Any = None, **_: Any) -> None:
        if sender == "narration.synth" and headers:
            self.at[headers["id"]] = time.time()


def reference(text: str, threads: int | None, repeats: int = 3) -> float:
    """Median seconds to synthesise chunk 0 of `text` in a warm engine with `threads`."""
    from narration.engines.piper import PiperEngine
    from narration.engines.voices import default_voice
    from narration.pipeline.ingest import load_document
    from narration.pipeline.plan import JobOptions, make_plan
    from narration.pipeline.prosody import initial_state, params_for
    from narration.pipeline.render import seed_for

    chunk = make_plan("ref", load_document(text.encode(), "bench.txt"), JobOptions("x"), 10)
    engine = PiperEngine.load(default_voice(), threads)
    state = initial_state(engine.voice.name, JOB_SEED)
    params = params_for(state, seed_for(engine, chunk.chunks[0], state))
    spoken = engine.prepare_text(chunk.chunks[0].text)
    engine.synthesize(spoken, params)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        engine.synthesize(spoken, params)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def timeline(
    t0: float, submit_s: float, published: float, seq0_s: float, trace: list[dict[str, Any]]
) -> dict[str, float]:
    """Chunk 0's moments, in seconds after the submit call started."""
    task = next(t for t in trace if t["task"] == "narration.synth" and t["args"][-1] == 0)
    received = next(t["start"] for t in trace if t["task"] == "received" and t["id"] == task["id"])
    # The first commit its own process started after the task's: its writer runs in order.
    commits = [
        t
        for t in trace
        if t["task"] == "commit" and t["pid"] == task["pid"] and t["start"] >= task["start"]
    ]
    commit = commits[0] if commits else {"start": float("nan"), "end": float("nan")}
    marks = task["marks"]
    return {
        "chunk 0's message published": published - t0,
        "submit call returned": submit_s,
        "worker received the message": received - t0,
        "task started in a pool process": task["start"] - t0,
        "engine started": marks.get("engine start", float("nan")) - t0,
        "engine ended": marks.get("engine end", float("nan")) - t0,
        "task returned": task["end"] - t0,
        "commit started (writer thread)": commit["start"] - t0,
        "commit ended: audio stored, event sent": commit["end"] - t0,
        "event read here (first audio)": seq0_s,
        "engine seconds": task["calls"].get(ENGINE_LABEL, float("nan")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chars", type=int, default=DEFAULT_CHARS)
    args = parser.parse_args(argv)

    text = bench_text(args.chars)
    loads = [load_note()]
    print(f"# text: {len(text):,} characters; {loads[0]}", file=sys.stderr)
    one_thread = reference(text, 1)
    default_threads = reference(text, None)
    print(
        f"reference: 1 thread {one_thread:.2f} s, default {default_threads:.2f} s", file=sys.stderr
    )
    published = Published()
    runs: list[dict[str, float]] = []
    processes = stack.processes_per_worker(1)
    with BenchStack.running() as bs:
        trace_path = bs.settings.home / "task-trace.jsonl"
        bs.start_workers(
            1,
            concurrency=processes,
            overrides={"ENGINE_THREADS": "1"},
            env={AUDIO_ENV: MODEL_AUDIO, TRACE_ENV: str(trace_path)},
            module=MODULE,
        )
        warm_up(bs.settings, processes)
        for run in range(args.runs):
            trace_path.unlink(missing_ok=True)
            published.at.clear()
            seed = random.SystemRandom().randrange(JOB_SEED + 1, 2**31)
            job = run_job(bs.settings, text, seed=seed)
            trace = [json.loads(line) for line in trace_path.read_text().splitlines() if line]
            first_message = min(published.at.values())
            runs.append(timeline(job.started_at, job.submit_s, first_message, job.seq0_s, trace))
            loads.append(load_note())
            print(
                f"run {run + 1}: first audio {job.seq0_s:.2f} s, engine "
                f"{runs[-1]['engine seconds']:.2f} s",
                file=sys.stderr,
            )

    rows = []
    for name in runs[0]:
        values = [r[name] for r in runs]
        shown = " / ".join(f"{value:.3f}" for value in values)
        rows.append([name, f"{statistics.median(values):.3f}", shown])
    first = statistics.median(r["event read here (first audio)"] for r in runs)
    lines = [
        f"Text: {len(text):,} characters; 1 worker × {processes} engine processes, 1 engine "
        f"thread each; {args.runs} run(s), each with its own seed (chunk 0 synthesised).",
        "",
        markdown_table(
            ["moment of chunk 0 (s after the submit call started)", "median", "runs"], rows
        ),
        "",
        markdown_table(
            ["reference: chunk 0 alone in a warm engine here", "s", "first audio ÷ it"],
            [
                [
                    "1 intra-op thread (as each worker process)",
                    f"{one_thread:.2f}",
                    f"{first / one_thread:.2f}",
                ],
                [
                    "onnxruntime's default threads",
                    f"{default_threads:.2f}",
                    f"{first / default_threads:.2f}",
                ],
            ],
        ),
        "",
        "Load average (1/5/15 min) at start and after each run: " + load_history(loads) + ".",
        f"Machine: {loads[0]}.",
        f"Rerun: `python bench/first_audio.py --runs {args.runs} --chars {args.chars}`",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
