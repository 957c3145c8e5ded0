"""Error answers in the shape each API's clients parse: Polly's, OpenAI's, or the native one.

An AWS SDK reads the error code from the `x-amzn-ErrorType` header (or `__type`) and the
message from `message`; the openai client reads `{"error": {"message", "type", "code"}}`; the
native API answers `{"error": {"code", "message"}}`. Which one a request gets depends only on
its path. No traceback ever reaches a client. A Polly error code is always sent with the HTTP
status Polly documents for it (`POLLY_STATUS`), whatever raised it.
"""

from __future__ import annotations

from typing import Final

from fastapi.responses import JSONResponse

POLLY_PATHS: Final = ("/v1/synthesisTasks", "/v1/speech", "/v1/voices", "/v1/lexicons")
OPENAI_PATHS: Final = ("/v1/audio/",)
POLLY_STATUS: Final = {
    "EngineNotSupportedException": 400,
    "InvalidLexiconException": 400,
    "InvalidNextTokenException": 400,
    "InvalidS3BucketException": 400,
    "InvalidS3KeyException": 400,
    "InvalidSampleRateException": 400,
    "InvalidSnsTopicArnException": 400,
    "InvalidSsmlException": 400,
    "InvalidTaskIdException": 400,
    "LanguageNotSupportedException": 400,
    "LexiconNotFoundException": 404,
    "LexiconSizeExceededException": 400,
    "MarksNotSupportedForFormatException": 400,
    "ServiceFailureException": 500,
    "SsmlMarksNotSupportedForTextTypeException": 400,
    "SynthesisTaskNotFoundException": 400,
    "TextLengthExceededException": 400,
    "UnsupportedPlsAlphabetException": 400,
    "ValidationException": 400,
}
"""The HTTP status of each Polly error code we answer, as Polly's API model declares it (the
`error.httpStatusCode` of each exception in botocore's polly/2016-06-10/service-2.json)."""


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
        status = POLLY_STATUS.get(code, status)
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
