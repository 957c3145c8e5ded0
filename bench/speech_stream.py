"""OpenAI speech streamed: seconds from the request to its first audio byte, against the whole
answer, for a long input.

A private stack (one worker with one engine process per core, as `narrate up` runs) and
`narrate serve`, warmed first. Each run asks the openai client for speech of the bench text with
a different first sentence (so no chunk comes from the cache) and reads the streamed answer,
noting when its first bytes and its last arrive. Target: the first byte in well under half the
total (it leaves once the first chunk is synthesised).

    python bench/speech_stream.py --runs 3 --format mp3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Final

import openai

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from essay import bench_text
from hls import start_serve
from report import load_history, load_note, markdown_table, median
from speech_client import stream_speech

from narration import stack

INPUT_CHARS: Final = 3000
TARGET_SHARE: Final = 0.5


def bench(runs: int, fmt: str) -> str:
    loads = [load_note()]
    base = bench_text(INPUT_CHARS)
    results: list[tuple[float, float, int]] = []
    with BenchStack.running() as bs:
        bs.start_workers(1, concurrency=stack.processes_per_worker(1))
        with start_serve(bs) as api:
            client = openai.OpenAI(base_url=f"{api}/v1", api_key="unused", timeout=600)
            stream_speech(client, f"Warming up.\n\n{base}", fmt)
            for run in range(runs):
                text = f"This is streaming run {run} of {time.time():.0f}.\n\n{base}"
                heard = stream_speech(client, text, fmt)
                first, total, size = heard.first_byte_s, heard.total_s, len(heard.audio)
                results.append((first, total, size))
                print(
                    f"run {run + 1}: first byte {first:.2f} s, whole answer {total:.2f} s "
                    f"({size:,} bytes)",
                    file=sys.stderr,
                )
                loads.append(load_note())
    firsts, totals = [r[0] for r in results], [r[1] for r in results]
    shares = [first / total for first, total in zip(firsts, totals, strict=True)]
    rows = [
        ["request → first audio byte (s)", f"{median(firsts):.2f}", _runs(firsts), ""],
        ["request → whole answer (s)", f"{median(totals):.2f}", _runs(totals), ""],
        ["first byte ÷ whole", f"{median(shares):.2f}", _runs(shares), f"< {TARGET_SHARE}"],
    ]
    return "\n".join(
        [
            f"Input: {len(base):,} characters of the bench text, a different first sentence per "
            f"run, `response_format={fmt}`; one worker × {stack.processes_per_worker(1)} engine "
            f"processes; medians of {runs} runs.",
            "",
            markdown_table(["measure", "median", "runs", "target"], rows),
            "",
            f"Target met: {'yes' if median(shares) < TARGET_SHARE else '**no**'}.",
            "",
            "Load average (1/5/15 min) at start and after each run: " + load_history(loads) + ".",
            f"Machine: {loads[0]}.",
            f"Rerun: `python bench/speech_stream.py --runs {runs} --format {fmt}`",
        ]
    )


def _runs(values: list[float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions (median shown)")
    parser.add_argument("--format", default="mp3", choices=["mp3", "aac", "opus", "pcm", "wav"])
    args = parser.parse_args(argv)
    print(bench(args.runs, args.format))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
