"""What the metrics cost: a worker's report per chunk, and a `/metrics` scrape as jobs pile up.

`python bench/metrics.py` starts a private Valkey + SeaweedFS (no workers) and measures
(a) `WorkerReports.chunk`, the one pipelined Redis call a worker makes per chunk, and
`WorkerReports.batch`, per engine batch; (b) `GET /metrics` through the real app (in this
process, over the real broker) with 0, 1,000 and 10,000 job records, since jobs by status reads
every record's status. `--write` puts the table into docs/BENCHMARKS.md.

    python bench/metrics.py --write
    python bench/metrics.py --jobs 0,1000 --calls 500      # quicker
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack
from report import load_change, markdown_table, print_section

from narration.adapters.job_records import new_job_id
from narration.adapters.worker_reports import WorkerReports
from narration.connections import resolve
from narration.service.app import create_app

BENCHMARKS = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
SCRAPES = 5


def _per_call_ms(call: object, calls: int) -> tuple[float, float]:
    """Median and 99th percentile of one call, in milliseconds."""
    assert callable(call)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="0,1000,10000", help="Job record counts to scrape at.")
    parser.add_argument("--calls", type=int, default=2000, help="Report calls to time.")
    parser.add_argument("--write", action="store_true", help="Write docs/BENCHMARKS.md.")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rows = []
    with BenchStack.running() as bench:
        services = resolve(bench.settings)
        reports = WorkerReports.connect(services.broker())
        chunk = _per_call_ms(lambda: reports.chunk("piper", False, 0.8, 12.0), args.calls)
        batch = _per_call_ms(lambda: reports.batch("torch", 16), args.calls)
        rows.append(["worker report per chunk (`chunk`)", "", f"{chunk[0]:.3f}", f"{chunk[1]:.3f}"])
        rows.append(["worker report per batch (`batch`)", "", f"{batch[0]:.3f}", f"{batch[1]:.3f}"])
        records = services.records()
        client = TestClient(create_app(bench.settings), base_url="http://localhost")
        made = 0
        for target in (int(n) for n in args.jobs.split(",")):
            for _ in range(target - made):
                records.create(new_job_id(), {"chunks_total": 10})
            made = max(made, target)
            times = []
            for _ in range(SCRAPES):
                started = time.perf_counter()
                reply = client.get("/metrics")
                times.append((time.perf_counter() - started) * 1000)
                assert reply.status_code == 200, reply.text
            rows.append(
                [
                    "`GET /metrics`",
                    f"{made:,}",
                    f"{statistics.median(times):.1f}",
                    f"{max(times):.1f}",
                ]
            )
    load_after = os.getloadavg()
    table = markdown_table(["what", "job records", "median ms", "p99 / max ms"], rows)
    note = (
        f"Machine: {os.cpu_count()} cores; load average (1/5/15 min) "
        f"{load_change(load_before, load_after)}; {args.calls} report calls, "
        f"{SCRAPES} scrapes per row (max shown for scrapes), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
        f"Rerun: `python bench/metrics.py --write`"
    )
    body = "## Metrics: what reporting and scraping cost\n\n" + table + "\n\n" + note
    print_section(body, BENCHMARKS if args.write else None, "metrics")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
