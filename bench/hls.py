"""Listen while it renders: seconds from submitting a document to its first audio playable.

A private stack (Valkey, SeaweedFS, one worker with one engine process per core, as `narrate up`
runs) and `narrate serve`; the workers are warmed first (each process has loaded the voice), and
are idle when each run submits. A run POSTs a document to the native API with `hls=true` and
polls the playlist every 100 ms until it lists a segment and that segment downloads: that is when
a player can start. Each run's text starts with a different sentence, so no chunk comes from the
cache. Target: ≤ 2.5 s (segments of at most 6 s, as players expect, from the same first chunk).

    python bench/hls.py --runs 5
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack, clean_environ
from essay import bench_text
from report import load_history, load_note, markdown_table, median

from narration import stack
from narration.settings import child_environment

TARGET_S: Final = 2.5
DOCUMENT_CHARS: Final = 3000
POLL_S: Final = 0.1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def start_serve(bs: BenchStack) -> Iterator[str]:
    """`narrate serve` over the bench stack (no keys, loopback); its base URL while it runs."""
    port = _free_port()
    log = bs.settings.home / "stack" / "bench-serve.log"
    env = child_environment(bs.settings, base=clean_environ())
    serve = stack.spawn(stack.serve_command("127.0.0.1", port), log, env)
    try:
        api = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{api}/healthz").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield api
    finally:
        stack.stop_process(serve)


def _wait_job(client: httpx.Client, job_id: str, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while client.get(f"/v1/jobs/{job_id}").json()["status"] not in ("succeeded", "failed"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} did not end")
        time.sleep(0.5)


def first_audio(client: httpx.Client, text: str) -> tuple[float, float, float, str]:
    """Seconds from submit to: the job accepted, its first segment playable; that segment's
    audio seconds; the job id."""
    started = time.monotonic()
    answer = client.post("/v1/jobs", files={"document": ("run.txt", text.encode())})
    answer.raise_for_status()
    accepted = time.monotonic() - started
    job_id = answer.json()["job_id"]
    while True:
        playlist = client.get(f"/v1/jobs/{job_id}/hls/playlist.m3u8").text
        if "#EXTINF" in playlist:
            segment = client.get(f"/v1/jobs/{job_id}/hls/000000.ts")
            if segment.status_code == 200 and segment.content:
                elapsed = time.monotonic() - started
                duration = float(playlist.split("#EXTINF:", 1)[1].split(",", 1)[0])
                return accepted, elapsed, duration, job_id
        time.sleep(POLL_S)


def bench(runs: int) -> str:
    loads = [load_note()]
    base = bench_text(DOCUMENT_CHARS)
    with BenchStack.running() as bs:
        bs.start_workers(1, concurrency=stack.processes_per_worker(1))
        with start_serve(bs) as api:
            client = httpx.Client(base_url=api, timeout=60)
            warm = client.post("/v1/jobs", files={"document": ("warm.txt", base.encode())})
            _wait_job(client, warm.json()["job_id"])
            results = []
            for run in range(runs):
                text = f"This is listening run {run} of {time.time():.0f}.\n\n{base}"
                accepted, elapsed, segment_s, job_id = first_audio(client, text)
                results.append((elapsed, segment_s, accepted))
                print(
                    f"run {run + 1}: accepted {accepted:.2f} s, "
                    f"first audio playable {elapsed:.2f} s (segment of {segment_s:.1f} s)",
                    file=sys.stderr,
                )
                _wait_job(client, job_id)
                loads.append(load_note())
    times = [r[0] for r in results]
    rows = [
        _row("submit → job accepted (s)", [r[2] for r in results]),
        [
            "submit → first segment playable (s)",
            f"{median(times):.2f}",
            " / ".join(f"{t:.2f}" for t in times),
            f"≤ {TARGET_S:g} s",
        ],
        [
            "first segment's audio (s)",
            f"{median([r[1] for r in results]):.1f}",
            " / ".join(f"{r[1]:.1f}" for r in results),
            "",
        ],
    ]
    met = median(times) <= TARGET_S
    return "\n".join(
        [
            f"Document: {DOCUMENT_CHARS:,} characters of the bench text, a different first "
            f"sentence per run; one worker × {stack.processes_per_worker(1)} engine processes, "
            f"warm and idle at each submit; medians of {runs} runs.",
            "",
            markdown_table(["measure", "median", "runs", "target"], rows),
            "",
            f"Target met: {'yes' if met else '**no**'}.",
            "",
            "Load average (1/5/15 min) at start and after each run: " + load_history(loads) + ".",
            f"Machine: {loads[0]}.",
            f"Rerun: `python bench/hls.py --runs {runs}`",
        ]
    )


def _row(name: str, values: list[float]) -> list[str]:
    return [name, f"{median(values):.2f}", " / ".join(f"{v:.2f}" for v in values), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions (median shown)")
    args = parser.parse_args(argv)
    print(bench(args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
