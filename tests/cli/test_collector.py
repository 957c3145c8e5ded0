"""The collector is rare while a command starts and back as it was once the command follows a
job (`cli.collector`)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, cast

import pytest

from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import JobRecords
from narration.cli.collector import START_THRESHOLD, collect_as_usual, collect_rarely
from narration.cli.progress import follow_job
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[tuple[int, ...]]:
    before = gc.get_threshold()
    yield before
    collect_as_usual()
    gc.set_threshold(*before)


def test_rarely_then_as_usual_puts_back_the_thresholds(thresholds: tuple[int, ...]) -> None:
    collect_rarely()
    collect_rarely()
    assert gc.get_threshold() == (START_THRESHOLD, *thresholds[1:])
    collect_as_usual()
    assert gc.get_threshold() == thresholds
    collect_as_usual()
    assert gc.get_threshold() == thresholds


def test_narrate_starts_collecting_rarely() -> None:
    """`narrate` as its console script runs it: the threshold as the command ends."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_threshold()[0], file=sys.stderr))\n"
        "sys.argv = ['narrate', '--help']\n"
        "from narration.cli.main import entry\n"
        "entry()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.split() == [str(START_THRESHOLD)]


class _EndedJob:
    """The job records of one job that has already succeeded."""

    def get(self, job_id: str) -> JobRecord:
        fields = {"status": "succeeded", "chunks_total": 1, "chunks_done": 1, "audio_seconds": 2.0}
        return cast(JobRecord, {"job_id": job_id, **fields})

    def follow(self, job_id: str, block_ms: int = 1000) -> Iterator[dict[str, Any] | None]:
        yield None


def test_following_a_job_collects_as_usual(thresholds: tuple[int, ...]) -> None:
    collect_rarely()
    record = follow_job(cast(JobRecords, _EndedJob()), "0" * 32, show=False, timeout=5)
    assert record["status"] == "succeeded"
    assert gc.get_threshold() == thresholds
