"""Benchmark the podcast output layer: two-pass loudness + limiter + MP3 vs a plain ffmpeg encode.

Synthesises speech-like mono PCM (voiced harmonics with pitch glide, syllable envelope, pauses,
noise floor; deterministic) in chunk-sized blocks, then

- baseline: pipes the same int16 bytes into the same ffmpeg MP3 command, nothing else;
- pipeline: pass 1 feeds every block to `LoudnessMeter`, pass 2 regenerates the blocks (as the
  stitcher re-reads chunks from storage), applies `gain_for_target` inside the true-peak
  `Limiter` and streams into `Encoder` (which also writes ID3 tags and chapters).

Prints one markdown table row with median wall times, the ratio, and peak RSS (this process
and, separately, the largest ffmpeg child) — run each size in a fresh process for a clean RSS:

    python bench/stitch.py --hours 1 --runs 3
    python bench/stitch.py --hours 10 --runs 1 --skip-baseline
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from narration.pipeline.encode import ChapterMark, Encoder, Tags
from narration.pipeline.loudness import (
    Limiter,
    LoudnessMeter,
    TruePeakMeter,
    gain_for_target,
)

SR = 22050
BLOCK_S = 12.0  # a 300-character chunk is about 12-20 s of speech
POOL_S = 97.0  # distinct audio, cycled; prime-ish length so blocks do not repeat in step


def speech_pool(seconds: float, seed: int = 7) -> np.ndarray:
    """Speech-like float32 PCM, built in 5 s pieces to keep the benchmark's own memory small."""
    rng = np.random.default_rng(seed)
    out = np.empty(int(seconds * SR), dtype=np.float32)
    phase0 = 0.0
    step = 5 * SR
    for i in range(0, len(out), step):
        t = (i + np.arange(min(step, len(out) - i))) / SR
        f0 = 110 + 35 * np.sin(2 * np.pi * 0.23 * t) + 10 * np.sin(2 * np.pi * 1.7 * t)
        phase = phase0 + 2 * np.pi * np.cumsum(f0) / SR
        phase0 = float(phase[-1])
        voiced = np.zeros(len(t))
        for k in range(1, 16):
            voiced += np.sin(k * phase) * (0.8**k)
        env = np.sin(2 * np.pi * 3.3 * t + 2 * np.sin(2 * np.pi * 0.7 * t))
        syllables = np.clip(env, 0, None)
        pauses = np.sin(2 * np.pi * 0.17 * t) > -0.7
        fric = rng.standard_normal(len(t)) * (np.sin(2 * np.pi * 1.1 * t) > 0.8)
        noise = 0.002 * rng.standard_normal(len(t))
        out[i : i + len(t)] = (0.25 * voiced * syllables + 0.04 * fric) * pauses + noise
    return out


class RssSampler:
    """Peak of (this process + its live children) RSS, sampled from /proc every 100 ms.

    `ru_maxrss` of children also counts the parent's pages a child holds between fork and
    exec, so it overstates ffmpeg; the sampled sum is the memory the job really holds.
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _rss_kb(pid: str) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _children(self) -> list[str]:
        kids: list[str] = []
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError):
                kids += (task / "children").read_text().split()
        return kids

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            kb = self._rss_kb("self") + sum(self._rss_kb(p) for p in self._children())
            self.peak_mb = max(self.peak_mb, kb / 1024)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def blocks(hours: float, pool: np.ndarray) -> Iterator[np.ndarray]:
    """int16 blocks of the synthetic book (deterministic: the same bytes every call)."""
    total = int(hours * 3600 * SR)
    n = int(BLOCK_S * SR)
    rng = np.random.default_rng(11)
    pos = done = 0
    while done < total:
        size = min(n, total - done)
        idx = (pos + np.arange(size)) % len(pool)
        gain = 10 ** (rng.uniform(-4, 2) / 20)  # chunk-to-chunk level wander, as TTS gives
        yield np.clip(pool[idx] * gain * 32768, -32768, 32767).astype(np.int16)
        pos += size + int(rng.integers(0, SR))
        done += size


def baseline(hours: float, pool: np.ndarray, out: Path) -> float:
    cmd = Encoder(out, SR, "mp3").command()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for b in blocks(hours, pool):
        proc.stdin.write(b.tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("baseline ffmpeg failed")
    return time.perf_counter() - t0


def pipeline(
    hours: float, pool: np.ndarray, out: Path, check_peak: bool = False
) -> dict[str, float]:
    t0 = time.perf_counter()
    meter = LoudnessMeter(SR)
    for b in blocks(hours, pool):
        meter.add(b)
    lufs = meter.integrated_lufs()
    gain = gain_for_target(lufs, -16.0)
    t1 = time.perf_counter()
    dur = meter.duration_s
    chapters = [
        ChapterMark(f"Chapter {i + 1}", s, min(s + 600.0, dur))
        for i, s in enumerate(np.arange(0.0, dur, 600.0))
    ]
    limiter = Limiter(SR, ceiling_dbtp=-1.0, gain_db=gain)
    out_peak = TruePeakMeter(SR) if check_peak else None
    tags = Tags(title="Bench", artist="narration", album="Bench", year="2024")
    with Encoder(out, SR, "mp3", tags=tags, chapters=chapters) as enc:
        for b in itertools.chain(blocks(hours, pool), [None]):
            y = limiter.process(b) if b is not None else limiter.flush()
            if out_peak is not None:
                out_peak.add(y)
            enc.write(y)
    t2 = time.perf_counter()
    return {
        "total": t2 - t0,
        "pass1": t1 - t0,
        "pass2": t2 - t1,
        "lufs_in": lufs,
        "gain": gain,
        "reduction": limiter.reduction_db,
        "pcm_tp": out_peak.true_peak_dbtp() if out_peak is not None else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-baseline", action="store_true", help="pipeline only (memory runs)")
    ap.add_argument("--check", action="store_true", help="measure the output's loudness (slow)")
    args = ap.parse_args(argv)

    pool = speech_pool(POOL_S)
    base: list[float] = []
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, RssSampler() as rss:
        for i in range(args.runs):
            if not args.skip_baseline:
                base.append(baseline(args.hours, pool, Path(tmp) / "plain.mp3"))
            runs.append(pipeline(args.hours, pool, Path(tmp) / "book.mp3", args.check))
            msg = f"run {i + 1}: pipeline {runs[-1]['total']:.1f}s"
            print(msg + (f", baseline {base[-1]:.1f}s" if base else ""), file=sys.stderr)
        if args.check:
            print(f"limiter output (PCM): {runs[-1]['pcm_tp']:.2f} dBTP", file=sys.stderr)
            check(Path(tmp) / "book.mp3")
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    total = statistics.median(r["total"] for r in runs)
    p1 = statistics.median(r["pass1"] for r in runs)
    p2 = statistics.median(r["pass2"] for r in runs)
    b = statistics.median(base) if base else float("nan")
    print(
        "| hours | runs | plain ffmpeg s | pipeline s | pass 1 s | pass 2 s | ratio "
        "| peak RSS python+ffmpeg MB | ru_maxrss self / children MB | input LUFS "
        "| limiter max GR dB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.hours:g} | {args.runs} | {b:.1f} | {total:.1f} | {p1:.1f} | {p2:.1f} "
        f"| {total / b:.2f} | {rss.peak_mb:.0f} | {rss_self:.0f} / {rss_child:.0f} "
        f"| {runs[-1]['lufs_in']:.1f} "
        f"| {runs[-1]['reduction']:.1f} |"
    )
    return 0


def check(path: Path) -> None:
    """Decode the output and print its integrated loudness and true peak."""
    from narration.pipeline.encode import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ar", str(SR), "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    meter, peak = LoudnessMeter(SR), TruePeakMeter(SR)
    while chunk := proc.stdout.read(SR * 2 * 30):
        x = np.frombuffer(chunk, dtype="<i2")
        meter.add(x)
        peak.add(x)
    proc.wait()
    lufs, tp = meter.integrated_lufs(), peak.true_peak_dbtp()
    print(f"decoded output: {lufs:.2f} LUFS, {tp:.2f} dBTP", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
