"""Our Signature V4 verifier against botocore's own signer (the code every AWS SDK call uses)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from narration.service.sigv4 import MAX_SKEW_S, SignatureError, SignedRequest, verify

KEYS = {"reader": "s3cret-value"}


def signed(
    secret: str = "s3cret-value",
    body: bytes = b'{"Text": "hello"}',
    url: str = "http://127.0.0.1:8080/v1/synthesisTasks?MaxResults=2&Status=completed",
    service: str = "polly",
) -> SignedRequest:
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials("reader", secret), service, "eu-west-1").add_auth(request)
    prepared = request.prepare()
    path, _, query = prepared.url.split("127.0.0.1:8080", 1)[1].partition("?")
    headers = {name.lower(): value for name, value in prepared.headers.items()}
    headers["host"] = "127.0.0.1:8080"
    return SignedRequest("POST", path, query, headers, body)


def test_a_request_botocore_signed_is_accepted() -> None:
    assert verify(signed(), KEYS, "polly") == "reader"


def test_a_wrong_secret_or_an_unknown_key_is_refused() -> None:
    with pytest.raises(SignatureError) as wrong:
        verify(signed(secret="guess"), KEYS, "polly")
    assert wrong.value.code == "InvalidSignatureException"
    with pytest.raises(SignatureError) as unknown:
        verify(signed(), {"someone-else": "s3cret-value"}, "polly")
    assert unknown.value.code == "UnrecognizedClientException"


def test_a_changed_body_or_query_breaks_the_signature() -> None:
    request = signed()
    tampered = SignedRequest(
        request.method,
        request.raw_path,
        request.query,
        request.headers,
        json.dumps({"Text": "x"}).encode(),
    )
    with pytest.raises(SignatureError, match="does not match"):
        verify(tampered, KEYS, "polly")
    requeried = SignedRequest(
        request.method, request.raw_path, "MaxResults=100", request.headers, request.body
    )
    with pytest.raises(SignatureError, match="does not match"):
        verify(requeried, KEYS, "polly")


def test_an_old_signature_is_expired() -> None:
    request = signed()
    verify(request, KEYS, "polly", now=time.time() + MAX_SKEW_S - 30)
    with pytest.raises(SignatureError, match="expired"):
        verify(request, KEYS, "polly", now=time.time() + MAX_SKEW_S + 30)


def test_another_service_scope_or_no_authorization_is_refused() -> None:
    with pytest.raises(SignatureError, match="scope"):
        verify(signed(service="s3"), KEYS, "polly")
    request = signed()
    bare = {k: v for k, v in request.headers.items() if k != "authorization"}
    with pytest.raises(SignatureError) as missing:
        verify(
            SignedRequest("POST", request.raw_path, request.query, bare, request.body),
            KEYS,
            "polly",
        )
    assert missing.value.code == "MissingAuthenticationTokenException"
