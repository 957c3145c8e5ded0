"""Following a job: a rich progress bar fed by the job's event stream."""

from __future__ import annotations

import time

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import FINAL_STATUSES, JobRecords
from narration.cli.collector import collect_as_usual
from narration.cli.common import err_console


def follow_job(
    records: JobRecords, job_id: str, show: bool = True, timeout: float | None = None
) -> JobRecord:
    """Block until the job ends (or `timeout` passes); return the last record."""
    collect_as_usual()
    record = records.get(job_id)
    deadline = None if timeout is None else time.monotonic() + timeout
    progress = Progress(
        TextColumn("[bold]{task.fields[status]:<10}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} chunks"),
        TextColumn("{task.fields[minutes]:.1f} min audio"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show,
        transient=False,
    )
    with progress:
        bar = progress.add_task(
            "job", total=max(1, record["chunks_total"]), status=record["status"], minutes=0.0
        )
        for _ in records.follow(job_id):
            record = records.get(job_id)
            progress.update(
                bar,
                completed=record["chunks_done"],
                status=record["status"],
                minutes=record["audio_seconds"] / 60,
            )
            if record["status"] in FINAL_STATUSES:
                break
            if deadline is not None and time.monotonic() > deadline:
                break
    if show and record["status"] in ("failed", "cancelled"):
        err_console.print(f"job {job_id} {record['status']}: {record.get('error') or ''}")
    return record
