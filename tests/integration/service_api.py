"""The clients the service tests drive `narrate serve` with, and the keys it is started with
(the `api` fixture in tests/integration/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

KEY_ID, SECRET = "tester", "integration-secret-1"
VOICE = "en_US-joe-medium"
SENTENCE = "The lighthouse keeper counted the ships that passed before the storm came in."


def polly(api: str, secret: str = SECRET) -> Any:
    return boto3.client(
        "polly",
        endpoint_url=api,
        region_name="eu-west-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=secret,
    )


def native(api: str) -> httpx.Client:
    return httpx.Client(base_url=api, headers={"Authorization": f"Bearer {SECRET}"}, timeout=60)


def polly_error(call: Callable[[], Any]) -> tuple[int, str]:
    """The HTTP status and error code of the ClientError `call` raises."""
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]
