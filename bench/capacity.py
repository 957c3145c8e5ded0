"""How many workers of which kind a catalogue needs by a deadline, from measured throughput.

    python bench/capacity.py --hours 500 --deadline 24h --voice af_heart
    python bench/capacity.py --measure --save            # measure this machine, keep the figures
    python bench/capacity.py --hours 500 --deadline 3d --gpu-x 1200   # a GPU figure you measured
    python bench/capacity.py --check                     # prediction vs a real 2-worker job

A worker's throughput is audio seconds per wall second (× real time) of the engine alone, one
onnxruntime thread, one process, on a fixed held-out paragraph (`--measure`), or the figures a
previous `--measure --save` stored in bench/data/capacity.json. The pipeline costs more than raw
synthesis (dispatch, storage, stitch): `PIPELINE_OVERHEAD` is the measured ratio of pipeline to
raw synthesis wall time (docs/BENCHMARKS.md, "Throughput"). With A seconds of audio by a
deadline of D seconds and a per-worker rate of R× real time:

    workers = ceil(A × PIPELINE_OVERHEAD / (R × D)),  machines = ceil(workers / per machine)

CPU workers are one single-threaded process per core (docs/SCALING.md), GPU workers one per GPU.
No GPU was measured here: the GPU row is "unmeasured" unless `--gpu-x` gives bench/gpu.py's
figure. The table carries no prices: machines × hours is what any price list multiplies.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import load_note, markdown_table

DATA: Final = Path(__file__).resolve().parent / "data"
FIGURES: Final = DATA / "capacity.json"
PIPELINE_OVERHEAD: Final = 1.03
"""docs/BENCHMARKS.md "Throughput": (c) the pipeline with two single-threaded workers took 1.03×
the wall time of raw Piper on the same text (41.7 s against 40.5 s, 11,810 characters)."""
PIPER_VOICE: Final = "en_US-joe-medium"
KOKORO_VOICE: Final = "af_heart"
CHECK_CHARS: Final = 3000
JOB_FIXED_S: Final = 1.5
"""docs/BENCHMARKS.md "Throughput", (c): a job's cost besides its chunks' share, paid once: the
submit call (0.12 s), first audio 0.45 s later than synthesising chunk 0 alone, and 0.95 s from the
last chunk to the output stored."""
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DEADLINE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")

HELD_OUT: Final = (
    "The surveyors reached the pass a little after noon, when the wind had dropped and the snow "
    "on the ridge had turned from white to a tired grey. They ate standing up, because nobody "
    "wanted to sit on the wet stones, and they talked about the road that might one day run "
    "along the valley below. The eldest of them thought it would take twenty years; the "
    "youngest said ten, and was laughed at, and did not mind. In the afternoon they measured "
    "the slope twice, once with the old chain and once with the new instrument that had come "
    "by post in a wooden box, and the two answers differed by less than the width of a hand. "
    "That evening, by the stove in the shepherd's hut, they wrote the numbers into the book in "
    "ink, and then, because the book was the only dry thing they had, they read it aloud to "
    "each other until the lamp went out."
)
"""A paragraph of original prose that no other benchmark and no test uses: the engine cannot
have been tuned on it."""


@dataclass(frozen=True)
class Rate:
    """One kind of worker's raw synthesis throughput for one voice."""

    kind: str
    voice: str
    x_real_time: float
    """Audio seconds per wall second of one worker; NaN when unmeasured."""
    chars_per_audio_s: float = float("nan")
    source: str = ""
    per_machine: int = 1


def parse_deadline(text: str) -> float:
    """Seconds in a deadline like `24h`, `3d`, `90m`, `45s` or `1.5d`."""
    match = _DEADLINE.match(text)
    if match is None:
        raise ValueError(f"deadline {text!r}: a number and a unit (s, m, h, d), e.g. 24h")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"deadline {text!r} must be longer than zero")
    return seconds


def ceil_count(value: float) -> int:
    """`value` rounded up to a whole count, ignoring float noise (3.0000000001 is 3)."""
    return max(0, math.ceil(round(value, 9)))


def workers_needed(
    audio_s: float, deadline_s: float, x_real_time: float, overhead: float = PIPELINE_OVERHEAD
) -> int:
    """Workers that, each at `x_real_time` raw and paying `overhead`, finish `audio_s` of audio
    within `deadline_s`."""
    if not x_real_time > 0 or deadline_s <= 0:
        raise ValueError("throughput and deadline must be positive")
    return ceil_count(audio_s * overhead / (x_real_time * deadline_s))


def machines_needed(workers: int, per_machine: int) -> int:
    return ceil_count(workers / max(1, per_machine))


def busiest_share(segments_s: Sequence[float], workers: int) -> float:
    """Audio seconds the busiest of `workers` does when each segment (a chain) stays on one
    worker and the longest go first to the least loaded (the dispatcher's longest-first)."""
    loads = [0.0] * max(1, workers)
    for segment in sorted(segments_s, reverse=True):
        loads[loads.index(min(loads))] += segment
    return max(loads)


def predicted_wall_s(
    segments_s: Sequence[float],
    x_real_time: float,
    workers: int,
    overhead: float = PIPELINE_OVERHEAD,
    fixed_s: float = JOB_FIXED_S,
) -> float:
    """One job's wall time on `workers` workers (docs/SCALING.md "The model"): the busiest
    worker's segments at the pipeline's rate, plus the fixed start and tail."""
    return busiest_share(segments_s, workers) * overhead / x_real_time + fixed_s


# -- figures ---------------------------------------------------------------------------------


def _synthesise(voice_name: str, rounds: int, barrier: Any, results: Any) -> None:
    """One worker: load the voice with one thread, warm up on one chunk, wait for the others,
    then speak `HELD_OUT` in the pipeline's chunks `rounds` times; puts (audio s, [walls])."""
    import checkout  # noqa: F401  (this checkout's narration)

    from narration.engines import registry
    from narration.engines.voices import find_voice
    from narration.pipeline.chunker import chunk_document
    from narration.pipeline.document import Chapter, Document
    from narration.pipeline.engine import SynthesisParams

    engine = registry.load("onnx", find_voice(voice_name), registry.EngineOptions(threads=1))
    document = Document("Held out", (Chapter("Held out", (HELD_OUT,), title_spoken=False),))
    texts = [chunk.text for chunk in chunk_document(document)]
    engine.synthesize(texts[0], SynthesisParams(seed=1))
    barrier.wait()
    walls, audio = [], 0.0
    for round_ in range(rounds):
        audio = 0.0
        started = time.perf_counter()
        for n, text in enumerate(texts):
            audio += engine.synthesize(text, SynthesisParams(seed=round_ * 100 + n)).duration_s
        walls.append(time.perf_counter() - started)
    results.put((audio, walls))


def measure(voice_name: str, workers: int, rounds: int = 2) -> Rate:
    """Per-worker × real time of the layout: `workers` processes at once, one thread each, as
    `narrate up` runs one per core; the median over rounds of the workers' mean rate."""
    from narration.engines.voices import is_kokoro

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(target=_synthesise, args=(voice_name, rounds, barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    done = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    audio = done[0][0]
    rates = [statistics.mean(audio / walls[r] for _, walls in done) for r in range(rounds)]
    kind = "CPU Kokoro" if is_kokoro(voice_name) else "CPU Piper"
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    note = f"measured {when}, {workers} workers at once on {os.cpu_count()} cores"
    return Rate(kind, voice_name, statistics.median(rates), len(HELD_OUT) / audio, note, workers)


def load_figures(path: Path = FIGURES) -> dict[str, Rate]:
    if not path.exists():
        return {}
    stored = json.loads(path.read_text(encoding="utf-8"))
    return {name: Rate(**fields) for name, fields in stored["rates"].items()}


def save_figures(rates: dict[str, Rate], path: Path = FIGURES) -> None:
    body = {"machine": load_note(), "rates": {name: asdict(r) for name, r in rates.items()}}
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def gpu_rate(voice: str, x_real_time: float | None, gpus: int) -> Rate:
    if x_real_time is None:
        return Rate(
            "GPU", voice, float("nan"), source="unmeasured (bench/gpu.py)", per_machine=gpus
        )
    return Rate("GPU", voice, x_real_time, source="given (--gpu-x)", per_machine=gpus)


# -- the answer ------------------------------------------------------------------------------


def table(rates: list[Rate], hours: float, deadline_s: float, overhead: float) -> str:
    audio_s = hours * 3600
    rows = []
    for rate in rates:
        if math.isnan(rate.x_real_time):
            rows.append([rate.kind, rate.voice, "unmeasured", "–", "–", "–", rate.source])
            continue
        workers = workers_needed(audio_s, deadline_s, rate.x_real_time, overhead)
        busy_h = audio_s * overhead / rate.x_real_time / 3600
        machines = machines_needed(workers, rate.per_machine)
        rows.append(
            [
                rate.kind,
                rate.voice,
                f"{rate.x_real_time:.1f}×",
                str(workers),
                f"{machines} at {rate.per_machine}/machine",
                f"{busy_h:,.0f}",
                rate.source,
            ]
        )
    header = [
        "kind",
        "voice",
        "per worker, × real time",
        "workers needed",
        "machines needed",
        "worker-hours",
        "figure",
    ]
    return markdown_table(header, rows)


def check(rate: Rate, workers: int = 2, overhead: float = PIPELINE_OVERHEAD) -> str:
    """Predict one ~3,000-character job's wall time on a `workers`-worker stack (single-thread
    workers, as `narrate up` runs them here), then run it once and compare."""
    import checkout  # noqa: F401
    from bench_stack import BenchStack
    from timed_jobs import empty_cache, run_job, warm_up

    from narration.pipeline.ingest import load_document
    from narration.pipeline.plan import JobOptions, make_plan

    text = ""
    for paragraph in (DATA / "essay.txt").read_text().split("\n\n"):
        if len(text) >= CHECK_CHARS:
            break
        text += paragraph.strip() + "\n\n"
    plan = make_plan("check", load_document(text.encode(), "check.txt"), JobOptions("x"), 10)
    per_char = 1 / rate.chars_per_audio_s
    segments_s = [sum(len(c.text) for c in segment) * per_char for segment in plan.segments]
    audio_s, longest_s = sum(segments_s), max(segments_s)
    wall = predicted_wall_s(segments_s, rate.x_real_time, workers, overhead)
    with BenchStack.running() as bench:
        bench.start_workers(workers, overrides={"ENGINE_THREADS": "1"})
        warm_up(bench.settings, workers)
        empty_cache(bench.settings)
        timing = run_job(bench.settings, text)
    predicted_x = audio_s / wall
    measured_x = timing.audio_seconds / timing.done_s
    rows = [
        ["audio s", f"{audio_s:.1f}", f"{timing.audio_seconds:.1f}", ""],
        ["wall s", f"{wall:.1f}", f"{timing.done_s:.1f}", f"{timing.done_s / wall - 1:+.0%}"],
        ["× real time", f"{predicted_x:.1f}×", f"{measured_x:.1f}×", ""],
    ]
    return (
        f"{len(text):,} characters (bench/data/essay.txt), {len(plan.segments)} segments "
        f"(longest {longest_s:.0f} s of audio), "
        f"{len(plan.chunks)} chunks, {workers} workers × 1 thread, {rate.voice} at "
        f"{rate.x_real_time:.1f}× per worker, overhead {overhead}\n\n"
        + markdown_table(["", "predicted", "measured", "error"], rows)
        + f"\n\nMachine: {load_note()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=500.0, help="hours of finished audio")
    parser.add_argument("--deadline", default="24h", help="e.g. 24h, 3d, 90m")
    parser.add_argument("--voice", default=KOKORO_VOICE)
    parser.add_argument("--measure", action="store_true", help="measure the CPU rows here")
    parser.add_argument("--save", action="store_true", help=f"store them in {FIGURES.name}")
    parser.add_argument("--gpu-x", type=float, help="a GPU worker's × real time (bench/gpu.py)")
    parser.add_argument("--gpus", type=int, default=1, help="GPUs per GPU machine")
    parser.add_argument("--cores", type=int, help="CPU workers per machine (default: cores here)")
    parser.add_argument("--overhead", type=float, default=PIPELINE_OVERHEAD)
    parser.add_argument("--check", action="store_true", help="predict and run a 2-worker job")
    args = parser.parse_args(argv)
    try:
        deadline_s = parse_deadline(args.deadline)
    except ValueError as error:
        parser.error(str(error))

    figures = load_figures()
    if args.measure:
        workers = args.cores or os.cpu_count() or 1
        for name in dict.fromkeys([PIPER_VOICE, args.voice]):
            figures[name] = measure(name, workers)
        if args.save:
            save_figures(figures)
    rates = [
        figures[name]
        for name in dict.fromkeys([PIPER_VOICE, KOKORO_VOICE, args.voice])
        if name in figures
    ]
    if args.cores:
        rates = [Rate(**{**asdict(r), "per_machine": args.cores}) for r in rates]
    if args.voice not in figures:
        rates.append(Rate("CPU", args.voice, float("nan"), source="unmeasured (--measure)"))
    rates.append(gpu_rate(args.voice, args.gpu_x, args.gpus))
    print(
        f"{args.hours:,g} hours of audio by {args.deadline} ({deadline_s / 3600:,.1f} h), "
        f"pipeline overhead {args.overhead}× raw synthesis; the catalogue's voice: {args.voice}\n"
    )
    print(table(rates, args.hours, deadline_s, args.overhead))
    if args.check:
        if PIPER_VOICE not in figures:
            parser.error("--check needs the Piper figure: add --measure")
        print("\n" + check(figures[PIPER_VOICE], overhead=args.overhead))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
