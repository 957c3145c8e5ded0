"""The chunk cache on an edited document: what a second narration re-synthesises, how long it takes.

`python bench/cache.py` starts a private local stack with the worker `narrate up` runs (one
worker, one single-threaded Piper process per core), loads the voice (a warm-up job), then,
`--runs` times:

1. empties the bucket's chunk cache (`chunk-cache/`, untimed), so the first run is a first
   narration;
2. narrates a 30,000-character document (`common.generate_text`) through the real pipeline:
   submit → MP3 stored, every chunk synthesised;
3. narrates it again with one sentence near the middle changed (a clause added, as a fix
   would), so every chunk whose key is unchanged comes from the cache.

It reports, as medians over the runs: chunks in each plan; chunks re-synthesised by the second
run (`chunks_total − chunks_reused` from its job record); the bound the issue sets, how many
chunks the edited plan's changed segments hold (segments whose chunks do not appear, unchanged
and in order, as a segment of the first plan; state chains only within a segment, so an
unchanged segment has unchanged keys); the wall time of each run (submit to output stored, as
bench/throughput.py times it) and the ratio second/first (median of each repetition's ratio).
Targets (issue 11): re-synthesised ≤ the chunks of two segments, second run ≤ 40 % of the first.

    python bench/cache.py                              # 30,000 characters, 3 runs
    python bench/cache.py --write docs/BENCHMARKS.md   # and put the table there
    python bench/cache.py --quick                      # smoke test: 4,000 characters, 1 run
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from essay import generate_text
from report import (
    load_history,
    load_note,
    markdown_table,
    median,
    print_section,
)
from timed_jobs import JobTiming, empty_cache, job_plan, run_job, warm_up

from narration import stack
from narration.pipeline.chunker import PARAGRAPH_SEPARATOR, split_sentences
from narration.pipeline.plan import Plan

DEFAULT_CHARS: Final = 30_000
QUICK_CHARS: Final = 4_000
EDIT: Final = ", or so the story goes."
"""Replaces the changed sentence's final full stop."""
MAX_SEGMENTS_CHANGED: Final = 2
MAX_WALL_RATIO: Final = 0.40


# -- the document and its edit -------------------------------------------------------------


def edit_middle(text: str) -> tuple[str, str]:
    """`text` with one sentence near its middle changed; (edited text, the changed sentence).

    The sentence is in the paragraph that holds the middle character, the one nearest the
    paragraph's middle that ends with a full stop; its full stop becomes `EDIT`.
    """
    paragraphs = text.split(PARAGRAPH_SEPARATOR)
    position, middle, number = 0, len(text) // 2, 0
    while position + len(paragraphs[number]) < middle:
        position += len(paragraphs[number]) + len(PARAGRAPH_SEPARATOR)
        number += 1
    sentences = split_sentences(paragraphs[number])
    order = sorted(range(len(sentences)), key=lambda i: abs(i - (len(sentences) - 1) / 2))
    pick = next(i for i in order if sentences[i].endswith("."))
    old = sentences[pick]
    sentences[pick] = old[:-1] + EDIT
    paragraphs[number] = " ".join(sentences)
    edited = PARAGRAPH_SEPARATOR.join(paragraphs)
    if edited == text or len(edited) != len(text) + len(EDIT) - 1:
        raise RuntimeError(f"the edit of {old!r} did not change exactly one sentence")
    return edited, old


def changed_segments(first: Plan, edited: Plan) -> list[int]:
    """Lengths of the edited plan's segments that are not, chunk for chunk, a first-plan one."""
    seen = {tuple((c.text, c.boundary_after) for c in segment) for segment in first.segments}
    return [
        len(segment)
        for segment in edited.segments
        if tuple((c.text, c.boundary_after) for c in segment) not in seen
    ]


# -- the benchmark -------------------------------------------------------------------------


@dataclass
class Repetition:
    first: JobTiming
    second: JobTiming
    changed: list[int]

    def synthesised(self, job: JobTiming) -> int:
        return job.chunks - int(job.record.get("chunks_reused") or 0)

    @property
    def resynthesised(self) -> int:
        return self.synthesised(self.second)

    @property
    def bound(self) -> int:
        return sum(self.changed)

    @property
    def ratio(self) -> float:
        return self.second.done_s / self.first.done_s


def bench(args: argparse.Namespace) -> str:
    text = generate_text(args.chars)
    edited, sentence = edit_middle(text)
    print(f"# text: {len(text):,} characters; {load_note()}", file=sys.stderr)
    print(f"# changed sentence at {text.index(sentence):,}: {sentence!r}", file=sys.stderr)
    loads = [load_note()]
    concurrency = stack.processes_per_worker(args.workers)
    repetitions: list[Repetition] = []
    with BenchStack.running() as bs:
        bs.start_workers(args.workers, concurrency=concurrency)
        warm_up(bs.settings, args.workers * concurrency)
        for run in range(args.runs):
            emptied = empty_cache(bs.settings)
            first = run_job(bs.settings, text, name="document.txt")
            second = run_job(bs.settings, edited, name="document.txt")
            changed = changed_segments(
                job_plan(bs.settings, first.job_id), job_plan(bs.settings, second.job_id)
            )
            rep = Repetition(first, second, changed)
            repetitions.append(rep)
            print(
                f"run {run + 1}: cache emptied ({emptied} objects); first {first.done_s:.1f} s, "
                f"{rep.synthesised(first)}/{first.chunks} chunks synthesised in "
                f"{first.segments} segments; edited {second.done_s:.1f} s (stitch "
                f"{second.stitch_s:.1f} s), {rep.resynthesised}/{second.chunks} re-synthesised, "
                f"changed segments {changed} (bound {rep.bound}); ratio {rep.ratio:.2f}",
                file=sys.stderr,
            )
            loads.append(load_note())
    return report(args, text, sentence, repetitions, loads, concurrency)


def _row(name: str, values: list[float], fmt: str, target: str = "") -> list[str]:
    return [name, format(median(values), fmt), " / ".join(format(v, fmt) for v in values), target]


def report(
    args: argparse.Namespace,
    text: str,
    sentence: str,
    reps: list[Repetition],
    loads: list[str],
    concurrency: int,
) -> str:
    first, second = reps[0].first, reps[0].second
    rows = [
        ["chunks, first document / edited", f"{first.chunks} / {second.chunks}", "", ""],
        ["segments, first document / edited", f"{first.segments} / {second.segments}", "", ""],
        _row("chunks synthesised, first run", [r.synthesised(r.first) for r in reps], ".0f"),
        _row(
            "**chunks re-synthesised, edited run**",
            [r.resynthesised for r in reps],
            ".0f",
            "≤ two segments' chunks",
        ),
        _row("segments of the edited plan changed", [len(r.changed) for r in reps], ".0f", "≤ 2"),
        _row("chunks those segments hold (the bound)", [r.bound for r in reps], ".0f"),
        _row("wall s, first run (submit → output stored)", [r.first.done_s for r in reps], ".1f"),
        _row("wall s, edited run", [r.second.done_s for r in reps], ".1f"),
        _row("stitch s, edited run (part of its wall)", [r.second.stitch_s for r in reps], ".1f"),
        _row("**wall, edited / first**", [r.ratio for r in reps], ".2f", "≤ 0.40"),
    ]
    within = all(
        r.resynthesised <= r.bound and len(r.changed) <= MAX_SEGMENTS_CHANGED for r in reps
    )
    fast = median([r.ratio for r in reps]) <= MAX_WALL_RATIO
    workers = f"{args.workers} worker{'s' if args.workers > 1 else ''} × concurrency {concurrency}"
    lines = [
        f"Text: {len(text):,} characters (`generate_text({args.chars})`), then the same with one "
        f"sentence near the middle changed ({sentence!r} ends {EDIT!r} instead). Real Piper, "
        f"{workers}, one engine thread each (what `narrate up` runs); the chunk cache emptied "
        f"before each first run; medians of {len(reps)} repetition(s).",
        "",
        markdown_table(["measure", "median", "runs", "target"], rows),
        "",
        f"Re-synthesised within the changed segments, at most {MAX_SEGMENTS_CHANGED} of them, "
        f"in every run: {'yes' if within else '**no**'}. Edited run ≤ "
        f"{MAX_WALL_RATIO:.0%} of the first: {'yes' if fast else '**no**'}.",
        "",
        "Load average (1/5/15 min) at start and after each run: " + load_history(loads) + ".",
        f"Machine: {loads[0]}.",
        f"Rerun: `python bench/cache.py --runs {args.runs} --chars {args.chars}"
        + (f" --workers {args.workers}" if args.workers != 1 else "")
        + "`",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions (median shown)")
    parser.add_argument("--chars", type=int, default=DEFAULT_CHARS, help="document size")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes, sharing the cores as `narrate up --workers N` does",
    )
    parser.add_argument("--write", type=Path, help="also write the table into this markdown file")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke test: {QUICK_CHARS:,} characters, one run"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.chars, args.runs = min(args.chars, QUICK_CHARS), 1
    table = bench(args)
    print_section(table, args.write, "cache", "## Chunk cache: an edited document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
