"""One `ObjectStore` interface over S3-compatible storage (boto3), plus an in-memory one for
pure unit tests.

Credentials, endpoint and region come from settings or the standard AWS chain. boto3 is imported
and its client made on a store's first request that needs it: a CLI process that only puts a
small object puts it through `s3_put` (`signed_puts`) and never loads botocore. Large objects go
up as multipart uploads that are completed or aborted as a whole, so a final key never holds a
partial object. boto errors are mapped here: a missing key to `ObjectNotFound`, refused
credentials to `CredentialsRefused`, connection failures to `RetryableError` so tasks retry them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from narration.adapters import tls
from narration.adapters.s3_errors import (
    botocore_errors,
    connection_errors,
    error_code,
    mapped,
    translate,
)
from narration.adapters.s3_put import SignedPut
from narration.errors import (
    InputError,
    ObjectNotFound,
    RetryableError,
)

if TYPE_CHECKING:
    import boto3

_LOGGER = logging.getLogger(__name__)

MULTIPART_THRESHOLD: Final = 8 * 1024 * 1024
_BUCKET_RE: Final = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KEY_PART_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SESSION_LOCK: Final = threading.Lock()


class ObjectStore(Protocol):
    """What the pipeline needs from object storage."""

    bucket: str

    def put_bytes(self, key: str, data: bytes, content_type: str = ...) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def open_stream(
        self, key: str, byte_range: tuple[int, int] | None = None
    ) -> tuple[Iterator[bytes], str, int]: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def info(self, key: str) -> ObjectInfo: ...
    def upload_file(self, key: str, path: Path, content_type: str = ...) -> None: ...
    def download_file(self, key: str, path: Path) -> None: ...
    def list_keys(self, prefix: str) -> list[str]: ...
    def delete_prefix(self, prefix: str) -> int: ...
    def delete_keys(self, keys: list[str]) -> None: ...
    def presign(self, key: str, expires_s: int) -> str: ...
    def for_bucket(self, bucket: str) -> ObjectStore: ...


@dataclass(frozen=True)
class ObjectInfo:
    """An object's length and entity tag (quoted, as HTTP sends it), so a server can answer a
    byte range and tell a client whether the object changed since its last range."""

    size: int
    etag: str


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_uri(uri: str) -> S3Location:
    """Validate `s3://bucket/key`; refuse `..`, absolute parts and control characters."""
    if not uri.startswith("s3://"):
        raise InputError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if not _BUCKET_RE.match(bucket):
        raise InputError(f"invalid bucket name in {uri!r}")
    validate_key(key, what=uri)
    return S3Location(bucket, key)


def validate_key(key: str, what: str = "object key") -> str:
    """A key is one or more safe path components joined by '/'."""
    parts = key.split("/")
    if not key or any(not _KEY_PART_RE.match(part) or part in (".", "..") for part in parts):
        raise InputError(
            f"unsafe object key in {what!r}: use letters, digits, '.', '_', '-' and '/', "
            "no '..', no leading '/', no control characters"
        )
    return key


@functools.cache
def _session() -> boto3.session.Session:
    """One boto3 session per process: each new session reads botocore's S3 service model
    again (about 80 ms), which `narrate submit` paid for each of its clients."""
    import boto3

    return boto3.session.Session()


class S3Store:
    """ObjectStore over an S3 endpoint."""

    def __init__(
        self,
        bucket: str,
        endpoint: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        ca_bundle: str = "",
        signed_puts: bool = False,
    ) -> None:
        """`signed_puts`: put objects below the multipart threshold with `s3_put` where the
        access key and secret are given (a short-lived process that would make a boto3 client
        for one put)."""
        self.bucket = bucket
        self._settings: dict[str, Any] = {
            "verify": tls.s3_verify(ca_bundle),
            "endpoint_url": endpoint or None,
            "region_name": region or None,
            "aws_access_key_id": access_key or None,
            "aws_secret_access_key": secret_key or None,
        }
        self._boto: list[Any] = []
        """The boto3 client once made, shared with `for_bucket`'s stores."""
        self._signed_put = (
            SignedPut(endpoint, region or "us-east-1", access_key, secret_key, ca_bundle)
            if signed_puts and endpoint and access_key and secret_key
            else None
        )

    @property
    def _client(self) -> Any:
        if self._boto:
            return self._boto[0]
        with _SESSION_LOCK:  # a boto3 session makes one client at a time
            if not self._boto:
                from botocore.config import Config

                self._boto.append(
                    _session().client(
                        "s3",
                        **self._settings,
                        config=Config(
                            s3={"addressing_style": "path"},
                            retries={"mode": "standard", "max_attempts": 4},
                            connect_timeout=5,
                            read_timeout=60,
                            signature_version="s3v4",
                        ),
                    )
                )
            return self._boto[0]

    def _transfer(self) -> Any:
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, use_threads=False)

    def for_bucket(self, bucket: str) -> S3Store:
        """The same endpoint and credentials, another bucket."""
        other = object.__new__(S3Store)
        other.__dict__.update(self.__dict__)
        other.bucket = bucket
        return other

    def ensure_bucket(self) -> None:
        client, errors = self._client, botocore_errors()
        try:
            client.head_bucket(Bucket=self.bucket)
        except errors.ClientError as error:
            if error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
                raise translate(error, self.bucket) from error
            with mapped(self.bucket):
                self._client.create_bucket(Bucket=self.bucket)

    def bucket_exists(self) -> bool:
        """Whether the bucket exists and these credentials may use it."""
        client, errors = self._client, botocore_errors()
        try:
            client.head_bucket(Bucket=self.bucket)
        except errors.ClientError as error:
            if error_code(error) in ("404", "NoSuchBucket", "NotFound", "403", "AccessDenied"):
                return False
            raise translate(error, self.bucket) from error
        except connection_errors(errors) as error:
            raise RetryableError(f"object storage unreachable: {error}") from error
        return True

    def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        if self._signed_put is not None and len(data) < MULTIPART_THRESHOLD:
            self._signed_put.put(self.bucket, key, data, content_type)
            return
        with mapped(key):
            self._client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
            )

    def get_bytes(self, key: str) -> bytes:
        with mapped(key):
            body: bytes = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            return body

    def open_stream(
        self, key: str, byte_range: tuple[int, int] | None = None, block_bytes: int = 256 * 1024
    ) -> tuple[Iterator[bytes], str, int]:
        """An object's bytes as blocks (for serving it without holding it), its content type
        and its length; only bytes `first` to `last` (inclusive) with `byte_range`, so that a
        player can seek."""
        extra = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
        with mapped(key):
            reply = self._client.get_object(Bucket=self.bucket, Key=key, **extra)

        def blocks() -> Iterator[bytes]:
            with mapped(key):
                yield from reply["Body"].iter_chunks(block_bytes)

        return (
            blocks(),
            str(reply.get("ContentType") or "application/octet-stream"),
            int(reply["ContentLength"]),
        )

    def exists(self, key: str) -> bool:
        client, errors = self._client, botocore_errors()
        try:
            client.head_object(Bucket=self.bucket, Key=key)
        except errors.ClientError as error:
            if error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise translate(error, key) from error
        except connection_errors(errors) as error:
            raise RetryableError(f"object storage unreachable: {error}") from error
        return True

    def size(self, key: str) -> int:
        with mapped(key):
            length: int = self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
            return length

    def info(self, key: str) -> ObjectInfo:
        with mapped(key):
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        etag = str(head.get("ETag") or "").strip('"')
        return ObjectInfo(int(head["ContentLength"]), f'"{etag}"')

    def upload_file(
        self, key: str, path: Path, content_type: str = "application/octet-stream"
    ) -> None:
        """Multipart for large files; boto3 aborts the upload if any part fails."""
        with mapped(key):
            self._client.upload_file(
                str(path),
                self.bucket,
                key,
                ExtraArgs={"ContentType": content_type},
                Config=self._transfer(),
            )

    def download_file(self, key: str, path: Path) -> None:
        with mapped(key):
            self._client.download_file(self.bucket, key, str(path), Config=self._transfer())

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        with mapped(prefix or self.bucket):
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        self.delete_keys(keys)
        return len(keys)

    def delete_keys(self, keys: list[str]) -> None:
        """Delete these objects (missing ones are no error), 1,000 to a request."""
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            with mapped(batch[0]["Key"]):
                self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})

    def presign(self, key: str, expires_s: int) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_s
        )
        return url


class MemoryStore:
    """In-process ObjectStore for pure unit tests of code that only needs get/put."""

    def __init__(self, bucket: str = "memory", buckets: dict[str, dict[str, bytes]] | None = None):
        self.bucket = bucket
        self._buckets = {} if buckets is None else buckets
        self.objects: dict[str, bytes] = self._buckets.setdefault(bucket, {})

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> None:
        self.objects[key] = bytes(data)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.objects[key]
        except KeyError:
            raise ObjectNotFound(key) from None

    def open_stream(
        self, key: str, byte_range: tuple[int, int] | None = None
    ) -> tuple[Iterator[bytes], str, int]:
        data = self.get_bytes(key)
        if byte_range:
            data = data[byte_range[0] : byte_range[1] + 1]
        return iter([data]), "application/octet-stream", len(data)

    def exists(self, key: str) -> bool:
        return key in self.objects

    def size(self, key: str) -> int:
        return len(self.get_bytes(key))

    def info(self, key: str) -> ObjectInfo:
        data = self.get_bytes(key)
        return ObjectInfo(len(data), f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"')

    def upload_file(self, key: str, path: Path, content_type: str = "") -> None:
        self.objects[key] = path.read_bytes()

    def download_file(self, key: str, path: Path) -> None:
        path.write_bytes(self.get_bytes(key))

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        self.delete_keys(keys)
        return len(keys)

    def delete_keys(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    def presign(self, key: str, expires_s: int) -> str:
        return f"memory://{self.bucket}/{key}"

    def for_bucket(self, bucket: str) -> MemoryStore:
        """Another bucket of the same memory."""
        return MemoryStore(bucket, self._buckets)
