"""Who may use the console: the API's rule (open with no keys, which `check_bind` allows only
on a loopback address), else a valid session cookie (`console.session`).

Pages send a visitor without a session to the sign-in page; media, downloads and events answer
401 instead. Forms posted from another origin are refused before they reach a page, on top of
the SameSite cookie (`service.origin_guard`).
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from narration.service.console.session import COOKIE_NAME, verify
from narration.service.context import context_of
from narration.service.errors import ApiError

OPEN: Final = ""
"""The signed-in key id of everyone when no keys are configured."""


def signed_in(request: Request) -> str | None:
    """The key id of the visitor's session, `OPEN` on an open service, or None."""
    keys = context_of(request).keys
    if not keys:
        return OPEN
    return verify(keys, request.cookies.get(COOKIE_NAME, ""))


def to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/sign-in?next={quote(target, safe='')}", status_code=303)


def media_access(request: Request) -> None:
    """Dependency of the console's media, download and event routes."""
    if signed_in(request) is None:
        raise ApiError(401, "sign_in_needed", "sign in to the console first")


def safe_next(target: str) -> str:
    """Where to go after signing in: only a console path, never another site."""
    if target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console/jobs"
