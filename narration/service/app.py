"""The ASGI application of `narrate serve`: the Polly, OpenAI and native APIs in one app.

Every error becomes the answer its API's clients parse (`service.errors`), never a traceback.
Request bodies are limited before they are read (`BodyLimit`).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from narration.errors import NarrationError
from narration.service import hls_stream, native, openai_compat, polly
from narration.service.auth import parse_api_keys
from narration.service.console import router as console_router
from narration.service.context import ServiceContext
from narration.service.errors import ApiError, error_response, family, polly_code
from narration.service.metrics import router as metrics_router
from narration.settings import Settings

_LOGGER = logging.getLogger(__name__)

TITLE: Final = "narration"
BODY_OVERHEAD_BYTES: Final = 1 << 20
"""Room for JSON escaping and multipart framing above the document size limit."""


class RequestTooLarge(NarrationError):
    """Raised when a request body is over the limit."""

    http_status = 413


class BodyLimit:
    """Refuse request bodies over `limit` bytes: by Content-Length at once, else while read."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            response = error_response(
                scope["path"],
                413,
                "RequestTooLarge",
                f"the request body is over {self.limit:,} bytes",
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise RequestTooLarge(f"the request body is over {self.limit:,} bytes")
            return message

        await self.app(scope, limited, send)


def create_app(settings: Settings) -> FastAPI:
    """The service over `settings`; it connects to the broker and storage on first use."""
    app = FastAPI(
        title=TITLE,
        version="1",
        summary="Narration jobs over HTTP: Polly-compatible tasks, OpenAI-compatible speech, "
        "native jobs with progress events and listen-while-it-renders HLS.",
    )
    app.state.context = ServiceContext(settings, parse_api_keys(settings.api_keys))
    app.include_router(polly.router)
    app.include_router(openai_compat.router)
    app.include_router(native.router)
    app.include_router(hls_stream.router)
    app.include_router(console_router)
    app.include_router(metrics_router)

    @app.get("/healthz", tags=["Service"], summary="Liveness (no credentials needed)")
    def healthz() -> dict[str, Any]:
        return {"ok": True}

    _install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=3 * settings.max_input_bytes + BODY_OVERHEAD_BYTES)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(request.url.path, error.status, error.code, error.message)

    @app.exception_handler(NarrationError)
    async def narration_error(request: Request, error: NarrationError) -> JSONResponse:
        code = type(error).__name__
        if family(request.url.path) == "polly":
            code = polly_code(code, error.http_status)
        return error_response(request.url.path, error.http_status, code, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'][1:])}: {item['msg']}" for item in error.errors()
        )
        code = "ValidationException" if family(request.url.path) == "polly" else "invalid_request"
        return error_response(request.url.path, 400, code, problems or "invalid request")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return error_response(request.url.path, error.status_code, "http_error", str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        _LOGGER.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(
            request.url.path, 500, "InternalError", "internal error; see the service's log"
        )
