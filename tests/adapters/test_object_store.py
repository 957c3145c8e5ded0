"""S3Store against the real SeaweedFS of the test stack: each boto error lands on our tree."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from narration.adapters.job_records import new_job_id
from narration.adapters.object_store import MemoryStore, S3Store
from narration.connections import Services
from narration.errors import (
    EXIT_BAD_INPUT,
    EXIT_SERVICE,
    CredentialsRefused,
    InputError,
    ObjectNotFound,
    RetryableError,
)

UNREACHABLE_WITHIN_S = 30.0
"""boto3's standard retry mode tries four times with jittered backoff before giving up."""


@pytest.fixture
def store(services: Services) -> S3Store:
    return services.store()


@pytest.fixture
def prefix() -> str:
    return f"tests/object-store/{new_job_id()}"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound (so nobody else takes it), not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_round_trip(store: S3Store, prefix: str, tmp_path: Path) -> None:
    store.put_bytes(f"{prefix}/a.bin", b"abc")
    source = tmp_path / "b.bin"
    source.write_bytes(b"defg")
    store.upload_file(f"{prefix}/sub/b.bin", source)
    assert store.get_bytes(f"{prefix}/a.bin") == b"abc"
    assert store.size(f"{prefix}/sub/b.bin") == 4
    assert store.exists(f"{prefix}/a.bin")
    assert not store.exists(f"{prefix}/nothing")
    assert sorted(store.list_keys(prefix)) == [f"{prefix}/a.bin", f"{prefix}/sub/b.bin"]
    store.download_file(f"{prefix}/sub/b.bin", tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == b"defg"
    assert store.delete_prefix(f"{prefix}/sub/") == 1
    assert store.list_keys(prefix) == [f"{prefix}/a.bin"]


def test_a_missing_key_is_not_found(store: S3Store, prefix: str, tmp_path: Path) -> None:
    key = f"{prefix}/missing.json"
    with pytest.raises(ObjectNotFound, match=key) as caught:
        store.get_bytes(key)
    assert isinstance(caught.value, InputError)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    with pytest.raises(ObjectNotFound):
        store.size(key)
    with pytest.raises(ObjectNotFound):
        store.download_file(key, tmp_path / "never")


def test_a_missing_bucket_is_bad_input(store: S3Store) -> None:
    # A read: SeaweedFS creates a missing bucket on a write.
    other = store.for_bucket(f"no-such-bucket-{new_job_id()[:12]}")
    with pytest.raises(InputError, match="bucket does not exist") as caught:
        other.get_bytes("key")
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_a_wrong_secret_key_is_refused(services: Services, prefix: str) -> None:
    store = services.store()
    store.put_bytes(f"{prefix}/there", b"x")
    refused = S3Store(
        services.bucket,
        endpoint=services.s3_endpoint,
        region=services.s3_region,
        access_key=services.s3_access_key,
        secret_key=f"not-{services.s3_secret_key}",
    )
    for attempt in (
        lambda: refused.get_bytes(f"{prefix}/there"),
        lambda: refused.put_bytes(f"{prefix}/other", b"y"),
        lambda: refused.list_keys(prefix),
    ):
        with pytest.raises(CredentialsRefused) as caught:
            attempt()
        assert caught.value.exit_code == EXIT_SERVICE
        assert services.s3_secret_key not in str(caught.value)
    assert not store.exists(f"{prefix}/other")


def test_an_unreachable_endpoint_is_retryable(closed_port: int) -> None:
    store = S3Store(
        "bucket", endpoint=f"http://127.0.0.1:{closed_port}", access_key="a", secret_key="b"
    )
    started = time.monotonic()
    for attempt in (lambda: store.get_bytes("key"), lambda: store.exists("key")):
        with pytest.raises(RetryableError) as caught:
            attempt()
        assert caught.value.exit_code == EXIT_SERVICE
    assert time.monotonic() - started < 2 * UNREACHABLE_WITHIN_S


def test_memory_store_buckets_share_one_memory() -> None:
    first = MemoryStore("first")
    first.put_bytes("k", b"1")
    second = first.for_bucket("second")
    assert second.bucket == "second"
    assert not second.exists("k")
    second.put_bytes("k", b"2")
    assert first.get_bytes("k") == b"1"
    assert second.for_bucket("first").get_bytes("k") == b"1"
    assert first.for_bucket("second").get_bytes("k") == b"2"
    with pytest.raises(ObjectNotFound):
        first.for_bucket("third").get_bytes("k")
