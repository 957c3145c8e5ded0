"""`segments`, `duration_s`, `chunks_done` and `chunks_total` are JSON numbers, always present,
in `narrate status --json`, `narrate list --json` and the native API's job view (docs/CLI.md,
docs/API.md): the Redis hash stores strings, and they are converted at the record's boundary."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from narration.adapters.job_records import new_job_id
from narration.connections import Services
from narration.service.app import create_app
from narration.settings import Settings
from tests.conftest import narrate

NUMBERS = {"segments": int, "duration_s": float, "chunks_done": int, "chunks_total": int}


def assert_numbers(record: dict[str, Any], **expected: float) -> None:
    for name, kind in NUMBERS.items():
        assert name in record, f"{name} is missing"
        assert type(record[name]) is kind, f"{name} is {record[name]!r}"
    for name, value in expected.items():
        assert record[name] == value, name


@pytest.fixture(scope="module")
def jobs(services: Services) -> dict[str, str]:
    """A queued job, and one that succeeded, made directly in the job records."""
    records = services.records()
    queued, done = new_job_id(), new_job_id()
    records.create(queued, {"title": "queued", "chunks_total": 4, "segments": 2})
    records.create(done, {"title": "done", "chunks_total": 2, "segments": 1})
    for chunk in ("0", "1"):
        records.chunk_done(done, chunk, 1.25)
    records.set_status(done, "succeeded", duration_s=2.75, output_uri="s3://b/k.mp3")
    return {"queued": queued, "done": done}


def test_status_json_gives_numbers(stack_env: dict[str, str], jobs: dict[str, str]) -> None:
    for which, expected in (
        ("queued", {"segments": 2, "duration_s": 0.0, "chunks_done": 0, "chunks_total": 4}),
        ("done", {"segments": 1, "duration_s": 2.75, "chunks_done": 2, "chunks_total": 2}),
    ):
        result = narrate(stack_env, "status", jobs[which], "--json")
        assert result.returncode == 0, result.stderr
        assert_numbers(json.loads(result.stdout), **expected)


def test_list_json_gives_numbers(stack_env: dict[str, str], jobs: dict[str, str]) -> None:
    result = narrate(stack_env, "list", "--json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    listed = {record["job_id"]: record for record in json.loads(result.stdout)["jobs"]}
    for job_id in jobs.values():
        assert_numbers(listed[job_id])


def test_the_native_api_gives_numbers(settings: Settings, jobs: dict[str, str]) -> None:
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        queued = client.get(f"/v1/jobs/{jobs['queued']}").json()
        done = client.get(f"/v1/jobs/{jobs['done']}").json()
        listed = client.get("/v1/jobs", params={"limit": 1000}).json()["jobs"]
    assert_numbers(queued, segments=2, duration_s=0.0, chunks_total=4)
    assert_numbers(done, segments=1, duration_s=2.75, chunks_done=2)
    for record in listed:
        assert_numbers(record)
