"""How much one caller may ask at once and per minute, so that one client cannot take every
worker thread or flood the queues: over a limit, `429 Too Many Requests` with `Retry-After`.

A caller is an API key (a Bearer secret or a console session, checked here; a Polly request's
signing key id, whose signature the endpoint checks, and whose token is given back when the
endpoint refuses it, so that naming someone else's key id costs them nothing), else the
client's address. The limits are on when keys are configured (`request_limits = "auto"`), off
on a loopback service without keys, and can be forced either way. Players poll status,
playlists and segments: those GETs are never limited.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from narration.errors import InputError
from narration.service.console.session import COOKIE_NAME, key_for_secret, verify
from narration.service.errors import error_response, family

MODES: Final = ("auto", "on", "off")
POLLING_PATHS: Final = re.compile(
    r"^/(?:healthz|metrics"
    r"|v1/jobs/[^/]+(?:/events|/hls/[^/]+)?"
    r"|v1/synthesisTasks/[^/]+"
    r"|console/static/.+"
    r"|console/jobs/rows"
    r"|console/jobs/[^/]+/(?:status|details|events|hls/[^/]+))$"
)
"""GETs that players and the console poll: status, events, playlists and segments."""
MAX_CALLERS: Final = 10_000
"""Idle callers are forgotten beyond this many, so a scan of addresses cannot fill memory."""
_SIGV4_KEY: Final = re.compile(r"Credential=([^/,\s]{1,128})/")
_CODES: Final = {"polly": "ThrottlingException", "openai": "rate_limit_exceeded"}


@dataclass(frozen=True)
class Limits:
    """Per caller: requests per minute (a token bucket a minute deep) and requests at once;
    0 turns either off."""

    per_minute: int = 0
    concurrent: int = 0

    @classmethod
    def from_settings(
        cls, mode: str, per_minute: int, concurrent: int, open_service: bool
    ) -> Limits:
        if mode not in MODES:
            raise InputError(f"setting request_limits: use one of {', '.join(MODES)}")
        if per_minute < 0 or concurrent < 0:
            raise InputError("settings requests_per_minute and concurrent_requests: 0 or more")
        if mode == "off" or (mode == "auto" and open_service):
            return cls()
        return cls(per_minute, concurrent)

    @property
    def active(self) -> bool:
        return bool(self.per_minute or self.concurrent)


@dataclass
class _Caller:
    tokens: float
    updated: float
    in_flight: int = 0


@dataclass
class CallerBook:
    """Each caller's tokens and requests in flight. Only the event loop touches it."""

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    callers: dict[str, _Caller] = field(default_factory=dict)

    def admit(self, who: str) -> tuple[float, str] | None:
        """Take a token and a slot for `who`; None if admitted, else (seconds to wait, why)."""
        now = self.clock()
        caller = self._caller(who, now)
        if self.limits.concurrent and caller.in_flight >= self.limits.concurrent:
            return 1.0, f"already {self.limits.concurrent} in progress"
        if self.limits.per_minute:
            rate = self.limits.per_minute / 60.0
            caller.tokens = min(
                float(self.limits.per_minute), caller.tokens + (now - caller.updated) * rate
            )
            caller.updated = now
            if caller.tokens < 1.0:
                return (1.0 - caller.tokens) / rate, f"over {self.limits.per_minute} a minute"
            caller.tokens -= 1.0
        caller.in_flight += 1
        return None

    def release(self, who: str, refund: bool = False) -> None:
        caller = self.callers.get(who)
        if caller is None:
            return
        caller.in_flight = max(0, caller.in_flight - 1)
        if refund and self.limits.per_minute:
            caller.tokens = min(float(self.limits.per_minute), caller.tokens + 1.0)

    def _caller(self, who: str, now: float) -> _Caller:
        caller = self.callers.get(who)
        if caller is None:
            if len(self.callers) >= MAX_CALLERS:
                self._forget_idle(now)
            caller = self.callers[who] = _Caller(float(self.limits.per_minute), now)
        return caller

    def _forget_idle(self, now: float) -> None:
        """Drop callers with nothing in flight whose bucket has filled up again."""
        full_after = 60.0
        for who in [
            who
            for who, caller in self.callers.items()
            if not caller.in_flight and now - caller.updated >= full_after
        ]:
            del self.callers[who]


def caller_of(scope: Scope, keys: Mapping[str, str]) -> tuple[str, bool]:
    """Who is asking: (`key:<id>` or `client:<address>`, whether that is yet unverified)."""
    headers = {name.lower(): value for name, value in scope["headers"]}
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if keys:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            key_id = key_for_secret(keys, token.strip())
            if key_id is not None:
                return f"key:{key_id}", False
        claimed = _SIGV4_KEY.search(authorization)
        if authorization.startswith("AWS4-HMAC-SHA256") and claimed and claimed.group(1) in keys:
            return f"key:{claimed.group(1)}", True
        session = _cookie(headers.get(b"cookie", b"").decode("latin-1"), COOKIE_NAME)
        key_id = verify(keys, session) if session else None
        if key_id is not None:
            return f"key:{key_id}", False
    client = scope.get("client")
    return f"client:{client[0] if client else 'unknown'}", False


class RequestLimits:
    """ASGI middleware applying `Limits` per caller (module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits,
        keys: Mapping[str, str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.keys = keys
        self.book = CallerBook(limits, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.book.limits.active or _exempt(scope):
            await self.app(scope, receive, send)
            return
        who, unverified = caller_of(scope, self.keys)
        refused = self.book.admit(who)
        if refused is not None:
            await _too_many(scope, receive, send, *refused)
            return
        status = 0

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            self.book.release(who, refund=unverified and status in (401, 403))


def _exempt(scope: Scope) -> bool:
    return scope["method"] in ("GET", "HEAD") and POLLING_PATHS.match(scope["path"]) is not None


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: float, why: str) -> None:
    path = scope["path"]
    seconds = max(1, math.ceil(wait))
    code = _CODES.get(family(path), "rate_limited")
    message = f"too many requests from this caller ({why}); retry after {seconds} s"
    response = error_response(path, 429, code, message)
    response.headers["Retry-After"] = str(seconds)
    await response(scope, receive, send)


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""
