"""One S3 PutObject over the standard library, signed with AWS Signature Version 4.

Why: `narrate submit` stores one small object (the job's plan) before it queues the job, and
boto3 took about 0.3 s to import and to build that one client (botocore reads its S3 service
model and endpoint rules), most of the command's start-up (docs/BENCHMARKS.md, "CLI start-up").
`S3Store` puts through here only where it is asked to (the CLI) and the access key and secret
are given (settings or the local stack); the AWS credential chain stays with boto3.

What boto3's put gave, kept: path-style addressing on the configured endpoint, TLS verified
against `ca_bundle` or the system's CAs, the body's SHA-256 signed (the store refuses a body
that does not match it) and its MD5 sent, the standard retry mode (4 attempts, jittered
exponential backoff, on connection errors, 5xx and throttling), and errors mapped as
`object_store` maps boto's.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.client
import random
import re
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import Final

from narration.adapters import tls
from narration.errors import CredentialsRefused, InputError, RetryableError

MAX_ATTEMPTS: Final = 4
"""As boto3's standard retry mode, which `S3Store` configures."""
MAX_BACKOFF_S: Final = 20.0
CONNECT_TIMEOUT_S: Final = 5.0
READ_TIMEOUT_S: Final = 60.0
_RETRY_STATUS: Final = frozenset({500, 502, 503, 504})
_RETRY_CODES: Final = frozenset(
    {"RequestTimeout", "SlowDown", "Throttling", "RequestLimitExceeded"}
)
_REFUSED_CODES: Final = frozenset({"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId"})
_CODE: Final = re.compile(r"<Code>([^<]*)</Code>")


@dataclass(frozen=True)
class SignedPut:
    """Puts objects on one S3 endpoint with one access key."""

    endpoint: str
    region: str
    access_key: str
    secret_key: str
    ca_bundle: str = ""

    def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        """Store `data` at `key`; raises our error tree (`RetryableError` once retries are
        spent, `CredentialsRefused`, `InputError` for a missing bucket)."""
        for attempt in range(MAX_ATTEMPTS):
            retry = self._attempt(bucket, key, data, content_type)
            if retry is None:
                return
            if attempt == MAX_ATTEMPTS - 1:
                raise retry
            time.sleep(min(random.random() * 2**attempt, MAX_BACKOFF_S))

    def _attempt(
        self, bucket: str, key: str, data: bytes, content_type: str
    ) -> RetryableError | None:
        """One request: None when stored, the error to raise if the last attempt fails."""
        url = urllib.parse.urlsplit(self.endpoint)
        path = f"{url.path.rstrip('/')}/{bucket}/{urllib.parse.quote(key, safe='/~')}"
        headers = self.headers(url.netloc, path, data, content_type)
        connection = _connection(url, self.ca_bundle)
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(READ_TIMEOUT_S)
            connection.request("PUT", path, body=data, headers=headers)
            reply = connection.getresponse()
            body = reply.read()
        except ssl.SSLCertVerificationError as error:
            raise tls.untrusted("object storage", error) from None
        except (OSError, http.client.HTTPException) as error:
            return RetryableError(f"object storage unreachable: {error}")
        finally:
            connection.close()
        if reply.status == 200:
            return None
        found = _CODE.search(body.decode("utf-8", "replace"))
        code = found.group(1) if found else str(reply.status)
        if reply.status == 403 or code in _REFUSED_CODES:
            raise CredentialsRefused(f"object storage denied access to {key} ({code})")
        if code == "NoSuchBucket":
            raise InputError(f"bucket does not exist: {bucket}")
        failure = RetryableError(f"object storage error on {key}: {code}")
        if reply.status in _RETRY_STATUS or code in _RETRY_CODES:
            return failure
        raise failure

    def headers(
        self,
        host: str,
        path: str,
        data: bytes,
        content_type: str,
        now: datetime.datetime | None = None,
    ) -> dict[str, str]:
        """The request's headers, `Authorization` included (AWS Signature Version 4)."""
        moment = now or datetime.datetime.now(datetime.UTC)
        stamp = moment.strftime("%Y%m%dT%H%M%SZ")
        day = stamp[:8]
        payload = hashlib.sha256(data).hexdigest()
        signed = {
            "content-md5": base64.b64encode(
                hashlib.md5(data, usedforsecurity=False).digest()
            ).decode(),
            "content-type": content_type,
            "host": host,
            "x-amz-content-sha256": payload,
            "x-amz-date": stamp,
        }
        names = ";".join(signed)
        canonical = "\n".join(
            [
                "PUT",
                path,
                "",
                *(f"{name}:{value}" for name, value in signed.items()),
                "",
                names,
                payload,
            ]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = f"AWS4{self.secret_key}".encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.digest(key, part.encode(), "sha256")
        signature = hmac.digest(key, to_sign.encode(), "sha256").hex()
        return {
            **signed,
            "content-length": str(len(data)),
            "authorization": (
                f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                f"SignedHeaders={names}, Signature={signature}"
            ),
        }


def _connection(url: urllib.parse.SplitResult, ca_bundle: str) -> http.client.HTTPConnection:
    if url.scheme == "https":
        context = ssl.create_default_context(cafile=tls.s3_verify(ca_bundle))
        return http.client.HTTPSConnection(
            url.hostname or "", url.port, timeout=CONNECT_TIMEOUT_S, context=context
        )
    return http.client.HTTPConnection(url.hostname or "", url.port, timeout=CONNECT_TIMEOUT_S)
