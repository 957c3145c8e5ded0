"""What a user waits for: `narrate submit FILE --wait` on a warm stack against raw synthesis.

For each text, rounds of `raw, one worker, raw, two workers, raw` (issue 33): raw is
single-process Piper as a user runs it (piper-tts's defaults, onnxruntime picks its threads,
`PiperVoice.load` before the clock, `synthesize_wav` to a WAV file); a pipeline run is
`narrate submit FILE --wait --seed S` from its start to its exit, the job succeeded and its
MP3 in storage, on a stack whose workers were started and warmed (one short job per process)
before the clock; S is new every run, so no chunk comes from the cache. "One worker" and "two
workers" are what `narrate up --workers 1` and `--workers 2` start on this machine
(`stack.processes_per_worker`). Printed: medians, each pipeline's median ÷ raw's median, where
the pipeline's time went (stages from the job's event stream, bench/cli_jobs.py) and the CPU
seconds of each process.

`--kokoro` adds the same for af_heart on the article: raw is our Kokoro onnx engine alone in
this process (onnxruntime's default threads), synthesising the job's chunks one after another;
the layouts are one process × 2 engine threads against two processes × 1 thread.

The texts are none of ours (`TEXTS`, from Debian's /usr/share/common-licenses), each cut at a
paragraph end: a 1,500-character page (GPL-2's opening), a 9,000-character article (Apache-2.0)
and a 34,500-character essay (GPL-3).

    python bench/user_wait.py --texts page --runs 1          # does it work? (minutes)
    python bench/user_wait.py --runs 3 --kokoro              # the issue's figures (hours)
    python bench/user_wait.py --runs 3 --write docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack, clean_environ
from cli_jobs import STAGES, CliJob, submit_wait
from report import load_history, load_note, markdown_table, median, print_section
from throughput import RawPiper, Variant, stack_variant

from narration.settings import ENV_PREFIX

COMMON_LICENSES: Final = Path("/usr/share/common-licenses")
TEXTS: Final = {
    "page": ("GPL-2", 1_500),
    "article": ("Apache-2.0", 9_000),
    "essay": ("GPL-3", 34_500),
}
"""Name → (file in /usr/share/common-licenses, characters at most)."""
KOKORO_VOICE: Final = "af_heart"
KOKORO_LAYOUTS: Final = ("workers=1,concurrency=1,threads=2", "workers=1,concurrency=2,threads=1")


def text_of(name: str) -> str:
    """The named text, cut at the last paragraph end (else sentence end) within its length."""
    source, chars = TEXTS[name]
    text = (COMMON_LICENSES / source).read_text(encoding="utf-8").strip()
    cut = text.rfind("\n\n", 0, chars)
    if cut < chars // 2:
        cut = text.rfind(". ", 0, chars) + 1
    return text[:cut].strip() + "\n"


class RawKokoro:
    """Our Kokoro onnx engine alone, onnxruntime's default threads, voice loaded before the
    clock: the chunks the pipeline would make of a text, synthesised one after another."""

    def __init__(self, text: str) -> None:
        from narration.engines.kokoro.engine import KokoroEngine
        from narration.engines.voices import find_voice
        from narration.pipeline.ingest import load_document
        from narration.pipeline.plan import JobOptions, make_plan
        from narration.pipeline.speech_text import speakable

        self.engine = KokoroEngine.load(find_voice(KOKORO_VOICE))
        plan = make_plan(
            "raw", load_document(text.encode(), "raw.txt"), JobOptions(KOKORO_VOICE), 10
        )
        self.texts = [speakable(chunk.text) for chunk in plan.chunks]

    def run(self) -> float:
        """Seconds to synthesise every chunk."""
        import time

        from narration.pipeline.engine import SynthesisParams

        started = time.perf_counter()
        for text in self.texts:
            self.engine.synthesize(text, SynthesisParams())
        return time.perf_counter() - started


@dataclass
class Series:
    """The runs of one contestant on one text."""

    name: str
    walls: list[float] = field(default_factory=list)
    jobs: list[CliJob] = field(default_factory=list)


@dataclass
class Pipeline:
    """Workers of one layout on the bench stack, warmed for `voice`."""

    stack: BenchStack
    env: dict[str, str]
    tmp: Path
    voice: str = ""
    current: str = ""

    def extra(self) -> list[str]:
        return ["--voice", self.voice] if self.voice else []

    def use(self, spec: str) -> None:
        """Run the workers of `spec` (a `throughput.Variant`), warmed: one short job with one
        chapter per process, a fresh seed."""
        if spec == self.current:
            return
        variant = Variant.parse(spec)
        self.stack.stop_workers()
        self.stack.start_workers(
            variant.workers, concurrency=variant.concurrency, overrides=variant.worker_overrides()
        )
        warm = self.tmp / "warm.txt"
        warm.write_text(
            "\n\n".join(
                f"Chapter {n + 1}\n\nThe kettle was warm and the lamps were lit."
                for n in range(variant.processes)
            )
            + "\n"
        )
        self.run(warm)
        self.current = spec

    def run(self, document: Path) -> CliJob:
        seed = random.SystemRandom().randrange(1, 2**31)
        pids = [worker.pid for worker in self.stack.workers]
        return submit_wait(self.stack.settings, self.env, document, seed, pids, self.extra())


def rounds(
    runs: int,
    raw: Callable[[], float],
    raws: Series,
    pipeline: Pipeline,
    document: Path,
    layouts: Sequence[tuple[str, Series]],
    loads: list[str],
) -> None:
    """`runs` rounds of raw, layout 1, raw, layout 2, …, raw."""
    for run in range(runs):
        raws.walls.append(raw())
        for spec, series in layouts:
            pipeline.use(spec)
            job = pipeline.run(document)
            series.walls.append(job.wall_s)
            series.jobs.append(job)
            raws.walls.append(raw())
            print(
                f"round {run + 1}: {series.name} {job.wall_s:.2f} s, raw {raws.walls[-1]:.2f} s",
                file=sys.stderr,
            )
        loads.append(load_note())


def report(title: str, chars: int, raws: Series, layouts: Sequence[Series]) -> str:
    """Medians, ratios against raw, stages and CPU per process, as markdown."""
    rows = [
        [raws.name, f"{median(raws.walls):.2f}", " / ".join(f"{w:.2f}" for w in raws.walls), "1.00"]
    ]
    for series in layouts:
        rows.append(
            [
                series.name,
                f"{median(series.walls):.2f}",
                " / ".join(f"{w:.2f}" for w in series.walls),
                f"{median(series.walls) / median(raws.walls):.2f}",
            ]
        )
    jobs = [series for series in layouts if series.jobs]
    names = sorted({name for series in jobs for job in series.jobs for name in job.cpu})
    lines = [
        f"### {title}: {chars:,} characters"
        + (
            f", {jobs[0].jobs[0].chunks} chunks, {jobs[0].jobs[0].audio_s:.0f} s of audio"
            if jobs
            else ""
        ),
        "",
        markdown_table(["", "wall s (median)", "runs", "÷ raw"], rows),
        "",
        "Where the pipeline's time went (medians, s):",
        "",
        markdown_table(
            ["", *STAGES],
            [
                [
                    series.name,
                    *(f"{median([j.stages[s] for j in series.jobs]):.2f}" for s in STAGES),
                ]
                for series in jobs
            ],
        ),
        "",
        "CPU seconds by process (medians):",
        "",
        markdown_table(
            ["", *names],
            [
                [
                    series.name,
                    *(f"{median([j.cpu.get(n, 0.0) for j in series.jobs]):.1f}" for n in names),
                ]
                for series in jobs
            ],
        ),
    ]
    return "\n".join(lines)


def bench(args: argparse.Namespace) -> str:
    loads = [load_note()]
    sections = []
    with tempfile.TemporaryDirectory(prefix="narration-wait-") as tmp, BenchStack.running() as bs:
        env = {**clean_environ(), f"{ENV_PREFIX}HOME": str(bs.settings.home)}
        pipeline = Pipeline(bs, env, Path(tmp))
        piper = RawPiper()
        for name in args.texts:
            text = text_of(name)
            document = Path(tmp) / f"{name}.txt"
            document.write_text(text)
            raws = Series("raw Piper, 1 process, default threads")
            layouts = [
                (stack_variant(1), Series("`narrate up --workers 1`")),
                (stack_variant(2), Series("`narrate up --workers 2`")),
            ]
            if args.sentences_one_by_one:
                layouts = [
                    (f"{spec},sentences=1", Series(f"{series.name}, sentences one by one"))
                    for spec, series in layouts
                ] + layouts

            def raw_piper(text: str = text) -> float:
                return piper.run(text, Path(tmp) / "raw.wav")[0]

            rounds(args.runs, raw_piper, raws, pipeline, document, layouts, loads)
            title = f"{name.capitalize()} ({TEXTS[name][0]}), en_US-joe-medium"
            sections.append(report(title, len(text), raws, [series for _, series in layouts]))
        if args.kokoro:
            text = text_of("article")
            document = Path(tmp) / "kokoro.txt"
            document.write_text(text)
            kokoro = RawKokoro(text)
            pipeline.voice = KOKORO_VOICE
            pipeline.current = ""
            raws = Series("raw Kokoro (our onnx engine), 1 process, default threads")
            layouts = [
                (KOKORO_LAYOUTS[0], Series("1 process × 2 threads")),
                (KOKORO_LAYOUTS[1], Series("2 processes × 1 thread")),
            ]
            rounds(args.runs, kokoro.run, raws, pipeline, document, layouts, loads)
            sections.append(
                report(f"Article, {KOKORO_VOICE}", len(text), raws, [s for _, s in layouts])
            )
    footer = (
        f"Rounds: {args.runs}, interleaved (raw, one layout, raw, the other, raw). Load average "
        f"(1/5/15 min) at start and after each round: {load_history(loads)}. Machine: {loads[0]}. "
        f"Rerun: `python bench/user_wait.py --runs {args.runs} --texts {' '.join(args.texts)}"
        + (" --kokoro" if args.kokoro else "")
        + (" --sentences-one-by-one`" if args.sentences_one_by_one else "`")
    )
    return "\n\n".join([*sections, footer])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds per text (medians shown)")
    parser.add_argument(
        "--texts", nargs="+", choices=list(TEXTS), default=list(TEXTS), help="which texts"
    )
    parser.add_argument("--kokoro", action="store_true", help=f"also {KOKORO_VOICE}'s layouts")
    parser.add_argument(
        "--sentences-one-by-one",
        action="store_true",
        help="also each Piper layout with engine_sentence_threads = 1 (as before it was added)",
    )
    parser.add_argument("--write", type=Path, help="also write the tables into this markdown file")
    args = parser.parse_args(argv)
    print_section(bench(args), args.write, "user-wait", "## What a user waits for")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
