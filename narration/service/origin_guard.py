"""What a web page may ask of the service through its visitor's browser: nothing, unless it is
the service's own page.

A browser sends requests on its own credentials: with no keys configured, any request at all
(the service is open to whatever can reach the loopback address); with keys, the console's
session cookie. Two attacks use that:

- DNS rebinding: a page on `evil.example` points its name at 127.0.0.1 and reads the API as
  its own origin. The browser still sends `Host: evil.example`, so a request whose Host is not
  the bound address, a loopback name or an `allowed_hosts` entry is refused (421).
- Cross-site request forgery: a page posts a form (or a `no-cors` fetch) to the service. The
  browser marks it with the page's `Origin` (or, from older browsers, its `Referer`), so a
  POST, PUT, PATCH or DELETE from another origin is refused (403). A request with neither
  header is not from a web page (curl, boto3, the openai client) and is accepted.

With keys, only the console's requests are checked: every other endpoint needs an
`Authorization` header, which no browser adds to another site's request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from narration.errors import InputError
from narration.service.auth import is_loopback
from narration.service.errors import error_response, family

UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COOKIE_SCOPE: Final = "/console"
"""Where the console's session cookie is sent (`console.session.COOKIE_PATH`)."""
ANY_HOST: Final = "*"
_POLLY_CODES: Final = {421: "InvalidHostException", 403: "AccessDeniedException"}


@dataclass(frozen=True)
class AllowedHosts:
    """Host names the service answers to: the bound address, loopback, and `allowed_hosts`
    entries (`name`, `.example.com` for it and its subdomains, `*` for any)."""

    bound: str
    extra: tuple[str, ...] = ()

    @classmethod
    def from_setting(cls, bound: str, value: str) -> AllowedHosts:
        entries = tuple(part.strip().lower() for part in value.split(",") if part.strip())
        for entry in entries:
            if entry != ANY_HOST and not _is_host_name(entry.removeprefix(".")):
                raise InputError(f"setting allowed_hosts: {entry[:100]!r} is not a host name")
        return cls(_bare(bound.lower()), entries)

    def answers_to(self, host: str) -> bool:
        """Whether a request's Host (a name or address, with or without a port) is ours."""
        name = hostname(host)
        return name == self.bound or is_loopback(name) or ANY_HOST in self.extra or self.named(name)

    def named(self, name: str) -> bool:
        """Whether `name` is one of the configured entries (the wildcard aside)."""
        return any(_matches(entry, name) for entry in self.extra if entry != ANY_HOST)


def hostname(host: str) -> str:
    """`Example.org:8080` → `example.org`; `[::1]:8080` → `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


def foreign_origin(origin: str | None, referer: str | None, host: str, hosts: AllowedHosts) -> bool:
    """Whether a browser says the request comes from a page not served by this service: the
    `Origin` (else the `Referer`) is neither this request's own origin nor an allowed host.
    Without either header nothing says so."""
    source = origin if origin is not None else referer
    if source is None:
        return False
    if source == "null":
        return True
    parts = urlsplit(source)
    if not parts.scheme or not parts.netloc:
        return True
    return parts.netloc.lower() != host.strip().lower() and not hosts.named(hostname(parts.netloc))


class OriginGuard:
    """ASGI middleware refusing foreign Hosts and cross-origin state changes (module doc)."""

    def __init__(self, app: ASGIApp, hosts: AllowedHosts, keys_configured: bool) -> None:
        self.app = app
        self.hosts = hosts
        self.keys_configured = keys_configured

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._checked(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope["headers"])
        host = headers.get("host")
        if host is not None and not self.hosts.answers_to(host):
            message = (
                f"this service does not answer to host {hostname(host)[:100]!r}; "
                "add it to the allowed_hosts setting"
            )
            await _refuse(scope, receive, send, 421, "host_not_allowed", message)
            return
        if scope["method"] in UNSAFE_METHODS and foreign_origin(
            headers.get("origin"), headers.get("referer"), host or "", self.hosts
        ):
            message = "requests from another site's page are refused"
            await _refuse(scope, receive, send, 403, "cross_origin", message)
            return
        await self.app(scope, receive, send)

    def _checked(self, path: str) -> bool:
        """All requests when the service is open; else the cookie-authenticated console's."""
        if not self.keys_configured:
            return True
        return path == COOKIE_SCOPE or path.startswith(COOKIE_SCOPE + "/")


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
) -> None:
    path = scope["path"]
    if family(path) == "polly":
        code = _POLLY_CODES[status]
    await error_response(path, status, code, message)(scope, receive, send)


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The first value of each header (a browser sends Host, Origin and Referer once)."""
    found: dict[str, str] = {}
    for name, value in raw:
        found.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def _bare(address: str) -> str:
    return address[1:-1] if address.startswith("[") and address.endswith("]") else address


def _matches(entry: str, name: str) -> bool:
    if entry.startswith("."):
        return name == entry[1:] or name.endswith(entry)
    return name == entry


def _is_host_name(value: str) -> bool:
    try:
        ipaddress.ip_address(_bare(value))
        return True
    except ValueError:
        pass
    labels = value.rstrip(".").split(".")
    return all(
        0 < len(label) <= 63
        and label.replace("-", "").isalnum()
        and label.isascii()
        and not label.startswith("-")
        for label in labels
    )
