"""The console's session cookie: who signed in, until when, signed with that key's own secret.

The cookie holds the key id, an expiry and an HMAC-SHA256 over both keyed by the key's secret,
so no new secret is needed, every replica of the service accepts it, and removing or rotating
a key in `api_keys` ends its sessions. It is Secure, HttpOnly and SameSite=Strict, scoped to
the console's paths; browsers treat http://127.0.0.1 and localhost as secure, so the local
stack works without TLS, and anywhere else the console must be reached over HTTPS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Final

COOKIE_NAME: Final = "narration_console"
COOKIE_PATH: Final = "/console"
SESSION_S: Final = 12 * 3600
_PURPOSE: Final = b"narration-console-session"


def _signature(secret: str, key_id: str, expires: int) -> str:
    message = b"|".join((_PURPOSE, key_id.encode(), str(expires).encode()))
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def key_for_secret(keys: Mapping[str, str], given: str) -> str | None:
    """The id of the key whose secret is `given` (every key compared, in constant time)."""
    found = None
    for key_id, secret in keys.items():
        if hmac.compare_digest(given.encode(), secret.encode()):
            found = key_id
    return found


def issue(keys: Mapping[str, str], key_id: str, now: float | None = None) -> str:
    """A cookie value for `key_id`, valid for `SESSION_S`."""
    expires = int(now if now is not None else time.time()) + SESSION_S
    encoded_id = base64.urlsafe_b64encode(key_id.encode()).decode().rstrip("=")
    return f"{encoded_id}.{expires}.{_signature(keys[key_id], key_id, expires)}"


def verify(keys: Mapping[str, str], value: str, now: float | None = None) -> str | None:
    """The key id a cookie value was issued to, if it is genuine, unexpired and its key is
    still configured; else None."""
    encoded_id, _, rest = value.partition(".")
    expires_text, _, signature = rest.partition(".")
    if not expires_text.isdigit() or not signature:
        return None
    try:
        key_id = base64.urlsafe_b64decode(encoded_id + "=" * (-len(encoded_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    expires = int(expires_text)
    if key_id not in keys or expires < (now if now is not None else time.time()):
        return None
    expected = _signature(keys[key_id], key_id, expires)
    return key_id if hmac.compare_digest(expected, signature) else None
