"""AWS Signature Version 4, verified on our side, so an unmodified AWS SDK can call the Polly API.

The server rebuilds the canonical request from what arrived (method, raw path, query, the
signed headers, a hash of the body), derives the signing key from the secret of the access key
id named in the credential scope, and compares signatures in constant time. Requests dated
more than `MAX_SKEW_S` away from the server's clock are refused, as AWS refuses them, so a
captured request cannot be replayed later. Reference: the AWS "Signature Version 4 signing
process" documentation; botocore's `SigV4Auth` is the client side this must agree with.
"""

from __future__ import annotations

import hashlib
import hmac
import posixpath
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote, unquote

ALGORITHM: Final = "AWS4-HMAC-SHA256"
MAX_SKEW_S: Final = 15 * 60
"""AWS's own window: a signature dated further from now than this is expired."""


class SignatureError(Exception):
    """Raised when a request's signature is missing, malformed, wrong or expired.

    `code` is the AWS error code a client SDK expects for it.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SignedRequest:
    """What arrived, as the server saw it: the path still percent-encoded as sent."""

    method: str
    raw_path: str
    query: str
    headers: Mapping[str, str]
    """Lower-cased names."""
    body: bytes


@dataclass(frozen=True)
class _Authorization:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


def verify(
    request: SignedRequest,
    secrets: Mapping[str, str],
    service: str,
    now: float | None = None,
) -> str:
    """Check the request's SigV4 signature against `secrets` (id → secret); the key id used."""
    auth = _parse_authorization(request.headers.get("authorization", ""))
    if auth.service != service:
        raise SignatureError("InvalidSignatureException", f"credential scope is not {service}")
    secret = secrets.get(auth.access_key)
    if secret is None:
        raise SignatureError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    stamp = request.headers.get("x-amz-date", "")
    signed_at = _parse_amz_date(stamp)
    if not stamp.startswith(auth.date):
        raise SignatureError("InvalidSignatureException", "credential date and X-Amz-Date differ")
    skew = abs((time.time() if now is None else now) - signed_at)
    if skew > MAX_SKEW_S:
        raise SignatureError(
            "InvalidSignatureException", f"Signature expired: {stamp} is too far from now"
        )
    if "host" not in auth.signed_headers:
        raise SignatureError("InvalidSignatureException", "the host header must be signed")
    canonical = canonical_request(request, auth.signed_headers)
    scope = f"{auth.date}/{auth.region}/{auth.service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = signing_key(secret, auth.date, auth.region, auth.service)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, auth.signature):
        raise SignatureError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
        )
    return auth.access_key


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def canonical_request(request: SignedRequest, signed_headers: list[str]) -> str:
    missing = [name for name in signed_headers if name not in request.headers]
    if missing:
        raise SignatureError("InvalidSignatureException", f"signed header missing: {missing[0]}")
    headers = "".join(
        f"{name}:{' '.join(request.headers[name].split())}\n" for name in signed_headers
    )
    payload = (
        request.headers.get("x-amz-content-sha256") or hashlib.sha256(request.body).hexdigest()
    )
    if payload == "UNSIGNED-PAYLOAD":
        raise SignatureError("InvalidSignatureException", "the payload must be signed")
    return "\n".join(
        [
            request.method.upper(),
            _canonical_path(request.raw_path),
            _canonical_query(request.query),
            headers,
            ";".join(signed_headers),
            payload,
        ]
    )


def _canonical_path(raw_path: str) -> str:
    """Non-S3 services sign the normalised path, percent-encoded once more (as botocore does)."""
    normalized = posixpath.normpath(raw_path) if raw_path not in ("", "/") else "/"
    if raw_path.endswith("/") and normalized != "/":
        normalized += "/"
    return quote(normalized, safe="/~")


def _canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        pairs.append(
            (
                quote(unquote(name), safe="-_.~"),
                quote(unquote(value.replace("+", " ")), safe="-_.~"),
            )
        )
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _parse_authorization(header: str) -> _Authorization:
    if not header:
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError("IncompleteSignatureException", f"algorithm must be {ALGORITHM}")
    fields = {}
    for item in rest.split(","):
        name, _, value = item.strip().partition("=")
        fields[name] = value
    try:
        access_key, date, region, service, terminal = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        raise SignatureError(
            "IncompleteSignatureException",
            "Authorization needs Credential, SignedHeaders, Signature",
        ) from None
    if terminal != "aws4_request" or signed != sorted(signed):
        raise SignatureError("IncompleteSignatureException", "malformed credential scope")
    return _Authorization(access_key, date, region, service, signed, signature)


def _parse_amz_date(stamp: str) -> float:
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise SignatureError(
            "IncompleteSignatureException", "X-Amz-Date must be a date like 20260101T000000Z"
        ) from None
