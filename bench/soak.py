"""Chaos soak: many mixed jobs on two workers while their processes, Valkey and SeaweedFS die.

Not a CI test. A private local stack (bench/bench_stack.py's `BenchStack`) with two workers runs
`--jobs` jobs submitted at an even pace over `--minutes`; each job is one of a small set of
(text, format) pairs, so every output can be checked against a reference. The references are
made first, undisturbed, and their sha256 kept; the chunk cache is then emptied so the soak's
first job of each text synthesises again, under chaos. Meanwhile a chaos loop SIGKILLs a random
worker pool process every ~`--kill-every` seconds, and SIGKILLs and restarts Valkey once (at 30 %
of the submission window) and SeaweedFS once (at 60 %), each down for `--outage` seconds.

Reported: jobs succeeded; chunks missing from or repeated in each output (the manifest's chunk
`seq`s against the reference's: each exactly once); outputs equal to their reference; p50/p95
latency from submit to final status; RSS and open file descriptors of each worker (its main
process and pool) at the start and end of the soak, with the peak RSS sampled every 5 s.

    .venv/bin/python bench/soak.py --jobs 100 --minutes 20 --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from checkout import ROOT
from essay import TEXT_SEED, generate_text
from processes import open_fds, rss_mb, tree
from report import load_note, markdown_table, write_section
from soak_chaos import Chaos, start_chaos
from timed_jobs import empty_cache, submit_text

from narration.adapters.job_records import FINAL_STATUSES
from narration.connections import Services
from narration.errors import NarrationError
from narration.settings import Settings

TEXT_SIZES: Final = (1_200, 1_800, 2_500, 3_200, 4_000, 4_800, 9_000)
"""Characters of each soak text: most 1,000-5,000, one longer."""
TEXT_WEIGHTS: Final = (3, 3, 3, 3, 2, 2, 1)
FORMATS: Final = ("mp3", "opus", "flac", "m4b")
VISIBILITY_TIMEOUT_S: Final = "60"
SAMPLE_EVERY_S: Final = 5.0
SUBMIT_RETRY_S: Final = 180.0
_TASK_DONE: Final = re.compile(
    r"Task (narration\.\w+)\[[^\]]+\] succeeded in ([0-9.]+)s: (?:.*?jobs/([0-9a-f]{32})/)?"
)
SETTLE_S: Final = 600.0
"""How long after the last submission the soak waits for the last job to end."""


@dataclass(frozen=True)
class Pair:
    text: int
    format: str


@dataclass
class SoakJob:
    pair: Pair
    job_id: str = ""
    submitted_at: float = 0.0
    ended_at: float = float("nan")
    status: str = ""
    submit_attempts: int = 0

    @property
    def latency_s(self) -> float:
        return self.ended_at - self.submitted_at


@dataclass
class Usage:
    """One worker's process tree: RSS (MB) and open descriptors, summed, and of its main."""

    rss_mb: float
    fds: int
    main_fds: int


# -- process facts ---------------------------------------------------------------------------


def usage(pid: int) -> Usage:
    """A worker's usage now: its main process and pool, from /proc."""
    pids = tree(pid)
    return Usage(sum(rss_mb(p) for p in pids), sum(open_fds(p) for p in pids), open_fds(pid))


# -- jobs --------------------------------------------------------------------------------------


def _texts(count: int) -> list[str]:
    return [generate_text(size, seed=TEXT_SEED + 1 + n) for n, size in enumerate(TEXT_SIZES)][
        :count
    ]


def _pairs(texts: int) -> list[Pair]:
    """Two formats per text, rotated so that every format is used."""
    return [Pair(n, FORMATS[(n + k) % len(FORMATS)]) for n in range(texts) for k in (0, 1)]


def _submit(services: Services, settings: Settings, text: str, job: SoakJob) -> None:
    """Submit as `narrate submit` does; while the broker or store is down, try again."""
    job.submitted_at = time.monotonic()
    while True:
        job.submit_attempts += 1
        try:
            name = f"soak-{job.pair.text}.txt"
            job.job_id = submit_text(services, settings, text, name, fmt=job.pair.format)["job_id"]
            return
        except NarrationError:
            if time.monotonic() - job.submitted_at > SUBMIT_RETRY_S:
                raise
            time.sleep(2)


def _poll(services: Services, jobs: list[SoakJob]) -> None:
    records = services.records()
    for job in jobs:
        if job.job_id and not job.status:
            try:
                status = records.get(job.job_id)["status"]
            except NarrationError:
                return
            if status in FINAL_STATUSES:
                job.status, job.ended_at = status, time.monotonic()


def _wait_all(services: Services, jobs: list[SoakJob], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while any(not job.status for job in jobs) and time.monotonic() < deadline:
        _poll(services, jobs)
        time.sleep(1)


def _output(services: Services, job_id: str) -> tuple[str, list[int]]:
    """The output's sha256 and the chunk `seq`s its manifest lists, in order."""
    record = services.records().get(job_id)
    audio = services.store().get_bytes(record["output_uri"].split("/", 3)[3])
    manifest = json.loads(services.store().get_bytes(services.keys(job_id).manifest))
    return hashlib.sha256(audio).hexdigest(), [int(c["seq"]) for c in manifest["chunks"]]


def _sampler(bench: BenchStack, peaks: dict[int, float]) -> threading.Event:
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(SAMPLE_EVERY_S):
            for worker in bench.workers:
                peaks[worker.pid] = max(peaks.get(worker.pid, 0.0), usage(worker.pid).rss_mb)

    threading.Thread(target=loop, name="sampler", daemon=True).start()
    return stop


# -- the run -----------------------------------------------------------------------------------


def soak(args: argparse.Namespace) -> dict[str, Any]:
    from narration.workers.app import configure

    texts = _texts(args.texts)
    pairs = _pairs(len(texts))
    rng = random.Random(args.seed)
    weights = [TEXT_WEIGHTS[pair.text] for pair in pairs]
    plan = [SoakJob(pair) for pair in rng.choices(pairs, weights, k=args.jobs)]
    notes = [load_note()]
    with BenchStack.running() as bench:
        bench.start_workers(2, overrides={"VISIBILITY_TIMEOUT_S": VISIBILITY_TIMEOUT_S})
        settings = bench.settings
        services = configure(settings)
        began = time.monotonic()
        references = [SoakJob(pair) for pair in pairs]
        for job in references:
            _submit(services, settings, texts[job.pair.text], job)
        _wait_all(services, references, SETTLE_S)
        failed = [job.job_id for job in references if job.status != "succeeded"]
        if failed:
            raise RuntimeError(f"reference jobs did not succeed: {failed}")
        expected = {job.pair: _output(services, job.job_id) for job in references}
        reference_s = time.monotonic() - began
        empty_cache(settings)
        start_usage = {worker.pid: usage(worker.pid) for worker in bench.workers}
        peaks = {pid: used.rss_mb for pid, used in start_usage.items()}
        notes.append(load_note())
        window_s = args.minutes * 60
        chaos = Chaos()
        stop_sampler = _sampler(bench, peaks)
        stop_chaos = start_chaos(bench, window_s, args.kill_every, args.outage, chaos)
        soak_began = time.monotonic()
        for number, job in enumerate(plan):
            time.sleep(max(0.0, soak_began + number * window_s / len(plan) - time.monotonic()))
            _submit(services, settings, texts[job.pair.text], job)
            _poll(services, plan)
        notes.append(load_note())
        _wait_all(services, plan, SETTLE_S)
        stop_chaos.set()
        time.sleep(SAMPLE_EVERY_S)
        stop_sampler.set()
        soak_s = time.monotonic() - soak_began
        end_usage = {worker.pid: usage(worker.pid) for worker in bench.workers}
        notes.append(load_note())
        checked = [_check(services, job, expected) for job in plan if job.status == "succeeded"]
        longest = _longest_tasks(bench, services)
    latencies = sorted(job.latency_s for job in plan if job.status == "succeeded")
    return {
        "jobs": len(plan),
        "succeeded": sum(job.status == "succeeded" for job in plan),
        "statuses": dict(Counter(job.status or "unfinished" for job in plan)),
        "resubmitted": sum(job.submit_attempts > 1 for job in plan),
        "missing": sum(c["missing"] for c in checked),
        "duplicated": sum(c["duplicated"] for c in checked),
        "matching": sum(c["matches"] for c in checked),
        "p50_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else float("nan"),
        "longest_tasks": longest,
        "pool_kills": chaos.pool_kills,
        "restarts": chaos.restarts,
        "chaos_errors": chaos.errors,
        "pairs": len(pairs),
        "texts": [len(t) for t in texts],
        "reference_s": reference_s,
        "soak_s": soak_s,
        "workers": [
            {
                "rss_start_mb": start_usage[pid].rss_mb,
                "rss_peak_mb": peaks[pid],
                "rss_end_mb": end_usage[pid].rss_mb,
                "fds_start": start_usage[pid].fds,
                "fds_end": end_usage[pid].fds,
                "main_fds_start": start_usage[pid].main_fds,
                "main_fds_end": end_usage[pid].main_fds,
            }
            for pid in start_usage
        ],
        "notes": notes,
    }


def _longest_tasks(bench: BenchStack, services: Services) -> dict[str, dict[str, Any]]:
    """Each task kind's longest successful run, from the workers' logs; for a stitch, with
    the length and format of the audio it delivered (what visibility_timeout_s must cover)."""
    longest: dict[str, dict[str, Any]] = {}
    for worker in bench.workers:
        for name, seconds, job_id in _TASK_DONE.findall(worker.log.read_text(errors="replace")):
            if float(seconds) > longest.get(name, {}).get("seconds", -1.0):
                longest[name] = {"seconds": float(seconds), "job_id": job_id}
    for entry in longest.values():
        if entry["job_id"]:
            record = services.records().get(entry["job_id"])
            entry["audio_s"] = float(record.get("duration_s") or record["audio_seconds"])
            entry["format"] = record["format"]
    return longest


def _check(
    services: Services, job: SoakJob, expected: dict[Pair, tuple[str, list[int]]]
) -> dict[str, int]:
    digest, seqs = _output(services, job.job_id)
    reference_digest, reference_seqs = expected[job.pair]
    counts = Counter(seqs)
    return {
        "missing": len(set(reference_seqs) - set(counts)),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "matches": int(digest == reference_digest),
    }


def report(result: dict[str, Any], command: str) -> str:
    summary = markdown_table(
        ["jobs", "succeeded", "chunks missing", "chunks repeated", "outputs = reference",
         "p50 latency s", "p95 latency s", "pool kills", "restarts"],
        [[
            str(result["jobs"]),
            str(result["succeeded"]),
            str(result["missing"]),
            str(result["duplicated"]),
            f"{result['matching']} / {result['succeeded']}",
            f"{result['p50_s']:.1f}",
            f"{result['p95_s']:.1f}",
            str(result["pool_kills"]),
            ", ".join(result["restarts"]) or "none",
        ]],
    )  # fmt: skip
    workers = markdown_table(
        ["worker", "RSS start MB", "RSS peak MB", "RSS end MB", "fds start", "fds end",
         "main fds start", "main fds end"],
        [
            [str(n + 1), f"{w['rss_start_mb']:.0f}", f"{w['rss_peak_mb']:.0f}",
             f"{w['rss_end_mb']:.0f}", str(w["fds_start"]), str(w["fds_end"]),
             str(w["main_fds_start"]), str(w["main_fds_end"])]
            for n, w in enumerate(result["workers"])
        ],
    )  # fmt: skip
    lines = [
        f"`{command}`: {result['jobs']} jobs over {result['pairs']} (text, format) pairs, "
        f"texts of {', '.join(f'{n:,}' for n in result['texts'])} characters; references "
        f"{result['reference_s']:.0f} s, soak {result['soak_s']:.0f} s (submission to last "
        f"job end); statuses {result['statuses']}; {result['resubmitted']} submissions "
        "retried while a service was down."
        + (f" Chaos errors: {result['chaos_errors']}." if result["chaos_errors"] else ""),
        "",
        summary,
        "",
        "Longest task of each kind (from the workers' logs): "
        + "; ".join(
            f"{name.split('.')[-1]} {entry['seconds']:.1f} s"
            + (
                f" ({entry['format']}, {entry['audio_s']:.0f} s of audio)"
                if "format" in entry
                else ""
            )
            for name, entry in sorted(result["longest_tasks"].items())
        )
        + ".",
        "",
        "Each worker's main process and pool (two workers, concurrency 1, one engine thread):",
        "",
        workers,
        "",
        "Machine (start, after references, after last submission, end): "
        + " | ".join(result["notes"]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=20.0, help="submission window")
    parser.add_argument("--texts", type=int, default=len(TEXT_SIZES), choices=range(1, 8))
    parser.add_argument("--kill-every", type=float, default=30.0, help="seconds between kills")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds a service is down")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--write", action="store_true", help="write the tables into docs/")
    args = parser.parse_args(argv)
    command = "bench/soak.py " + " ".join(argv if argv is not None else sys.argv[1:])
    result = soak(args)
    text = report(result, command)
    print(text)
    print(json.dumps(result, indent=2))
    if args.write:
        for page in ("OPERATIONS.md", "BENCHMARKS.md"):
            write_section(ROOT / "docs" / page, "soak", "## Chaos soak\n\n" + text)
    return 0 if result["succeeded"] == result["jobs"] and not result["missing"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
