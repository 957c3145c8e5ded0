"""RedisJobRecords against the real Valkey of the test stack, and its mapping of Redis errors."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

import pytest

from narration.adapters.job_records import RedisJobRecords, new_job_id
from narration.adapters.redis_clients import RedisEndpoint
from narration.connections import Services
from narration.errors import (
    EXIT_BAD_INPUT,
    EXIT_SERVICE,
    CredentialsRefused,
    JobNotFound,
    RetryableError,
)


def _until(check: Callable[[], bool], timeout_s: float = 30) -> None:
    """Wait for `check` to hold, watching closely (the writers race in milliseconds)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the writers did not get going"
        time.sleep(0.001)


@pytest.fixture
def records(services: Services) -> RedisJobRecords:
    return services.records()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound (so nobody else takes it), not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_create_then_get_returns_the_record(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    created = records.create(job_id, {"chunks_total": 4, "voice": "v", "options": {"seed": 3}})
    assert created == records.get(job_id)
    assert created["job_id"] == job_id
    assert created["status"] == "queued"
    assert (created["chunks_total"], created["chunks_done"]) == (4, 0)
    assert created["audio_seconds"] == 0.0
    assert created["options"] == {"seed": 3}
    assert created["finished_at"] is None
    assert records.exists(job_id)


def test_update_changes_only_the_fields_given(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    records.create(job_id, {"chunks_total": 2, "title": "A"})
    records.update(job_id, title="B", output_uri="s3://b/k")
    record = records.get(job_id)
    assert (record["title"], record["output_uri"], record["chunks_total"]) == ("B", "s3://b/k", 2)


def test_set_status_never_leaves_a_final_status(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    records.create(job_id, {})
    assert records.set_status(job_id, "running")
    assert records.get(job_id)["finished_at"] is None
    assert records.set_status(job_id, "failed", error="boom")
    failed = records.get(job_id)
    assert (failed["status"], failed["error"]) == ("failed", "boom")
    assert failed["finished_at"] is not None
    assert not records.set_status(job_id, "running")
    assert not records.set_status(job_id, "succeeded")
    assert records.get(job_id)["status"] == "failed"
    assert records.set_status(job_id, "failed")
    with pytest.raises(ValueError):
        records.set_status(job_id, "paused")


def test_a_cancel_is_never_overwritten_by_workers_marking_the_job_running(
    records: RedisJobRecords,
) -> None:
    """Workers mark a queued job running while a cancel lands: the cancel stays. (Read, then
    written, the status moved back to running when the cancel fell between the two.)"""
    for _ in range(10):
        job_id = new_job_id()
        records.create(job_id, {})
        _cancel_while_two_writers_mark_running(records, job_id)
        assert records.get(job_id)["status"] == "cancelled"


def _cancel_while_two_writers_mark_running(records: RedisJobRecords, job_id: str) -> None:
    stop = threading.Event()
    writes = [0, 0]

    def mark_running(n: int) -> None:
        while not stop.is_set():
            records.set_status(job_id, "running")
            writes[n] += 1

    workers = [threading.Thread(target=mark_running, args=(n,)) for n in range(2)]
    for worker in workers:
        worker.start()
    _until(lambda: all(writes))
    assert records.set_status(job_id, "cancelled")
    at_cancel = list(writes)
    # Two more writes each: at least one of them began after the cancel.
    _until(lambda: all(now >= then + 2 for now, then in zip(writes, at_cancel, strict=True)))
    stop.set()
    for worker in workers:
        worker.join()


def test_set_status_of_an_unknown_job_is_not_found(records: RedisJobRecords) -> None:
    with pytest.raises(JobNotFound):
        records.set_status(new_job_id(), "running")
    assert not records.exists(new_job_id())


def test_is_cancelled(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    records.create(job_id, {})
    assert not records.is_cancelled(job_id)
    records.set_status(job_id, "cancelled")
    assert records.is_cancelled(job_id)


def test_a_chunk_is_counted_once(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    records.create(job_id, {"chunks_total": 3})
    assert not records.is_chunk_done(job_id, "0")
    assert records.chunk_done(job_id, "0", 1.25)
    assert not records.chunk_done(job_id, "0", 1.25)
    assert records.chunk_done(job_id, "1", 0.5)
    record = records.get(job_id)
    assert (record["chunks_done"], record["audio_seconds"]) == (2, 1.75)
    assert record["started_at"] is not None
    assert records.is_chunk_done(job_id, "0")
    assert not records.is_chunk_done(job_id, "2")


def test_follow_yields_the_events_in_order(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    records.create(job_id, {})
    records.set_status(job_id, "running")
    records.chunk_done(job_id, "0", 2.0)
    records.event(job_id, "note", text="hello")
    events = records.follow(job_id, block_ms=50)
    seen = [next(events) for _ in range(4)]
    assert seen == [
        {"kind": "queued"},
        {"kind": "running"},
        {"kind": "chunk", "chunk": "0", "audio_seconds": 2.0},
        {"kind": "note", "text": "hello"},
    ]
    assert next(events) is None  # quiet: the caller gets control back to refresh


def test_history_gives_each_event_with_when_the_broker_recorded_it(
    records: RedisJobRecords,
) -> None:
    job_id = new_job_id()
    before = time.time()
    records.create(job_id, {})
    time.sleep(0.05)
    records.chunk_done(job_id, "0", 2.0)
    after = time.time()
    history = records.history(job_id)
    assert [event for _, event in history] == [
        {"kind": "queued"},
        {"kind": "chunk", "chunk": "0", "audio_seconds": 2.0},
    ]
    (queued, _), (chunk, _) = history
    assert before - 0.01 <= queued < chunk <= after + 0.01
    assert chunk - queued >= 0.04
    assert records.history(new_job_id()) == []


def test_list_puts_the_newest_first(records: RedisJobRecords) -> None:
    first, second = new_job_id(), new_job_id()
    records.create(first, {})
    records.create(second, {})
    listed = [record["job_id"] for record in records.list(limit=1000)]
    assert listed.index(second) < listed.index(first)
    assert len(records.list(limit=1)) == 1


def test_an_unknown_job_is_not_found(records: RedisJobRecords) -> None:
    job_id = new_job_id()
    assert not records.exists(job_id)
    with pytest.raises(JobNotFound, match=job_id) as caught:
        records.get(job_id)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    with pytest.raises(JobNotFound):
        records.set_status(job_id, "running")


def test_an_unreachable_broker_is_retryable(closed_port: int) -> None:
    records = RedisJobRecords.connect(RedisEndpoint(f"redis://127.0.0.1:{closed_port}/0"))
    with pytest.raises(RetryableError) as caught:
        records.get(new_job_id())
    assert caught.value.exit_code == EXIT_SERVICE


def test_a_wrong_password_is_refused(services: Services) -> None:
    url = urlsplit(services.broker_url)
    assert url.password, "the test stack's Valkey requires a password"
    netloc = f":not-{url.password}@{url.hostname}:{url.port}"
    records = RedisJobRecords.connect(RedisEndpoint(urlunsplit(url._replace(netloc=netloc))))
    with pytest.raises(CredentialsRefused) as caught:
        records.ping()
    assert caught.value.exit_code == EXIT_SERVICE
    assert url.password not in str(caught.value)


def test_pages_follow_creation_time_and_skip_what_the_filter_refuses(
    records: RedisJobRecords,
) -> None:
    marker = new_job_id()
    made = [new_job_id() for _ in range(5)]
    for number, job_id in enumerate(made):
        records.create(job_id, {"marker": marker, "even": str(number % 2 == 0)})

    def mine(record: Mapping[str, object]) -> bool:
        return record.get("marker") == marker and record.get("even") == "True"

    first, cursor = records.page("", 2, mine)
    assert [r["job_id"] for r in first] == [made[4], made[2]] and cursor
    records.create(new_job_id(), {"marker": marker, "even": "True"})  # newer: not on later pages
    second, end = records.page(cursor, 2, mine)
    assert [r["job_id"] for r in second] == [made[0]]
    assert end == ""


def test_a_lock_is_held_once_and_only_its_token_lets_it_go(records: RedisJobRecords) -> None:
    name = f"test:{new_job_id()}"
    token = records.try_lock(name, 30)
    assert token is not None
    assert records.try_lock(name, 30) is None
    records.unlock(name, "not-the-token")
    assert records.try_lock(name, 30) is None
    records.unlock(name, token)
    again = records.try_lock(name, 30)
    assert again is not None
    records.unlock(name, again)
