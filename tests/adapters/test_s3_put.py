"""The signed PUT without botocore (`adapters.s3_put`), against the real SeaweedFS of the test
stack: what boto3's put guaranteed still holds where `S3Store` puts through it."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from narration.adapters.job_records import new_job_id
from narration.adapters.s3_put import SignedPut
from narration.connections import Services
from narration.errors import EXIT_SERVICE, CredentialsRefused, RetryableError

UNREACHABLE_WITHIN_S = 30.0
"""Four attempts with jittered backoff (0-1, 0-2, 0-4 s) before giving up."""


@pytest.fixture
def signed(services: Services) -> SignedPut:
    return SignedPut(
        services.s3_endpoint, services.s3_region, services.s3_access_key, services.s3_secret_key
    )


@pytest.fixture
def prefix() -> str:
    return f"tests/s3-put/{new_job_id()}"


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


_PUT_AND_REPORT = """
import json, sys
from dataclasses import replace
from narration.connections import resolve
from narration.settings import load_settings
store = replace(resolve(load_settings()), signed_puts=True).store()
store.put_bytes(sys.argv[1], bytes(range(256)) * 64, "application/json")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore"))))
"""
"""Puts through the CLI's services (`signed_puts`) in a fresh interpreter; prints which of
boto3 and botocore's modules it loaded."""


def test_the_cli_services_put_without_boto3(
    stack_env: dict[str, str], services: Services, prefix: str
) -> None:
    key = f"{prefix}/plan~1.json"
    done = subprocess.run(
        [sys.executable, "-c", _PUT_AND_REPORT, key],
        env=stack_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == []
    assert services.store().get_bytes(key) == bytes(range(256)) * 64
    _, content_type, length = services.store().open_stream(key)
    assert (content_type, length) == ("application/json", 256 * 64)


def test_a_damaged_body_is_refused(signed: SignedPut, services: Services, prefix: str) -> None:
    """The body's digests are sent and signed: the store refuses other bytes under them."""
    url = urllib.parse.urlsplit(services.s3_endpoint)
    path = f"/{services.bucket}/{prefix}/damaged"
    headers = signed.headers(url.netloc, path, b"the body signed", "text/plain")
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        connection.request("PUT", path, body=b"another body!!!", headers=headers)
        assert connection.getresponse().status == 400
    finally:
        connection.close()
    assert not services.store().exists(f"{prefix}/damaged")


def test_a_wrong_secret_key_is_refused(services: Services, prefix: str) -> None:
    refused = SignedPut(
        services.s3_endpoint,
        services.s3_region,
        services.s3_access_key,
        f"not-{services.s3_secret_key}",
    )
    with pytest.raises(CredentialsRefused) as caught:
        refused.put(services.bucket, f"{prefix}/other", b"y", "text/plain")
    assert caught.value.exit_code == EXIT_SERVICE
    assert services.s3_secret_key not in str(caught.value)
    assert not services.store().exists(f"{prefix}/other")


def test_an_unreachable_endpoint_is_retried_then_retryable(closed_port: int) -> None:
    put = SignedPut(f"http://127.0.0.1:{closed_port}", "us-east-1", "a", "b")
    started = time.monotonic()
    with pytest.raises(RetryableError, match="unreachable") as caught:
        put.put("bucket", "key", b"x", "text/plain")
    assert caught.value.exit_code == EXIT_SERVICE
    assert time.monotonic() - started < UNREACHABLE_WITHIN_S
