"""The service's edges in-process: auth, error shapes, body limits, the bind rule, the schema.

None of these reach the broker or storage: each request is refused before it would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from narration.errors import InputError
from narration.service.app import create_app
from narration.service.auth import check_bind, parse_api_keys
from narration.service.openapi import schema
from narration.settings import Settings
from tests.conftest import narrate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def client() -> TestClient:
    return TestClient(create_app(Settings(api_keys="reader:s3cret", max_input_bytes=1000)))


def test_the_checked_in_openapi_schema_is_the_served_one(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    assert served == schema()
    assert json.loads((ROOT / "docs" / "openapi.json").read_text()) == served, (
        "refresh it: python -m narration.service.openapi > docs/openapi.json"
    )
    for path in (
        "/v1/synthesisTasks",
        "/v1/speech",
        "/v1/audio/speech",
        "/v1/jobs/{job_id}/events",
    ):
        assert path in served["paths"]


def test_native_and_openai_endpoints_need_a_bearer_key(client: TestClient) -> None:
    missing = client.get("/v1/jobs")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_credentials"
    wrong = client.post(
        "/v1/audio/speech",
        json={"model": "tts-1", "input": "hi", "voice": "alloy"},
        headers={"Authorization": "Bearer guess"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["type"] == "authentication_error"


def test_unsigned_polly_requests_get_polly_errors(client: TestClient) -> None:
    answer = client.get("/v1/voices")
    assert answer.status_code == 403
    assert answer.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert answer.json()["__type"] == "MissingAuthenticationTokenException"


def test_bodies_over_the_limit_are_refused_before_they_are_read(client: TestClient) -> None:
    answer = client.post(
        "/v1/jobs",
        content=b"x" * 5000,
        headers={"Authorization": "Bearer s3cret", "Content-Length": "99999999"},
    )
    assert answer.status_code == 413
    assert "over" in answer.json()["error"]["message"]


def test_bad_job_ids_never_reach_storage(client: TestClient) -> None:
    for job_id in ("x", "0" * 31 + "G", "a" * 33, "%2E%2E"):
        answer = client.get(f"/v1/jobs/{job_id}", headers={"Authorization": "Bearer s3cret"})
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "JobNotFound"
    segment = client.get(
        f"/v1/jobs/{'a' * 32}/hls/..%2Fplan.json", headers={"Authorization": "Bearer s3cret"}
    )
    assert segment.status_code == 404


def test_no_keys_means_loopback_only() -> None:
    check_bind("127.0.0.1", {})
    check_bind("::1", {})
    check_bind("localhost", {})
    with pytest.raises(InputError, match="api_keys"):
        check_bind("0.0.0.0", {})
    check_bind("0.0.0.0", {"id": "secret"})


def test_serve_refuses_a_public_bind_without_keys() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    refused = narrate(env, "serve", "--host", "0.0.0.0", "--port", "1", timeout=60)
    assert refused.returncode == 2
    assert "refusing to listen on 0.0.0.0 with no API keys" in refused.stderr


def test_malformed_keys_are_refused_without_echoing_them() -> None:
    assert parse_api_keys(" a:1 , b:2 ") == {"a": "1", "b": "2"}
    with pytest.raises(InputError) as error:
        parse_api_keys("a:1,hunter2")
    assert "hunter2" not in str(error.value)
