"""`narrate check` on the real stack: the broker and bucket, the bucket made on demand, and a
live worker on this host (the session stack's worker runs here and sends heartbeats)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from narration.errors import EXIT_SERVICE
from tests.conftest import narrate
from tests.integration.faults import wait_until

pytestmark = pytest.mark.integration


def test_check_reports_the_broker_and_the_bucket(stack_env: dict[str, str]) -> None:
    checked = narrate(stack_env, "check", "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == {"broker": True, "bucket": "narration"}


def test_a_missing_bucket_fails_until_it_is_created(stack_env: dict[str, str]) -> None:
    env = {**stack_env, "NARRATION_S3_BUCKET": f"check-{time.time_ns()}"}
    missing = narrate(env, "check")
    assert missing.returncode == EXIT_SERVICE
    assert "--create-bucket" in missing.stderr
    created = narrate(env, "check", "--create-bucket")
    assert created.returncode == 0, created.stderr
    assert narrate(env, "check").returncode == 0


def test_check_worker_finds_the_worker_on_this_host(stack_env: dict[str, str]) -> None:
    found: dict[str, list[str]] = {}

    def worker_seen() -> bool:
        checked = narrate(stack_env, "check", "--worker", "--json")
        if checked.returncode == 0:
            found.update(json.loads(checked.stdout))
        return checked.returncode == 0

    wait_until(worker_seen, timeout=120, what="a heartbeat from the stack's worker")
    assert all(node.endswith("@" + socket.gethostname()) for node in found["workers"])


def test_celery_tools_reach_the_workers_through_the_configured_app(
    stack_env: dict[str, str],
) -> None:
    """`celery -A narration.workers.configured …` (Flower's command in compose.yaml) finds the
    broker from the settings alone."""
    pinged = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "narration.workers.configured", "inspect", "ping"],
        env=stack_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pinged.returncode == 0, pinged.stderr
    assert "pong" in pinged.stdout
