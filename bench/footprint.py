"""What one job leaves behind and what a worker holds: figures for capacity planning.

`python bench/footprint.py` starts a private stack with one worker of `--processes` pool
processes, narrates `--chars` of the bench text, and reports the resident memory of the
worker's processes (main and pool, after the job), the Valkey memory the job's record, event
stream and done set take (`MEMORY USAGE`), and the bytes it put in the bucket: its chunk-cache
entries, its own objects (chunk metadata, parts, output, manifest, captions). `--write` puts the
table into docs/BENCHMARKS.md (docs/OPERATIONS.md, "Capacity planning", uses it).

    python bench/footprint.py --write
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from essay import bench_text
from report import load_change, markdown_table, print_section
from timed_jobs import run_job

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.object_store import ObjectStore
from narration.adapters.redis_clients import sync_client
from narration.connections import resolve

BENCHMARKS = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _bucket_bytes(store: ObjectStore, prefix: str) -> tuple[int, int]:
    """Objects and bytes under `prefix`."""
    keys = store.list_keys(prefix)
    return len(keys), sum(store.size(key) for key in keys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=6000, help="Characters of bench text.")
    parser.add_argument("--processes", type=int, default=2, help="Pool processes.")
    parser.add_argument("--write", action="store_true", help="Write docs/BENCHMARKS.md.")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with BenchStack.running() as bench:
        bench.start_workers(1, concurrency=args.processes)
        timing = run_job(bench.settings, bench_text(args.chars))
        services = resolve(bench.settings)
        worker = bench.workers[0].pid
        pool = _children(worker)
        main_rss = _rss_mb(worker)
        pool_rss = [_rss_mb(pid) for pid in pool]
        client = sync_client(services.broker())
        job = timing.job_id
        valkey = sum(
            int(client.memory_usage(key) or 0)
            for key in (
                f"narration:job:{job}",
                f"narration:job:{job}:events",
                f"narration:job:{job}:done",
            )
        )
        store = services.store()
        cache = _bucket_bytes(store, CACHE_PREFIX)
        own = _bucket_bytes(store, services.keys(job).artifact(""))
    audio_h = timing.audio_seconds / 3600
    rows = [
        ["job", f"{timing.chunks} chunks, {timing.audio_seconds:.0f} s of audio", ""],
        ["worker main process RSS", f"{main_rss:.0f} MB", ""],
        [
            f"worker pool process RSS ({len(pool_rss)})",
            " / ".join(f"{v:.0f}" for v in pool_rss) + " MB",
            "",
        ],
        ["Valkey: the job's hash, events, done set", f"{valkey / 1024:.0f} KB", ""],
        [
            "bucket: chunk cache",
            f"{cache[0]} objects, {cache[1] / 1e6:.1f} MB",
            f"{cache[1] / 1e6 / audio_h:.0f} MB per audio hour",
        ],
        [
            "bucket: the job's objects (mp3 output, metadata, parts)",
            f"{own[0]} objects, {own[1] / 1e6:.1f} MB",
            f"{own[1] / 1e6 / audio_h:.0f} MB per audio hour",
        ],
    ]
    load_after = os.getloadavg()
    table = markdown_table(["what", "measured", "scaled"], rows)
    note = (
        f"One worker, {args.processes} pool processes, {args.chars:,} characters of the bench "
        f"text, default settings (MP3). Machine: {os.cpu_count()} cores; load average "
        f"{load_change(load_before, load_after)}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
        "Rerun: `python bench/footprint.py --write`"
    )
    body = "## Footprint: a worker's memory, a job's broker and storage bytes\n\n"
    body += table + "\n\n" + note
    print_section(body, BENCHMARKS if args.write else None, "footprint")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
