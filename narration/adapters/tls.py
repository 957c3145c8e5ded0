"""TLS to the broker and to object storage: how certificates are checked, in one place.

A `rediss://` broker URL and an `https://` S3 endpoint are verified against `ca_bundle` (a PEM
file of CAs) or, when it is empty, the system's CAs; verification is never turned off (Redis
clients get these options from `redis_clients`). A
certificate that does not verify is a configuration error, reported in one line that names the
setting to fix rather than as a transport traceback.
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from typing import Final

from narration.errors import InputError, ServiceError

_VERIFY_FAILED: Final = re.compile(r"certificate verify failed[^(\])]*")


def s3_verify(ca_bundle: str) -> str | None:
    """boto3's `verify`: the bundle's path, or None for the default (verified) CAs."""
    return ca_bundle or None


def check_file(setting: str, path: str) -> None:
    """Refuse a setting (`ca_bundle`, a client certificate or key) that names no readable file
    before any connection tries it."""
    if path and not Path(path).is_file():
        raise InputError(f"setting {setting}: no such file: {path}")


def is_untrusted_certificate(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from, is a failed certificate check."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def untrusted(service: str, error: BaseException) -> ServiceError:
    return ServiceError(
        f"the {service}'s TLS certificate is not trusted ({_reason(error)}): set ca_bundle "
        "(NARRATION_CA_BUNDLE) to the PEM file of the CA that signed it"
    )


def _reason(error: BaseException) -> str:
    """OpenSSL's words ("certificate verify failed: self-signed certificate"), no source line."""
    found = _VERIFY_FAILED.search(str(error))
    return found.group(0).strip() if found else "certificate verify failed"
