"""Worker reports and broker queue depths against the real Valkey of the test stack.

Each test uses a database of its own (flushed first), so the jobs other tests run on database 0
do not move these figures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from narration.adapters import job_records
from narration.adapters.broker_queues import BrokerQueues, priority_lists
from narration.adapters.job_records import RedisJobRecords, new_job_id
from narration.adapters.redis_clients import RedisEndpoint, sync_client
from narration.adapters.worker_reports import HEARTBEAT_TTL_S, WorkerReports
from narration.connections import Services

SCRATCH_DB = 9


@pytest.fixture
def scratch(services: Services) -> Iterator[Any]:
    base = services.broker_url.rsplit("/", 1)[0]
    client = sync_client(RedisEndpoint(f"{base}/{SCRATCH_DB}"))
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_chunks_add_up_into_counters_and_a_cumulative_histogram(scratch: Any) -> None:
    reports = WorkerReports(scratch)
    reports.chunk("piper", False, 0.3, 12.5)
    reports.chunk("piper", False, 0.7, 10.0)
    reports.chunk("piper", False, 99.0, 1.0)
    reports.chunk("piper", True, 0.0, 4.0)
    snapshot = reports.snapshot()
    assert snapshot.counters["chunks"] == {("piper", "made"): 3, ("piper", "reused"): 1}
    assert snapshot.counters["audio"][("piper", "made")] == pytest.approx(23.5)
    synth = snapshot.histograms["synth"][("piper",)]
    buckets = dict(synth.buckets)
    assert buckets["0.25"] == 0
    assert buckets["0.5"] == 1
    assert buckets["1.0"] == 2
    assert buckets["60.0"] == 2
    assert buckets["+Inf"] == 3
    assert synth.total == pytest.approx(100.0)
    assert [bound for bound, _ in synth.buckets][-1] == "+Inf"


def test_chunks_per_second_counts_the_last_minute_only(scratch: Any) -> None:
    """The current 10 s slot is still filling, so it is left out; the slot before counts."""
    reports = WorkerReports(scratch)
    slot = int(time.time()) // 10
    scratch.hset(f"narration:metrics:slot:{slot - 1}", "chunks", 30)
    scratch.hset(f"narration:metrics:slot:{slot - 20}", "chunks", 600)
    assert reports.snapshot().chunks_per_second == pytest.approx(0.5)


def test_stitch_and_batch_histograms_are_kept_apart_by_label(scratch: Any) -> None:
    reports = WorkerReports(scratch)
    reports.stitch("part", 0.8)
    reports.stitch("stitch", 40.0)
    reports.batch("torch", 16)
    reports.batch("torch", 3)
    snapshot = reports.snapshot()
    assert dict(snapshot.histograms["stitch"][("part",)].buckets)["1.0"] == 1
    assert dict(snapshot.histograms["stitch"][("stitch",)].buckets)["30.0"] == 0
    assert dict(snapshot.histograms["stitch"][("stitch",)].buckets)["60.0"] == 1
    batch = dict(snapshot.histograms["batch"][("torch",)].buckets)
    assert (batch["2.0"], batch["4.0"], batch["16.0"], batch["+Inf"]) == (0, 1, 2, 2)


def test_a_worker_counts_while_its_heartbeat_is_fresh(
    scratch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = WorkerReports(scratch)
    reports.heartbeat("celery@a", ["synth", "stitch"], 2)
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started - HEARTBEAT_TTL_S - 5)
    reports.heartbeat("celery@old", ["synth-torch"], 32)
    monkeypatch.setattr(time, "time", lambda: started)
    live = reports.live_workers()
    assert live == [{"node": "celery@a", "queues": ["synth", "stitch"], "slots": 2}]
    assert scratch.zcard("narration:metrics:workers") == 1


def test_queue_depth_sums_every_priority_list_and_unacked_counts_by_queue(scratch: Any) -> None:
    lists = priority_lists("synth")
    assert lists[0] == "synth" and len(lists) == 4
    for number, name in enumerate(lists):
        scratch.rpush(name, *[f"message-{i}" for i in range(number + 1)])
    scratch.rpush("stitch", "one")
    scratch.hset("unacked", "tag-1", json.dumps([{"body": "x"}, "synth", "synth"]))
    scratch.hset("unacked", "tag-2", json.dumps([{"body": "x"}, "stitch", "stitch"]))
    scratch.hset("unacked", "tag-3", json.dumps([{"body": "x"}, "synth", "synth"]))
    broker = BrokerQueues(scratch)
    assert broker.depths(["synth", "synth-torch", "stitch"]) == {
        "synth": 1 + 2 + 3 + 4,
        "synth-torch": 0,
        "stitch": 1,
    }
    assert broker.unacked(["synth", "stitch"]) == {"synth": 2, "stitch": 1}


def test_jobs_are_counted_by_status_page_by_page(
    scratch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_records, "STATUS_PAGE", 2)
    records = RedisJobRecords(scratch)
    ids = [new_job_id() for _ in range(5)]
    for job_id in ids:
        records.create(job_id, {"chunks_total": 1})
    records.set_status(ids[0], "running")
    records.set_status(ids[1], "failed", error="boom")
    records.set_status(ids[2], "succeeded")
    counts = records.status_counts()
    assert counts == {
        "queued": 2,
        "running": 1,
        "stitching": 0,
        "succeeded": 1,
        "failed": 1,
        "cancelled": 0,
    }
