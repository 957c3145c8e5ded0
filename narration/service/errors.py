"""Error answers in the shape each API's clients parse: Polly's, OpenAI's, or the native one.

An AWS SDK reads the error code from the `x-amzn-ErrorType` header (or `__type`) and the
message from `message`; the openai client reads `{"error": {"message", "type", "code"}}`; the
native API answers `{"error": {"code", "message"}}`. Which one a request gets depends only on
its path. No traceback ever reaches a client.
"""

from __future__ import annotations

from typing import Final

from fastapi.responses import JSONResponse

POLLY_PATHS: Final = ("/v1/synthesisTasks", "/v1/speech", "/v1/voices", "/v1/lexicons")
OPENAI_PATHS: Final = ("/v1/audio/",)


class ApiError(Exception):
    """Raised by an endpoint for an answer with its own status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def family(path: str) -> str:
    if path.startswith(POLLY_PATHS):
        return "polly"
    if path.startswith(OPENAI_PATHS):
        return "openai"
    return "native"


def error_response(path: str, status: int, code: str, message: str) -> JSONResponse:
    kind = family(path)
    if kind == "polly":
        return JSONResponse(
            {"__type": code, "message": message},
            status_code=status,
            headers={"x-amzn-ErrorType": code},
        )
    if kind == "openai":
        error_type = "invalid_request_error" if status < 500 else "server_error"
        if status in (401, 403):
            error_type = "authentication_error"
        if status == 429:
            error_type = "requests"
        body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
        return JSONResponse(body, status_code=status)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def polly_code(error_class: str, status: int) -> str:
    """Our error classes as the Polly error codes an SDK knows."""
    if error_class == "JobNotFound":
        return "SynthesisTaskNotFoundException"
    if error_class == "LexiconNotFound":
        return "LexiconNotFoundException"
    if status >= 500:
        return "ServiceFailureException"
    return "ValidationException"
