"""Benchmark the real stitch (every part, then `stitch_job`) against a plain ffmpeg encode.

A synthetic book: speech-like mono PCM (voiced harmonics with pitch glide, syllable envelope,
pauses, fricative noise; deterministic), its peaks tamed as rendered chunks' are and its level set
so that the planned mastering lands on target, as it does for rendered Piper chunks,
cut into ~15 s chunks whose levels wander within ±1 dB, as rendered chunks do, stored as 16-bit
WAV plus chunk metadata as rendered chunks store it (word timings, loudness steps, prosody
states: what the stitch holds grows with them), under a Plan built directly (a chapter and a
segment every 40 chunks, ~10 min). The process imports what a worker imports. Then

- baseline: the same ffmpeg MP3 command `FfmpegEncoder` runs, reading the stitched timeline's
  int16 PCM (chunks and pauses from `timeline_blocks`, written to a temp file beforehand,
  untimed) on stdin; nothing else;
- parts: `production.parts.make_part` for every part: gain and true-peak limiter, the MP3 part
  encode, and the part's verification decode (8x true peak, loudness steps). In a job, workers
  do this while other segments are synthesised. `--processes 1` (the default) makes the parts
  one after another in this process, the total work one worker would do; `--processes 2`
  hands them to two forked worker processes as the default stack's two pool processes take
  part tasks (docs/DEPLOY.md), which is the wall time a stitch of the whole book takes there;
- final: `production.stitch.stitch_job(plan, chunks, workdir)`, the work left after the last
  chunk: add up the parts' figures, download and join them, ID3 tags and chapters, captions,
  manifest.

Each phase is also counted in CPU-seconds: this process's user + system time and that of the
children it waited for (ffmpeg), `resource.getrusage` deltas (`processes.CpuClock`). On a
machine whose cores are all synthesising during a job, what a part costs the job is its CPU, not
its wall time; the CPU ratio is also steadier under load than the wall ratio.

Short runs commit every chunk through a `ChunkStore` into a `DirectoryStore`
(bench/directory_store.py: files in a temporary directory, shared by the worker processes as S3
is by workers); `--skip-baseline` (the memory run) uses a `ChunkStore` that synthesises each
chunk from its seq when the stitcher reads it, so the peak RSS is the stitcher's own, not 1.6 GB
of stored WAV for 10 hours. Parts and outputs go to the directory either way. Prints one
markdown table row with median wall and CPU times, the ratios, peak RSS (this process and its
ffmpeg children, sampled every 100 ms; `processes.RssSampler`; with one process only, as worker
processes are not counted) and the manifest's measured loudness / true peak:

    python bench/stitch.py --hours 1 --runs 3
    python bench/stitch.py --hours 1 --runs 3 --processes 2
    python bench/stitch.py --hours 10 --runs 1 --skip-baseline
    python bench/stitch.py --hours 0.05 --runs 1      # smoke test
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checkout  # noqa: F401  (this checkout's narration)
from processes import RssSampler, Timed
from synthetic_book import POOL_S, SR, Book, BookChunks, speech_pool

# What a stitch worker has imported before it stitches (Celery, the S3 client), so that the
# bench process's own memory is not smaller than a worker's.
import narration.workers.tasks  # noqa: F401
from narration.adapters.allocator import limit_arenas
from narration.adapters.chunk_store import ChunkStore
from narration.adapters.ffmpeg import FfmpegEncoder
from narration.pipeline import audio
from narration.pipeline.manifest import Manifest
from narration.pipeline.plan import Plan
from narration.pipeline.timeline import place_chunks, timeline_blocks
from narration.production.parts import make_part
from narration.production.stitch import stitch_job


def write_timeline(book: Book, chunks: ChunkStore, path: Path) -> None:
    """The stitched timeline's PCM as raw int16, for the baseline to read."""
    placed = place_chunks([chunks.meta(c.seq) for c in book.plan().chunks], SR).placed

    def chunk_pcm(number: int) -> np.ndarray:
        return audio.from_wav_bytes(chunks.read(placed[number].meta["seq"]).wav)[0]

    with path.open("wb") as fh:
        for block in timeline_blocks(placed, chunk_pcm):
            samples = np.clip(np.round(block * 32767.0), -32768, 32767).astype("<i2")
            fh.write(samples.tobytes())


def baseline(pcm_path: Path, out: Path) -> Timed:
    cmd = FfmpegEncoder(out, SR, "mp3").command()
    with Timed() as timed, pcm_path.open("rb") as pcm:
        if subprocess.run(cmd, stdin=pcm).returncode != 0:
            raise SystemExit("baseline ffmpeg failed")
    return timed


_WORK: dict[str, Any] = {}
"""The plan and chunk store the forked worker processes inherit (`make_parts`)."""


def _make_part(number: int) -> None:
    plan, chunks = _WORK["plan"], _WORK["chunks"]
    make_part(plan, chunks, number, [chunks.meta(c.seq) for c in plan.parts[number]])


def make_parts(plan: Plan, chunks: ChunkStore, processes: int) -> None:
    """Every part, in this process or handed in order to `processes` forked worker processes
    that take the next part when they finish one, as pool processes take part tasks."""
    _WORK.update(plan=plan, chunks=chunks)
    if processes == 1:
        for number in range(len(plan.parts)):
            _make_part(number)
        return
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=fork) as workers:
        list(workers.map(_make_part, range(len(plan.parts))))


def run_stitch(book: Book, chunks: ChunkStore, processes: int) -> tuple[Timed, Timed, Manifest]:
    """The times to make every part and of the final stitch, and its manifest."""
    plan = book.plan()
    chunks.objects.delete_prefix(chunks.keys.parts_prefix)
    chunks.objects.delete_prefix("chunk-cache/parts/")
    with Timed() as parts:
        make_parts(plan, chunks, processes)
    with tempfile.TemporaryDirectory() as work, Timed() as final:
        result = stitch_job(plan, chunks, Path(work))
    return parts, final, result.manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--skip-baseline",
        action="store_true",
        help="stitcher only, chunks synthesised on demand (memory runs)",
    )
    ap.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes making the parts (the default stack has 2)",
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    # As a worker process does when it starts (`workers.app`), before any thread allocates.
    limit_arenas()

    book = Book(args.hours, speech_pool(POOL_S))
    base: list[Timed] = []
    parts: list[Timed] = []
    finals: list[Timed] = []
    manifest: Manifest | None = None
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "objects"
        files.mkdir()
        chunks = BookChunks(book, files) if args.skip_baseline else book.stored(files)
        if not args.skip_baseline:
            write_timeline(book, chunks, Path(tmp) / "timeline.pcm")
        with RssSampler() as rss:
            rss_before = rss.sample()
            for i in range(args.runs):
                if not args.skip_baseline:
                    base.append(baseline(Path(tmp) / "timeline.pcm", Path(tmp) / "plain.mp3"))
                part, final, manifest = run_stitch(book, chunks, args.processes)
                parts.append(part)
                finals.append(final)
                load = os.getloadavg()[0]
                msg = f"run {i + 1}: parts {part.wall:.1f}s ({part.cpu:.1f} CPU-s)"
                msg += f", final {final.wall:.1f}s ({final.cpu:.1f} CPU-s)"
                if base:
                    plain = base[-1]
                    msg += f", baseline {plain.wall:.1f}s ({plain.cpu:.1f} CPU-s)"
                    msg += f", ratio {(part.wall + final.wall) / plain.wall:.2f}"
                    msg += f", CPU ratio {(part.cpu + final.cpu) / plain.cpu:.2f}"
                print(f"{msg}, load {load:.2f}", file=sys.stderr)
    assert manifest is not None, "--runs must be at least 1"
    loud = manifest["loudness"]

    def median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    def ratios(spent: list[float], plain: list[float]) -> float | None:
        """The median of the runs' ratios (none without a baseline)."""
        return median([s / p for s, p in zip(spent, plain, strict=False)])

    walls = [p.wall + f.wall for p, f in zip(parts, finals, strict=True)]
    cpus = [p.cpu + f.cpu for p, f in zip(parts, finals, strict=True)]
    plain_walls, plain_cpus = [b.wall for b in base], [b.cpu for b in base]
    row = {
        "hours": args.hours,
        "chunks": book.count,
        "runs": args.runs,
        "processes": args.processes,
        "plain_ffmpeg_s": median(plain_walls),
        "parts_s": median([p.wall for p in parts]),
        "final_s": median([f.wall for f in finals]),
        "stitch_s": median(walls),
        "ratio": ratios(walls, plain_walls),
        "final_ratio": ratios([f.wall for f in finals], plain_walls),
        "plain_ffmpeg_cpu_s": median(plain_cpus),
        "parts_cpu_s": median([p.cpu for p in parts]),
        "final_cpu_s": median([f.cpu for f in finals]),
        "cpu_ratio": ratios(cpus, plain_cpus),
        "peak_rss_mb": rss.peak_mb if args.processes == 1 else None,
        "rss_before_mb": rss_before,
        "ffmpeg_peak_mb": rss.children_peak_mb,
        "ru_maxrss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "measured_lufs": loud["measured_lufs"],
        "measured_tp_dbtp": loud["measured_true_peak_dbtp"],
        "gain_db": loud["gain_db"],
        "encodes": loud["encodes"],
        "load_avg_1m": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(row))
        return 0

    def fmt(value: Any, spec: str = ".1f") -> str:
        return "–" if value is None else format(value, spec)

    print(
        "| hours | chunks | runs | processes | plain ffmpeg s | parts s | final s "
        "| parts + final s | ratio | final / plain | plain CPU s | parts CPU s | final CPU s "
        "| CPU ratio "
        "| peak RSS python+ffmpeg MB (bench process before) | out LUFS | out dBTP | encodes "
        "| load |"
    )
    print("|---" * 19 + "|")
    print(
        f"| {args.hours:g} | {book.count} | {args.runs} | {args.processes} "
        f"| {fmt(row['plain_ffmpeg_s'])} "
        f"| {fmt(row['parts_s'])} | {fmt(row['final_s'])} | {fmt(row['stitch_s'])} "
        f"| {fmt(row['ratio'], '.2f')} | {fmt(row['final_ratio'], '.2f')} "
        f"| {fmt(row['plain_ffmpeg_cpu_s'])} | {fmt(row['parts_cpu_s'])} "
        f"| {fmt(row['final_cpu_s'])} | {fmt(row['cpu_ratio'], '.2f')} "
        f"| {fmt(row['peak_rss_mb'], '.0f')} ({rss_before:.0f}) | {loud['measured_lufs']:.2f} "
        f"| {loud['measured_true_peak_dbtp']:.2f} | {loud['encodes']} "
        f"| {row['load_avg_1m']:.1f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
