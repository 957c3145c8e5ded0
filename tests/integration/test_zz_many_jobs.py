"""Fifty jobs at once on two workers: all succeed, none mixed up with another.

Named to run last: it scales the session's stack to two workers and back.
"""

from __future__ import annotations

import json
from pathlib import Path

from narration import stack
from narration.cli.common import state
from narration.cli.job_commands import submit_document
from narration.connections import Services
from narration.jobs import SubmitRequest
from narration.settings import Settings
from tests.conftest import up_stack
from tests.integration.faults import wait_final

JOBS = 50


def test_fifty_jobs_on_two_workers(
    stack_home: Path, services: Services, settings: Settings, tmp_path: Path
) -> None:
    up_stack(stack_home, workers=2)
    try:
        state.config = None
        state.__dict__["settings"] = settings
        texts = {}
        for number in range(JOBS):
            path = tmp_path / f"job{number}.txt"
            path.write_text(f"This is job number {number}. It belongs to nobody else.")
            record = submit_document(str(path), SubmitRequest())
            texts[record["job_id"]] = path.read_text()
        store = services.store()
        for job_id, text in texts.items():
            record = wait_final(services, job_id, timeout=600)
            assert record["status"] == "succeeded", record["error"]
            manifest = json.loads(store.get_bytes(services.keys(job_id).manifest))
            assert manifest["job_id"] == job_id
            assert " ".join(c["text"] for c in manifest["chunks"]) == text
    finally:
        state.__dict__.pop("settings", None)
        stack.stop_workers(stack_home)
        up_stack(stack_home, workers=1)
