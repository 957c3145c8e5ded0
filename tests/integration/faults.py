"""Shared helpers for the fault tests: submit, wait on job records, find worker processes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import FINAL_STATUSES
from narration.connections import Services, read_stack_file
from tests.conftest import narrate

PROSE = (
    "The river ran brown after the rain, and the ferry waited at the landing. "
    "A boy sat on the rail and counted the gulls. The ferryman said nothing. "
    "When the bell rang, the cars rolled aboard one by one, and the deck settled lower. "
)


def long_text(paragraphs: int) -> str:
    return "\n\n".join(f"Part {n}. {PROSE}" for n in range(1, paragraphs + 1))


def submit(env: dict[str, str], path: Path, *extra: str) -> str:
    result = narrate(env, "submit", str(path), "--json", *extra)
    assert result.returncode == 0, result.stderr
    job_id: str = json.loads(result.stdout)["job_id"]
    return job_id


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def wait_final(services: Services, job_id: str, timeout: float = 240) -> JobRecord:
    records = services.records()
    wait_until(lambda: records.get(job_id)["status"] in FINAL_STATUSES, timeout, "job end")
    return records.get(job_id)


def worker_pids(home: Path) -> list[int]:
    info = read_stack_file(home)
    assert info is not None
    return [int(pid) for pid in info["pids"]["workers"]]  # type: ignore[index]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def output_bytes(services: Services, job_id: str) -> bytes:
    record = services.records().get(job_id)
    key = record["output_uri"].split("/", 3)[3]
    return services.store().get_bytes(key)
