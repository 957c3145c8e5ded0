"""Nothing lost: worker deaths, broker restarts, storage outages, resume and cancel, on the
real stack. Outputs are compared byte for byte with undisturbed runs of the same seed."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from narration import stack
from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.redis_clients import sync_client
from narration.connections import Services, resolve
from narration.engines.registry import queues
from narration.settings import Settings, load_settings
from tests.conftest import TEST_VISIBILITY_TIMEOUT_S, narrate, up_stack
from tests.integration.faults import (
    children,
    long_text,
    output_bytes,
    submit,
    wait_final,
    wait_until,
    worker_pids,
)

SEED = "4242"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "ferry.txt"
    path.write_text(long_text(6))
    return path


@pytest.fixture(scope="module")
def reference(stack_env: dict[str, str], services: Services, document: Path) -> bytes:
    """An undisturbed run with the fixed seed."""
    job_id = submit(stack_env, document, "--seed", SEED)
    assert wait_final(services, job_id)["status"] == "succeeded"
    return output_bytes(services, job_id)


@pytest.fixture(autouse=True)
def no_cached_chunks(services: Services) -> None:
    """Each fault must meet a job that really synthesises: empty the bucket's chunk cache, so
    that identical bytes prove determinism, not reuse."""
    services.store().delete_prefix(CACHE_PREFIX)


def _progressed(services: Services, job_id: str, chunks: int) -> bool:
    return services.records().get(job_id)["chunks_done"] >= chunks


def _nothing_in_flight(services: Services) -> bool:
    """Every queue is empty and no task is unacknowledged (kombu's `unacked` hash; tasks are
    acknowledged when they end), so nothing more can be stored."""
    broker = sync_client(services.broker())
    if broker.hlen("unacked"):
        return False
    lists = [
        key
        for queue in (*queues(), "stitch")
        for key in broker.scan_iter(match=f"{queue}*")
        if broker.type(key) == b"list"
    ]
    return not any(broker.llen(key) for key in lists)


def _ending(services: Services, job_id: str) -> bool:
    """Every chunk is made: the last part is being encoded, or the stitch has begun."""
    record = services.records().get(job_id)
    assert record["status"] != "succeeded", "the job ended before the outage could begin"
    done = record["chunks_total"] and record["chunks_done"] >= record["chunks_total"]
    return bool(done) or record["status"] == "stitching"


def test_same_document_twice_gives_identical_audio(
    stack_env: dict[str, str], services: Services, document: Path, reference: bytes
) -> None:
    job_id = submit(stack_env, document, "--seed", SEED)
    record = wait_final(services, job_id)
    assert record["status"] == "succeeded"
    assert record["chunks_reused"] == 0
    assert output_bytes(services, job_id) == reference


def test_worker_process_killed_mid_job(
    stack_env: dict[str, str],
    services: Services,
    stack_home: Path,
    document: Path,
    reference: bytes,
) -> None:
    job_id = submit(stack_env, document, "--seed", SEED)
    wait_until(lambda: _progressed(services, job_id, 2), 120, "two chunks")
    (supervisor,) = worker_pids(stack_home)
    (worker,) = children(supervisor)
    pool = children(worker)
    assert pool
    for child in pool:
        os.kill(child, signal.SIGKILL)
    record = wait_final(services, job_id)
    assert record["status"] == "succeeded", record["error"]
    assert record["chunks_done"] == record["chunks_total"]
    assert output_bytes(services, job_id) == reference


def test_whole_worker_killed_and_replaced(
    stack_env: dict[str, str],
    services: Services,
    stack_home: Path,
    document: Path,
    reference: bytes,
) -> None:
    """The machine dies: its unacknowledged task comes back after the visibility timeout."""
    job_id = submit(stack_env, document, "--seed", SEED)
    wait_until(lambda: _progressed(services, job_id, 2), 120, "two chunks")
    (supervisor,) = worker_pids(stack_home)
    pool = [pid for child in children(supervisor) for pid in children(child)]
    os.killpg(supervisor, signal.SIGKILL)
    os.waitpid(supervisor, 0)  # gone for sure before `up` looks for live workers
    for child in pool:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    up_stack(stack_home, workers=1)
    record = wait_final(services, job_id, timeout=300)
    assert record["status"] == "succeeded", record["error"]
    assert output_bytes(services, job_id) == reference


OUTAGES = {
    "broker restarted mid-job": ("valkey", signal.SIGTERM, 2, "chunks"),
    "storage down 30 s while chunks are written": ("seaweedfs", signal.SIGKILL, 30, "chunks"),
    "storage down 30 s during the final upload": ("seaweedfs", signal.SIGKILL, 30, "stitching"),
}


@pytest.mark.parametrize("outage", OUTAGES)
def test_service_outage_mid_job(
    stack_env: dict[str, str],
    services: Services,
    stack_home: Path,
    document: Path,
    reference: bytes,
    outage: str,
) -> None:
    service, sig, down_s, moment = OUTAGES[outage]
    if moment == "stitching":
        # Cached chunks would make the ending (part encode, join, upload) take ~0.1 s; rendered
        # ones give it a second or more, long enough to be caught by polling.
        services.store().delete_prefix(CACHE_PREFIX)
    job_id = submit(stack_env, document, "--seed", SEED)
    if moment == "stitching":
        wait_until(lambda: _ending(services, job_id), 180, "the last chunk or the stitch")
    else:
        wait_until(lambda: _progressed(services, job_id, 2), 120, "two chunks")
    stack.stop_service(stack_home, service, sig)
    time.sleep(down_s)
    stack.start_service(stack_home, service)
    record = wait_final(services, job_id, timeout=300)
    assert record["status"] == "succeeded", record["error"]
    assert output_bytes(services, job_id) == reference


DURABLE_BROKER = {
    "appendonly": "yes",
    "appendfsync": "everysec",
    "maxmemory-policy": "noeviction",
}
"""What docs/OPERATIONS.md asks of an operator's Redis, and the embedded Valkey runs with."""


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A stack of the test's own, with one worker: its broker is killed, so not the session's."""
    home = tmp_path / "home"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    env = {
        **clean,
        "NARRATION_HOME": str(home),
        "NARRATION_VISIBILITY_TIMEOUT_S": TEST_VISIBILITY_TIMEOUT_S,
    }
    try:
        result = narrate(env, "up", "--workers", "1")
        assert result.returncode == 0, result.stderr
        yield env
    finally:
        stack.down(home)


def test_broker_killed_and_stack_brought_up_again(
    private_stack: dict[str, str], document: Path, reference: bytes
) -> None:
    """SIGKILL of Valkey loses what it had not appended to its AOF yet (the write in progress;
    up to a second of writes under `appendfsync everysec` if the machine itself fails), a
    suffix of acks, done marks and chain messages that may only cause re-work. `narrate up`
    starts the stack again on the same data (new ports and password), and the job completes
    with the same bytes (docs/OPERATIONS.md)."""
    env = private_stack
    home = Path(env["NARRATION_HOME"])
    services = resolve(load_settings(environ=env))
    broker = sync_client(services.broker())
    for name, value in DURABLE_BROKER.items():
        assert broker.config_get(name) == {name: value}
    job_id = submit(env, document, "--seed", SEED)
    wait_until(lambda: _progressed(services, job_id, 2), 120, "two chunks")
    stack.stop_service(home, "valkey", signal.SIGKILL)
    result = narrate(env, "up", "--workers", "1")
    assert result.returncode == 0, result.stderr
    services = resolve(load_settings(environ=env))
    record = wait_final(services, job_id, timeout=300)
    assert record["status"] == "succeeded", record["error"]
    assert record["chunks_done"] == record["chunks_total"]
    assert output_bytes(services, job_id) == reference


def test_cancel_stops_new_chunks(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "long.txt"
    path.write_text(long_text(20))
    job_id = submit(stack_env, path)
    wait_until(lambda: _progressed(services, job_id, 1), 120, "first chunk")
    result = narrate(stack_env, "cancel", job_id)
    assert result.returncode == 0, result.stderr
    keys = services.keys(job_id)
    stored_at_cancel = len(services.store().list_keys(keys.chunks_prefix))
    wait_until(lambda: _nothing_in_flight(services), 120, "the worker to go idle")
    stored_later = len(services.store().list_keys(keys.chunks_prefix))
    in_flight = stack.processes_per_worker(1)  # one chunk per pool process: wav + json each
    assert stored_later <= stored_at_cancel + 2 * in_flight
    record = services.records().get(job_id)
    assert record["status"] == "cancelled"
    assert record["chunks_done"] < record["chunks_total"]
    assert narrate(stack_env, "wait", job_id).returncode == 1
    purge = narrate(stack_env, "purge", job_id)
    assert purge.returncode == 0, purge.stderr
    assert services.store().list_keys(keys.chunks_prefix) == []


def test_resume_remakes_only_missing_chunks(
    stack_env: dict[str, str],
    services: Services,
    stack_home: Path,
    document: Path,
    reference: bytes,
) -> None:
    job_id = submit(stack_env, document, "--seed", SEED)
    wait_until(lambda: _progressed(services, job_id, 3), 120, "three chunks")
    stack.stop_workers(stack_home)
    from narration.workers.app import app, configure

    configure(services_settings(stack_env))
    app.control.purge()
    services.records().set_status(job_id, "failed", error="interrupted by the test")
    store = services.store()
    keys = services.keys(job_id)
    before = {k: store.get_bytes(k) for k in store.list_keys(keys.chunks_prefix)}
    assert before
    up_stack(stack_home, workers=1)
    result = narrate(stack_env, "resume", job_id, "--wait")
    assert result.returncode == 0, result.stderr
    after = {k: store.get_bytes(k) for k in store.list_keys(keys.chunks_prefix)}
    assert all(after[k] == v for k, v in before.items())
    assert len(after) > len(before)
    assert output_bytes(services, job_id) == reference


def services_settings(env: dict[str, str]) -> Settings:
    return load_settings(environ=env)
