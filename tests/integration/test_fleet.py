"""The fleet: workers on other hosts, a host that vanishes from the network mid-job.

Three hosts in network namespaces (services, worker-a, worker-b) and the client in the root
namespace, with 10-30 ms of latency between the worker hosts and the services
(`tests/integration/fleet.py`). Worker-b's link goes down while it renders a chunk: no process
dies and no connection is closed, so nothing tells the broker; its unacknowledged task comes
back after the visibility timeout and worker-a makes the chunk again. The output must be
byte-identical to an undisturbed run, and worker-b's late writes, once its link is back, must
change nothing.

The visibility timeout is 15 s here (300 s by default): short, so that the stranded task
comes back within the test's time, and still well above the longest task of this small job
(a chunk takes 1-3 s, its stitch a few seconds), so that healthy tasks are not redelivered.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.redis_clients import sync_client
from narration.connections import Services, resolve
from narration.settings import load_settings
from tests.conftest import narrate
from tests.integration import netns
from tests.integration.faults import long_text, submit, wait_final, wait_until
from tests.integration.fleet import Fleet, status

SEED = "4242"
SHARED_SETTINGS = {
    "NARRATION_VISIBILITY_TIMEOUT_S": "15",
    "NARRATION_SEGMENT_MAX_CHUNKS": "2",
}
"""Segments of two chunks: four chains for an eight-chunk text, so both hosts have work."""
RENDERING_S = 0.8
"""How long after a task's delivery its worker is surely rendering: the few broker and
storage round trips before the render take ~0.3 s with the proxy's latency, a render ~1-9 s
(quiet to loaded machine). A worker cut off before it renders has no chunk to write late."""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    try:
        netns.check_available()
    except netns.NamespacesUnavailable as reason:
        pytest.skip(f"cannot make network namespaces: {reason}")
    root = tmp_path_factory.mktemp("fleet")
    with netns.network() as net:
        made = Fleet(net, root, settings=SHARED_SETTINGS)
        try:
            made.start_services()
            for host in ("a", "b"):
                made.start_worker_host(host)
            for host in ("a", "b"):
                made.wait_ready(host)
            yield made
        finally:
            made.stop()


def _fetched_sha256(env: dict[str, str], job_id: str, directory: Path) -> str:
    path = directory / f"{job_id}.mp3"
    result = narrate(env, "fetch", job_id, "-o", str(path))
    assert result.returncode == 0, result.stderr
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unacked_chunks(services: Services) -> dict[str, int]:
    """Synth tasks delivered to some worker and not acknowledged (kombu's `unacked` hash):
    task id to chunk number (a synth task's last argument)."""
    client = sync_client(services.broker(), decode_responses=False)
    unacked = {}
    for raw in client.hvals("unacked"):
        message = json.loads(raw)[0]
        if message["headers"]["task"] == "narration.synth":
            args = json.loads(base64.b64decode(message["body"]))[0]
            unacked[message["headers"]["id"]] = int(args[-1])
    return unacked


def _cut_off_while_rendering(fleet: Fleet, host: str) -> str:
    """Take `host`'s link down while it renders a chunk; that task's id."""
    while True:
        wait_until(lambda: _running(fleet, host) is not None, 120, f"a task on worker-{host}")
        task = _running(fleet, host)
        time.sleep(RENDERING_S)
        if task is not None and _running(fleet, host) == task:
            fleet.net.set_link(host, up=False)
            return task


def _running(fleet: Fleet, host: str) -> str | None:
    received = fleet.tasks(host, "received")
    ended = {*fleet.tasks(host, "succeeded"), *fleet.tasks(host, "raised")}
    return received[-1] if received and received[-1] not in ended else None


def _job_state(env: dict[str, str], services: Services, job_id: str) -> dict[str, Any]:
    """Everything a late write could change: the job record and every object of the job."""
    store = services.store()
    root = services.keys(job_id).root + "/"
    objects = {
        key: hashlib.sha256(store.get_bytes(key)).hexdigest() for key in store.list_keys(root)
    }
    return {"record": status(env, job_id), "objects": objects}


def test_worker_host_cut_off_mid_job(fleet: Fleet, tmp_path: Path) -> None:
    env = fleet.client_env
    services = resolve(load_settings(environ=env))
    document = tmp_path / "ferry.txt"
    document.write_text(long_text(8))
    undisturbed = submit(env, document, "--seed", SEED)
    assert wait_final(services, undisturbed)["status"] == "succeeded"
    reference = _fetched_sha256(env, undisturbed, tmp_path)
    services.store().delete_prefix(CACHE_PREFIX)  # identical bytes must prove determinism

    job_id = submit(env, document, "--seed", SEED)
    stranded = _cut_off_while_rendering(fleet, "b")
    seq = _unacked_chunks(services)[stranded]
    record = wait_final(services, job_id, timeout=300)
    assert record["status"] == "succeeded", record["error"]
    assert record["chunks_done"] == record["chunks_total"]
    assert stranded in fleet.tasks("a", "received"), "the stranded task was not redelivered"
    assert _fetched_sha256(env, job_id, tmp_path) == reference

    before = _job_state(env, services, job_id)
    key = services.chunks(job_id).meta(seq)["key"]
    records = services.records()
    linked = time.time()
    fleet.net.set_link("b", up=True)
    # Worker-b rendered its chunk while cut off and kept trying to commit it (for up to two
    # minutes, `production.commits`); the commit's last step marks the chunk's cache entry used.
    wait_until(
        lambda: key not in records.cached_before(services.bucket, linked),
        120,
        f"worker-b's late commit of chunk {seq}",
    )
    assert _job_state(env, services, job_id) == before
