"""How much memory each worker process holds after a job: VmRSS of every process a layout runs.

`python bench/worker_memory.py` starts Valkey and SeaweedFS under a throwaway home, then for each
layout starts its workers under the supervisor (as `narrate up` does), narrates `--chars` of the
bench text with a fresh seed (so every chunk is synthesised), and reads `/proc/PID/status` of
every process of every worker: VmRSS after the job (shared pages counted in full, as the kernel
reports them) and VmHWM, the most it held at any time. The layouts:

- `up`: what `narrate up` starts, one worker on `synth,stitch` with a process per core;
- `split`: a synthesis worker (`-Q synth`, a process per core) and a stitch worker
  (`-Q stitch`, one process), as compose.yaml runs them.

`--write` puts the table into docs/BENCHMARKS.md ("Worker memory").

    python bench/worker_memory.py --chars 9000 --write
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench_stack import WORKER_READY_TIMEOUT_S, BenchStack, clean_environ
from essay import bench_text
from processes import children
from report import load_change, markdown_table, print_section
from timed_jobs import JOB_SEED, run_job

from narration import stack
from narration.adapters.worker_reports import WorkerReports
from narration.connections import resolve
from narration.settings import Settings, child_environment
from narration.stack.commands import supervised

BENCHMARKS: Final = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
LAYOUTS: Final = {
    "up": [("synth,stitch", 0)],
    "split": [("synth", 0), ("stitch", 1)],
}
"""Each layout's workers: queues and processes (0: one per core, as `narrate up` chooses)."""


@dataclass(frozen=True)
class Reading:
    """One process of a worker, after the job."""

    layout: str
    role: str
    pid: int
    rss_mb: float
    hwm_mb: float


def status_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of one process in MB (empty once it has gone)."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return found


def _python_children(pid: int) -> list[int]:
    """Children running this Python (a pool's processes; not an ffmpeg a stitch started)."""
    image = os.readlink("/proc/self/exe")
    alive = []
    for child in children(pid):
        try:
            if os.readlink(f"/proc/{child}/exe") == image:
                alive.append(child)
        except OSError:
            continue
    return alive


def read_worker(layout: str, supervisor: int, queues: str) -> list[Reading]:
    """The supervisor, the Celery main process under it, and the main's pool processes."""
    readings = []
    for pid, role in [(supervisor, "supervisor")] + [
        (main, f"worker main (-Q {queues})") for main in _python_children(supervisor)
    ]:
        figures = status_mb(pid)
        readings.append(Reading(layout, role, pid, figures["VmRSS"], figures["VmHWM"]))
        if role != "supervisor":
            for child in _python_children(pid):
                figures = status_mb(child)
                readings.append(
                    Reading(
                        layout,
                        f"pool process (-Q {queues})",
                        child,
                        figures["VmRSS"],
                        figures["VmHWM"],
                    )
                )
    return readings


def start_layout(settings: Settings, layout: str) -> list[tuple[int, str]]:
    """Start the layout's workers under the supervisor; wait for their heartbeats."""
    environ = child_environment(settings, None, base=clean_environ())
    started = []
    names = set()
    for number, (queues, processes) in enumerate(LAYOUTS[layout]):
        name = f"{layout}{number}-{os.getpid()}"
        command = stack.worker_command(
            queues=queues,
            concurrency=processes or stack.processes_per_worker(1),
            name=f"{name}@%h",
        )
        log = settings.home / "stack" / f"{name}.log"
        started.append((stack.spawn(supervised(command), log, environ), queues))
        names.add(name)
    reports = WorkerReports.connect(resolve(settings).broker())
    deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
    while names:
        for live in reports.live_workers():
            names.discard(str(live["node"]).split("@", 1)[0])
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers {sorted(names)} did not start; see {settings.home}")
        time.sleep(0.1)
    return started


def measure(bench: BenchStack, layout: str, chars: int) -> list[Reading]:
    workers = start_layout(bench.settings, layout)
    try:
        seed = random.SystemRandom().randrange(JOB_SEED + 1, 2**31)
        run_job(bench.settings, bench_text(chars), seed=seed)
        # The stitch's last writes and the pool's bookkeeping settle within a moment.
        time.sleep(2.0)
        return [reading for pid, queues in workers for reading in read_worker(layout, pid, queues)]
    finally:
        for pid, _ in workers:
            stack.stop_process(pid)


def table(readings: list[Reading]) -> str:
    rows = [
        [r.layout, r.role, f"{r.rss_mb:.0f}", f"{r.hwm_mb:.0f}", "yes" if r.rss_mb <= 350 else "no"]
        for r in readings
    ]
    header = ["layout", "process", "VmRSS after the job, MB", "VmHWM (peak), MB", "≤ 350 MB"]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=9000, help="Characters of bench text.")
    parser.add_argument(
        "--layout", action="append", choices=sorted(LAYOUTS), help="Layouts (default: all)."
    )
    parser.add_argument("--write", action="store_true", help="Write docs/BENCHMARKS.md.")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    readings: list[Reading] = []
    with BenchStack.running() as bench:
        for layout in args.layout or list(LAYOUTS):
            readings += measure(bench, layout, args.chars)
    note = (
        f"{args.chars:,} characters of the bench text, a fresh seed, default settings (MP3). "
        f"Machine: {os.cpu_count()} cores, shared; load average "
        f"{load_change(load_before, os.getloadavg())}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
        f"Rerun: `python bench/worker_memory.py --chars {args.chars} --write`"
    )
    body = "## Worker memory: every process after a job\n\n" + table(readings) + "\n\n" + note
    print_section(body, BENCHMARKS if args.write else None, "worker-memory")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
