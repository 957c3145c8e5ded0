"""How much a request may carry: bodies are limited before they are read, texts before they are
spoken, and a refusal is an answer its API's clients know.

The short speech endpoints (Polly SynthesizeSpeech, OpenAI speech) take at most
`speech_max_chars` characters, so their bodies are limited to what that text can take in JSON;
every other body to what a document of `max_input_bytes` can take in a form. Polly answers an
over-long text with `TextLengthExceededException` (400), OpenAI with an
`invalid_request_error` coded `string_above_max_length` (400); the native API with 413.
"""

from __future__ import annotations

from typing import Final

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from narration.errors import InputError
from narration.service.errors import error_response, family
from narration.settings import Settings

BODY_OVERHEAD_BYTES: Final = 1 << 20
"""Room for JSON escaping and multipart framing above the document size limit."""
SPEECH_PATHS: Final = ("/v1/speech", "/v1/audio/speech")
JSON_BYTES_PER_CHAR: Final = 6
"""The most a character can take in a JSON string (`\\uXXXX`, two of them for a surrogate
pair of two characters)."""
SPEECH_OVERHEAD_BYTES: Final = 64 * 1024
"""Room for a speech request's other fields."""


class TooLarge(InputError):
    """Raised when a request's body or text is over its endpoint's limit."""

    http_status = 413


class TextTooLong(TooLarge):
    """Raised when a text is longer than the endpoint takes."""

    http_status = 400


def refusal(path: str, error: TooLarge) -> JSONResponse:
    """The answer to a request over a limit, in its API's words."""
    kind = family(path)
    if kind == "polly":
        code = (
            "LexiconSizeExceededException"
            if path.startswith("/v1/lexicons")
            else ("TextLengthExceededException")
        )
        return error_response(path, 400, code, str(error))
    if kind == "openai":
        return error_response(path, 400, "string_above_max_length", str(error))
    code = "TextTooLong" if isinstance(error, TextTooLong) else "RequestTooLarge"
    return error_response(path, error.http_status, code, str(error))


def body_limits(settings: Settings) -> tuple[int, int]:
    """(a short speech request's body limit, every other body's limit) in bytes."""
    speech = JSON_BYTES_PER_CHAR * settings.speech_max_chars + SPEECH_OVERHEAD_BYTES
    return speech, 3 * settings.max_input_bytes + BODY_OVERHEAD_BYTES


class BodyLimit:
    """Refuse request bodies over their limit: by Content-Length at once, else while read."""

    def __init__(self, app: ASGIApp, speech_limit: int, limit: int) -> None:
        self.app = app
        self.speech_limit = speech_limit
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.speech_limit if path in SPEECH_PATHS else self.limit
        too_large = TooLarge(f"the request body is over {limit:,} bytes")
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > limit:
            await refusal(path, too_large)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large
            return message

        await self.app(scope, limited, send)
