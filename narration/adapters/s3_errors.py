"""boto3's and botocore's errors mapped onto our tree, in one place (`object_store` uses it
around every boto3 request): a missing key to `ObjectNotFound`, refused credentials to
`CredentialsRefused`, connection failures to `RetryableError` so tasks retry them. botocore is
imported when the first mapping runs, which is after a boto3 client was made.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from narration.adapters import tls
from narration.errors import CredentialsRefused, InputError, ObjectNotFound, RetryableError


def botocore_errors() -> ModuleType:
    """botocore's exceptions, imported with the first boto3 request."""
    import botocore.exceptions

    return botocore.exceptions


def connection_errors(errors: ModuleType) -> tuple[type[Exception], ...]:
    return (
        errors.EndpointConnectionError,
        errors.ConnectionClosedError,
        errors.ReadTimeoutError,
        errors.ConnectTimeoutError,
        # The store went away while a body was being read (IncompleteRead).
        errors.ResponseStreamingError,
    )


def error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def translate(error: Any, what: str) -> Exception:
    code = error_code(error)
    if code in ("404", "NoSuchKey", "NotFound"):
        return ObjectNotFound(what)
    if code in ("NoSuchBucket",):
        bucket = error.response.get("Error", {}).get("BucketName") or what
        return InputError(f"bucket does not exist: {bucket}")
    if code in ("403", "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId"):
        return CredentialsRefused(f"object storage denied access to {what} ({code})")
    return RetryableError(f"object storage error on {what}: {code}")


@contextlib.contextmanager
def mapped(what: str) -> Iterator[None]:
    """Map boto errors onto our tree (around boto3 requests only: botocore is loaded)."""
    import boto3.exceptions

    errors = botocore_errors()
    try:
        yield
    except errors.ClientError as error:
        raise translate(error, what) from error
    except errors.SSLError as error:
        if tls.is_untrusted_certificate(error):
            raise tls.untrusted("object storage", error) from None
        raise RetryableError(f"object storage unreachable: {error}") from error
    except connection_errors(errors) as error:
        raise RetryableError(f"object storage unreachable: {error}") from error
    except boto3.exceptions.S3UploadFailedError as error:
        raise RetryableError(f"upload of {what} failed: {error}") from error
    except errors.NoCredentialsError:
        raise CredentialsRefused(
            "object storage credentials not found: set NARRATION_S3_ACCESS_KEY and "
            "NARRATION_S3_SECRET_KEY, or configure the AWS credential chain"
        ) from None
