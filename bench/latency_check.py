"""Issue 33 item 5 in one command: time to first audio and the stitch tail, against targets.

On one private stack whose workers are what `narrate up` starts (one worker, one engine process
per core), warmed before the clock:

1. Time to first audio, as bench/hls.py measures it: `narrate serve` takes a 3,000-character
   document with `hls=true` (a different first sentence each run, so nothing comes from the
   cache) and the playlist is polled until its first segment downloads. Target: median
   ≤ 2.5 s.
2. The stitch tail: `narrate submit FILE --wait` with a fresh seed (bench/cli_jobs.py), from the
   job's last `chunk` event to `succeeded` (the chord's hand-off, then the stitch task); against
   a plain encode of the same audio: the job's output, decoded beforehand (untimed), fed to the
   ffmpeg MP3 command `FfmpegEncoder` runs, and nothing else. Target: median tail ≤ 2 s + 10 %
   of the median plain encode.

Prints each measure with its target and exits 0 when both are met, 1 otherwise. Timings mean
something only on a quiet machine (take the CPU lock where one is shared).

    python bench/latency_check.py                                  # 5 HLS runs, 3 tails
    python bench/latency_check.py --hls-runs 1 --tail-runs 1 --tail-text page   # smoke
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack, clean_environ
from cli_jobs import submit_wait
from essay import bench_text
from hls import DOCUMENT_CHARS, first_audio, start_serve
from processes import Timed
from report import load_history, load_note, markdown_table, median
from throughput import Variant, stack_variant
from user_wait import TEXTS, text_of

from narration.adapters.ffmpeg import FfmpegEncoder, ffmpeg_exe
from narration.adapters.object_store import parse_s3_uri
from narration.connections import resolve
from narration.settings import ENV_PREFIX

FIRST_AUDIO_TARGET_S: Final = 2.5
TAIL_FIXED_S: Final = 2.0
TAIL_SHARE_OF_ENCODE: Final = 0.10
RATE: Final = 22050
"""The bundled voice's sample rate (en_US-joe-medium), at which the plain encode runs."""


def wait_done(client: httpx.Client, job_id: str, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while client.get(f"/v1/jobs/{job_id}").json()["status"] not in ("succeeded", "failed"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} did not end")
        time.sleep(0.5)


def first_audio_runs(bs: BenchStack, runs: int) -> list[float]:
    """Seconds from POST to the first HLS segment downloaded, one per run."""
    base = bench_text(DOCUMENT_CHARS)
    found = []
    with start_serve(bs) as api:
        client = httpx.Client(base_url=api, timeout=60)
        for run in range(runs):
            text = f"This is latency run {run} of {time.time():.0f}.\n\n{base}"
            _, elapsed, _, job_id = first_audio(client, text)
            found.append(elapsed)
            print(f"first audio {run + 1}: {elapsed:.2f} s", file=sys.stderr)
            wait_done(client, job_id)
    return found


def plain_encode_s(bs: BenchStack, job_id: str, tmp: Path) -> float:
    """Seconds for the plain ffmpeg MP3 encode of a job's audio (decoded first, untimed)."""
    services = resolve(bs.settings)
    output = parse_s3_uri(str(services.records().get(job_id)["output_uri"]))
    services.store(output.bucket).download_file(output.key, tmp / "job.mp3")
    pcm = tmp / "job.pcm"
    decode = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(tmp / "job.mp3")]
    decode += ["-f", "s16le", "-ac", "1", "-ar", str(RATE), str(pcm)]
    subprocess.run(decode, check=True)
    with Timed() as timed, pcm.open("rb") as source:
        subprocess.run(
            FfmpegEncoder(tmp / "plain.mp3", RATE, "mp3").command(), stdin=source, check=True
        )
    return timed.wall


def encodes_of(bs: BenchStack, job_id: str) -> str:
    """How many times the stitch encoded a job's programme, and its loudness, from the manifest:
    a second encode after the last chunk is what makes a tail long."""
    services = resolve(bs.settings)
    manifest = json.loads(services.store().get_bytes(services.keys(job_id).manifest))
    loudness = manifest["loudness"]
    return f"{loudness['encodes']} encode(s), {loudness['measured_lufs']:.2f} LUFS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hls-runs", type=int, default=5)
    parser.add_argument("--tail-runs", type=int, default=3)
    parser.add_argument("--tail-text", choices=list(TEXTS), default="article")
    args = parser.parse_args(argv)
    loads = [load_note()]
    variant = Variant.parse(stack_variant(1))
    tails, encodes = [], []
    with (
        tempfile.TemporaryDirectory(prefix="narration-latency-") as tmp,
        BenchStack.running() as bs,
    ):
        bs.start_workers(1, concurrency=variant.concurrency, overrides=variant.worker_overrides())
        env = {**clean_environ(), f"{ENV_PREFIX}HOME": str(bs.settings.home)}
        pids = [worker.pid for worker in bs.workers]
        document = Path(tmp) / "tail.txt"
        document.write_text(text_of(args.tail_text))
        warm = Path(tmp) / "warm.txt"
        warm.write_text("One. Two.\n\nChapter 2\n\nThree. Four.\n")
        submit_wait(bs.settings, env, warm, random.SystemRandom().randrange(2**31), pids)
        firsts = first_audio_runs(bs, args.hls_runs)
        loads.append(load_note())
        for run in range(args.tail_runs):
            seed = random.SystemRandom().randrange(2**31)
            job = submit_wait(bs.settings, env, document, seed, pids)
            tails.append(job.stages["commit → stitch"] + job.stages["stitch tail"])
            encodes.append(plain_encode_s(bs, job.job_id, Path(tmp)))
            print(
                f"tail {run + 1}: {tails[-1]:.2f} s ({encodes_of(bs, job.job_id)}), "
                f"plain encode {encodes[-1]:.2f} s",
                file=sys.stderr,
            )
            loads.append(load_note())
    tail_target = TAIL_FIXED_S + TAIL_SHARE_OF_ENCODE * median(encodes)
    checks = [
        ("submit → first HLS segment playable", firsts, FIRST_AUDIO_TARGET_S),
        (f"last chunk → output stored ({args.tail_text})", tails, tail_target),
    ]
    rows = [
        [
            name,
            f"{median(values):.2f} s",
            " / ".join(f"{v:.2f}" for v in values),
            f"≤ {target:.2f} s",
            "met" if median(values) <= target else "**not met**",
        ]
        for name, values, target in checks
    ]
    rows.append(["plain MP3 encode of that audio", f"{median(encodes):.2f} s", "", "", ""])
    print(markdown_table(["measure", "median", "runs", "target", ""], rows))
    print(f"\nLoad average (1/5/15 min) at start and after each step: {load_history(loads)}.")
    print(f"Machine: {loads[0]}.")
    return 0 if all(median(values) <= target for _, values, target in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
