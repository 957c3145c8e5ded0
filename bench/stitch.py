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
children it waited for (ffmpeg), `resource.getrusage` deltas (`CpuClock`). On a machine whose
cores are all synthesising during a job, what a part costs the job is its CPU, not its wall
time; the CPU ratio is also steadier under load than the wall ratio.

Short runs commit every chunk through a `ChunkStore` into a `DirectoryStore` (files in a
temporary directory, shared by the worker processes as S3 is by workers); `--skip-baseline`
(the memory run) uses a `ChunkStore` that synthesises each chunk from its seq when the stitcher
reads it, so the peak RSS is the stitcher's own, not 1.6 GB of stored WAV for 10 hours. Parts
and outputs go to the directory either way. Prints one markdown table row with median wall and
CPU times, the ratios, peak RSS (this process and its ffmpeg children, sampled every 100 ms;
`RssSampler`; with one process only, as worker processes are not counted) and the manifest's
measured loudness / true peak:

    python bench/stitch.py --hours 1 --runs 3
    python bench/stitch.py --hours 1 --runs 3 --processes 2
    python bench/stitch.py --hours 10 --runs 1 --skip-baseline
    python bench/stitch.py --hours 0.05 --runs 1      # smoke test
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Final, cast
from urllib.parse import quote, unquote

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# What a stitch worker has imported before it stitches (Celery, the S3 client), so that the
# bench process's own memory is not smaller than a worker's.
import narration.workers.tasks  # noqa: F401
from narration.adapters.allocator import limit_arenas
from narration.adapters.chunk_store import ChunkStore, JobKeys
from narration.adapters.ffmpeg import FfmpegEncoder
from narration.adapters.job_records import JobRecords
from narration.adapters.object_store import MemoryStore, ObjectNotFound
from narration.pipeline import audio
from narration.pipeline.dynamics import tame_peaks
from narration.pipeline.limiter import Limiter
from narration.pipeline.loudness import STEP_S, LoudnessMeter
from narration.pipeline.mastering import planned
from narration.pipeline.plan import JobOptions, Plan, PlannedChunk
from narration.pipeline.prosody import SessionState
from narration.pipeline.timeline import place_chunks, timeline_blocks
from narration.production.parts import make_part
from narration.production.stitch import stitch_job

SR = 22050
CHUNK_S = 15.0  # a 300-character chunk is about 12-20 s of speech
POOL_S = 97.0  # distinct audio, cycled; prime-ish length so chunks do not repeat in step
CHUNKS_PER_CHAPTER = 40
TARGET_LUFS = -16.0
SENTENCES: Final = (
    "The tide came in slowly over the flat grey sand.",
    "Gulls waited on the harbour wall for the boats to return, calling to one another.",
    "A small boat crossed the bay with its sails half set against the evening wind.",
    "Later the wind dropped, and the harbour lights came on one by one along the quay.",
    "Nobody on the pier could say how long the fog would stay.",
    "It was the best of times, and the fishermen knew it as well as anyone.",
)
"""A chunk's text is four of these (about 300 characters, as the chunker makes them)."""
STEP_SAMPLES: Final = round(SR * STEP_S)


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


MP3_CODEC_LOSS_LU: Final = 0.43
"""How much quieter a 64 kbit/s MP3 of limited speech decodes than its PCM (docs/OUTPUT.md)."""


def _level_for_planned_mastering(pcm: np.ndarray) -> float:
    """The gain (dB) that makes `pcm` land on the target through the planned MP3 mastering,
    as rendered Piper chunks do: without it the synthetic signal, whose fricatives are white
    noise, would need corrections real speech does not, and the bench would time those."""
    master = planned(TARGET_LUFS, "mp3")
    low, high = -12.0, 12.0
    for _ in range(8):
        level = (low + high) / 2
        limiter = Limiter(SR, master.ceiling_dbtp, gain_db=master.gain_db + level)
        meter = LoudnessMeter(SR)
        meter.add(limiter.process(pcm))
        meter.add(limiter.flush())
        if meter.integrated_lufs() - MP3_CODEC_LOSS_LU < TARGET_LUFS:
            low = level
        else:
            high = level
    return (low + high) / 2


class Book:
    """The synthetic book: chunk count, each chunk's PCM, meta and WAV, all from its seq."""

    def __init__(self, hours: float, pool: np.ndarray) -> None:
        tamed = tame_peaks(pool, SR)  # as `render_chunk` tames every chunk
        self.pool = tamed * np.float32(audio.db_to_gain(_level_for_planned_mastering(tamed)))
        self.count = max(1, round(hours * 3600 / CHUNK_S))
        self.keys = JobKeys("bench", "job")

    def _params(self, seq: int) -> tuple[int, int, float, float]:
        rng = np.random.default_rng(1000 + seq)
        samples = int(CHUNK_S * SR) + int(rng.integers(-SR, SR))
        offset = int(rng.integers(0, len(self.pool)))
        gain = float(10 ** (rng.uniform(-1, 1) / 20))  # chunk-to-chunk level wander
        last_in_chapter = seq % CHUNKS_PER_CHAPTER == CHUNKS_PER_CHAPTER - 1
        pause = 2.0 if last_in_chapter else (0.8 if seq % 4 == 3 else 0.35)
        return samples, offset, gain, pause

    def boundary(self, seq: int) -> str:
        if seq % CHUNKS_PER_CHAPTER == CHUNKS_PER_CHAPTER - 1:
            return "chapter"
        return "paragraph" if seq % 4 == 3 else "sentence"

    def pcm(self, seq: int) -> np.ndarray:
        samples, offset, gain, _ = self._params(seq)
        idx = (offset + np.arange(samples)) % len(self.pool)
        return np.clip(self.pool[idx] * gain, -1.0, 1.0).astype(np.float32)

    def wav(self, seq: int) -> bytes:
        return audio.to_wav_bytes(self.pcm(seq), SR)

    def text(self, seq: int) -> str:
        return " ".join(SENTENCES[(seq + k) % len(SENTENCES)] for k in range(4))

    def meta(self, seq: int) -> dict[str, Any]:
        """What a rendered chunk's metadata holds (`pipeline.render`): word timings, 100 ms
        loudness steps, prosody states; the figures are made up, their number is real."""
        samples, _, _, pause = self._params(seq)
        rng = np.random.default_rng(5000 + seq)
        text = self.text(seq)
        speech_s = samples / SR
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        word_s = (speech_s - 0.12) / len(spans)
        words = [
            {
                "text": text[start:end],
                "start": start,
                "end": end,
                "start_s": round(0.06 + n * word_s, 4),
                "end_s": round(0.06 + (n + 0.9) * word_s, 4),
            }
            for n, (start, end) in enumerate(spans)
        ]
        steps = 10.0 ** rng.uniform(-4, -2, samples // STEP_SAMPLES + 1)
        state = SessionState(voice="bench", user_seed=seq).to_dict()
        return {
            "seq": seq,
            "segment": seq // CHUNKS_PER_CHAPTER,
            "index": seq % CHUNKS_PER_CHAPTER,
            "chapter": seq // CHUNKS_PER_CHAPTER,
            "text": text,
            "spoken_text": text,
            "boundary_after": self.boundary(seq),
            "sample_rate": SR,
            "samples": samples,
            "duration_s": speech_s,
            "speech_start_s": 0.06,
            "speech_end_s": speech_s - 0.06,
            "pause_after_s": pause,
            "pause_designed_s": pause,
            "gain_db": 0.0,
            "level_db": -20.0,
            "loudness": {
                "steps": [float(f"{value:.6g}") for value in steps],
                "true_peak_dbtp": round(float(rng.uniform(-3, -1)), 3),
            },
            "key": f"bench{seq:08d}",
            "engine": {"name": "bench", "device": "cpu", "precision": "fp32", "determinism": "bit"},
            "words": words,
            "words_from_spoken_text": False,
            "state_in": state,
            "state_out": state,
        }

    def plan(self) -> Plan:
        chapters = -(-self.count // CHUNKS_PER_CHAPTER)
        segments = tuple(
            tuple(
                PlannedChunk(
                    seq, c, seq % CHUNKS_PER_CHAPTER, c, self.text(seq), self.boundary(seq)
                )
                for seq in range(
                    c * CHUNKS_PER_CHAPTER, min(self.count, (c + 1) * CHUNKS_PER_CHAPTER)
                )
            )
            for c in range(chapters)
        )
        return Plan(
            job_id="job",
            title="Bench",
            author="narration",
            language="en",
            options=JobOptions(voice="bench", format="mp3", loudness_lufs=TARGET_LUFS),
            chapters=tuple(f"Chapter {c + 1}" for c in range(chapters)),
            segments=segments,
            voice_info={"name": "bench", "engine": "synthetic"},
        )

    def stored(self, files: Path) -> ChunkStore:
        """Every chunk committed through the chunk store, into the directory's files."""
        chunks = ChunkStore(DirectoryStore(files), self.keys, NO_RECORDS)
        for seq in range(self.count):
            chunks.commit(seq, self.wav(seq), self.meta(seq))
        return chunks


class NoJobRecords:
    """The stitch benchmark runs without Redis: every job-record call is a no-op."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


NO_RECORDS: Final = cast(JobRecords, NoJobRecords())


class DirectoryStore(MemoryStore):
    """Every object a file in one directory: the worker processes of `--processes 2` share
    what they store, as workers share S3, and the stitch finds the parts they made."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / quote(key, safe="")

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> None:
        self._path(key).write_bytes(data)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def upload_file(self, key: str, path: Path, content_type: str = "") -> None:
        shutil.copyfile(path, self._path(key))

    def download_file(self, key: str, path: Path) -> None:
        if not self.exists(key):
            raise ObjectNotFound(key)
        shutil.copyfile(self._path(key), path)

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(k for k in map(unquote, os.listdir(self.directory)) if k.startswith(prefix))

    def delete_keys(self, keys: list[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)


class BookChunks(ChunkStore):
    """The book's chunks made from their seq when the stitcher reads them (nothing stored)."""

    def __init__(self, book: Book, files: Path) -> None:
        super().__init__(DirectoryStore(files), book.keys, NO_RECORDS)
        self.book = book

    def meta(self, seq: int) -> dict[str, Any]:
        return self.book.meta(seq)

    def audio(self, chunk: int | dict[str, Any]) -> bytes:
        """By seq, or by the chunk's metadata."""
        return self.book.wav(chunk if isinstance(chunk, int) else int(chunk["seq"]))


class RssSampler:
    """Peak of (this process + its live children) RSS, sampled from /proc every 100 ms.

    A child counts once it has exec'd ffmpeg. Between fork and exec a child is still this
    process's image (Python starts it with vfork, which shares this very memory), and its
    VmRSS reads as this process's: counted, it doubled the figure whenever a sample fell in
    that window (a 10-hour run read 333 MB that way). `ru_maxrss` of children overstates
    ffmpeg for the same reason; the sampled sum is the memory the stitch really holds.
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.children_peak_mb = 0.0
        self._image = os.readlink("/proc/self/exe")
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
        """Children that run a program of their own (exec'd)."""
        kids: list[str] = []
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError):
                kids += (task / "children").read_text().split()
        return [pid for pid in kids if self._exe(pid) not in ("", self._image)]

    @staticmethod
    def _exe(pid: str) -> str:
        try:
            return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return ""

    def sample(self) -> float:
        children = sum(self._rss_kb(p) for p in self._children()) / 1024
        self.children_peak_mb = max(self.children_peak_mb, children)
        return self._rss_kb("self") / 1024 + children

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self.sample())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class CpuClock:
    """CPU-seconds (user + system) of this process and of its waited-for children so far."""

    @staticmethod
    def now() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Timed:
    """Wall and CPU seconds of a `with` block."""

    def __enter__(self) -> Timed:
        self.wall, self.cpu = time.perf_counter(), CpuClock.now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = CpuClock.now() - self.cpu


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


def run_stitch(
    book: Book, chunks: ChunkStore, processes: int
) -> tuple[Timed, Timed, dict[str, Any]]:
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
    manifest: dict[str, Any] = {}
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
