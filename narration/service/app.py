"""The ASGI application of `narrate serve`: the Polly, OpenAI and native APIs in one app.

Every error becomes the answer its API's clients parse (`service.errors`), never a traceback.
Each request passes, in order: the Host and Origin checks (`origin_guard`), the per-caller
limits (`request_limits`) and the body limit (`size_limits`).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from narration.errors import NarrationError
from narration.output_places import OutputPlaces
from narration.service import hls_stream, native, openai_compat, polly
from narration.service.auth import is_loopback, parse_api_keys
from narration.service.console import router as console_router
from narration.service.context import ServiceContext
from narration.service.errors import ApiError, error_response, family, polly_code
from narration.service.metrics import router as metrics_router
from narration.service.origin_guard import AllowedHosts, OriginGuard
from narration.service.request_limits import Limits, RequestLimits
from narration.service.size_limits import BodyLimit, TooLarge, body_limits, refusal
from narration.settings import Settings

_LOGGER = logging.getLogger(__name__)

TITLE: Final = "narration"


def create_app(settings: Settings, bind_host: str = "127.0.0.1") -> FastAPI:
    """The service over `settings`, listening on `bind_host`; it connects to the broker and
    storage on first use."""
    app = FastAPI(
        title=TITLE,
        version="1",
        summary="Narration jobs over HTTP: Polly-compatible tasks, OpenAI-compatible speech, "
        "native jobs with progress events and listen-while-it-renders HLS.",
    )
    keys = parse_api_keys(settings.api_keys)
    OutputPlaces.from_settings(settings)  # a malformed output_allow stops the service at start
    app.state.context = ServiceContext(settings, keys)
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
    speech_limit, limit = body_limits(settings)
    app.add_middleware(BodyLimit, speech_limit=speech_limit, limit=limit)
    limits = Limits.from_settings(
        settings.request_limits,
        settings.requests_per_minute,
        settings.concurrent_requests,
        open_service=not keys and is_loopback(bind_host),
    )
    app.add_middleware(RequestLimits, limits=limits, keys=keys)
    hosts = AllowedHosts.from_setting(bind_host, settings.allowed_hosts)
    app.add_middleware(OriginGuard, hosts=hosts, keys_configured=bool(keys))
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TooLarge)
    async def too_large(request: Request, error: TooLarge) -> JSONResponse:
        return refusal(request.url.path, error)

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
