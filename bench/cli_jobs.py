"""A job as a user runs it: `narrate submit FILE --wait` as a process, timed from its start to
its exit, with where the time went (the job's event stream) and what each process spent.

Stages, from the broker's own timestamps of the job's events (`RedisJobRecords.history`),
against the wall clock at the process's start and exit (one machine, one clock):

- start-up: process start → `queued` (the job record made, its work sent);
- queue wait: `queued` → `running` (a synth task picked up the first chunk);
- first chunk: `running` → the first `chunk` event (a chunk made, shaped, stored, committed);
- chain: first → last `chunk` event (the rest of the chunks, chains in parallel);
- commit → stitch: last `chunk` → `stitching` (the chord's last chain returning, the stitch
  task queued and started);
- stitch tail: `stitching` → `succeeded` (the output assembled, encoded where not made in
  parts, stored; the manifest written);
- CLI exit: `succeeded` → the process's exit (its poll of the job record, its exit).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cli_startup import narrate_command
from processes import cpu_seconds

from narration import stack
from narration.adapters.object_store import parse_s3_uri
from narration.connections import resolve
from narration.settings import Settings

STAGES: Final = (
    "start-up",
    "queue wait",
    "first chunk",
    "chain",
    "commit → stitch",
    "stitch tail",
    "CLI exit",
)


@dataclass
class CliJob:
    """One `narrate submit FILE --wait`: its wall time, stages and CPU seconds by process."""

    job_id: str
    wall_s: float
    chunks: int
    audio_s: float
    stages: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds during the run: `narrate` (the CLI), `valkey`, `seaweedfs`, and each worker
    (`worker 1`, … with its pool processes and the ffmpeg it ran)."""


def process_cpu(settings: Settings, workers: Sequence[int]) -> dict[str, float]:
    """CPU seconds so far of the stack's services and of each worker (with its descendants)."""
    found = {}
    for name, pid in (stack.status(settings.home) or {}).get("pids", {}).items():
        if isinstance(pid, list):  # `narrate up`'s own workers, its proof workers
            found.update({f"{name} {n}": cpu_seconds([int(p)]) for n, p in enumerate(pid, 1)})
        elif pid:
            found[name] = cpu_seconds([int(pid)])
    for number, pid in enumerate(workers, 1):
        found[f"worker {number}"] = cpu_seconds([pid])
    return found


def stages(
    history: Sequence[tuple[float, Mapping[str, object]]], start: float, end: float
) -> dict[str, float]:
    """Seconds spent in each of `STAGES`, from the job's events and the process's start and end
    on the wall clock."""
    first: dict[str, float] = {}
    chunk_times = []
    for moment, event in history:
        kind = str(event["kind"])
        first.setdefault(kind, moment)
        if kind == "chunk":
            chunk_times.append(moment)
    points = [
        start,
        first["queued"],
        first["running"],
        min(chunk_times),
        max(chunk_times),
        first["stitching"],
        first["succeeded"],
        end,
    ]
    return {name: points[n + 1] - points[n] for n, name in enumerate(STAGES)}


def submit_wait(
    settings: Settings,
    env: Mapping[str, str],
    document: Path,
    seed: int,
    workers: Sequence[int],
    extra: Sequence[str] = (),
) -> CliJob:
    """Run `narrate submit DOCUMENT --wait --seed SEED [EXTRA]` against the stack of `settings`;
    fails unless the job succeeded with its output in storage."""
    argv = [*narrate_command(), "submit", str(document), "--wait", "--seed", str(seed), *extra]
    before = process_cpu(settings, workers)
    start, started = time.time(), time.perf_counter()
    process = subprocess.Popen(
        argv, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    first_line = process.stderr.readline().decode(errors="replace")
    rest = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall, end = time.perf_counter() - started, time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not first_line.startswith("job "):
        raise RuntimeError(f"narrate exited {process.returncode}: {first_line}{rest[-2000:]}")
    job_id = first_line.split()[1].rstrip(":")
    after = process_cpu(settings, workers)
    services = resolve(settings)
    records = services.records()
    record = records.get(job_id)
    output = parse_s3_uri(str(record["output_uri"]))
    if record["status"] != "succeeded" or not services.store(output.bucket).exists(output.key):
        raise RuntimeError(f"job {job_id}: {record['status']}, no output at {output.uri}")
    job = CliJob(
        job_id,
        wall,
        int(record["chunks_total"]),
        float(record.get("duration_s") or record["audio_seconds"]),
        stages(records.history(job_id), start, end),
    )
    job.cpu = {"narrate": usage.ru_utime + usage.ru_stime}
    job.cpu.update({name: after[name] - before.get(name, 0.0) for name in after})
    return job
