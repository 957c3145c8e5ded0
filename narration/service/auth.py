"""Who may call the service: API keys from the `api_keys` setting, and the loopback rule.

Polly's endpoints verify AWS Signature V4 (`service.sigv4`) with a key's id and secret, as an
AWS SDK signs; every other endpoint takes `Authorization: Bearer <secret>`. With no key
configured the service runs open, and so may only listen on a loopback address.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Final

from narration.errors import InputError

LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost."})


class AuthError(Exception):
    """Raised when a request carries no valid credentials; `code` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_api_keys(value: str) -> dict[str, str]:
    """`id:secret,id2:secret2` → {id: secret}; InputError (never echoing a secret) if malformed."""
    keys: dict[str, str] = {}
    for number, item in enumerate(part.strip() for part in value.split(",") if part.strip()):
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id.strip() or not secret.strip():
            raise InputError(f"setting api_keys: entry {number + 1} is not of the form id:secret")
        keys[key_id.strip()] = secret.strip()
    return keys


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, keys: Mapping[str, str]) -> None:
    """Refuse to listen beyond this machine without credentials."""
    if not keys and not is_loopback(host):
        raise InputError(
            f"refusing to listen on {host} with no API keys: set api_keys "
            "(NARRATION_API_KEYS=id:secret) or bind to 127.0.0.1"
        )


def check_bearer(header: str, keys: Mapping[str, str]) -> None:
    """Accept `Bearer <secret>` of any configured key (compared in constant time)."""
    if not keys:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("missing_credentials", "send Authorization: Bearer <api key secret>")
    given = token.strip().encode()
    if not any(hmac.compare_digest(given, secret.encode()) for secret in keys.values()):
        raise AuthError("invalid_api_key", "the API key is not valid")
