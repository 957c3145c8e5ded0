"""OpenAI's `POST /v1/audio/speech`, so the `openai` client's `audio.speech.create` works.

`voice` names one of our voices; OpenAI's own voice names (alloy, echo, …) mean the Kokoro voice
that stands in for each (`engines.catalogue.OPENAI_VOICES`: `alloy` is `af_alloy`), or the
default voice where that one is not installed, so clients written for OpenAI run unchanged.
`model` is accepted and recorded only: every model is our one engine. `speed` time-stretches the
answer, pauses included, as OpenAI's does; the job itself is rendered at the voice's own rate (and
shares its chunk cache). The audio is streamed as the job makes it (`speech_stream`): 24 kHz in
every format, pcm raw 16-bit mono, wav with a streaming header, aac as ADTS.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from narration.engines.catalogue import openai_voice
from narration.job_options import SubmitRequest, mapped, validate
from narration.option_spec import Surface
from narration.pipeline.ingest import load_document
from narration.pipeline.plan import MAX_SPEED, MIN_SPEED
from narration.service import speech
from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.native import bearer_auth
from narration.service.speech_stream import CONTENT_TYPE, SpeechStream

JOB_FORMAT: Final = {
    "mp3": "mp3",
    "opus": "opus",
    "aac": "m4a",
    "flac": "flac",
    "wav": "wav",
    "pcm": "wav",
}
"""response_format → the format of the request's job (what its record and stored output say)."""

router = APIRouter(tags=["OpenAI"], dependencies=[Depends(bearer_auth)])


class SpeechRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str
    input: str
    voice: str
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(1.0, ge=MIN_SPEED, le=MAX_SPEED)
    instructions: str | None = None


@router.post("/v1/audio/speech", response_class=Response, summary="Create speech (OpenAI)")
def create_speech(body: SpeechRequest, request: Request) -> StreamingResponse:
    """Streamed: the first audio leaves once the first chunk is made (`speech_stream`)."""
    context = context_of(request)
    speech.check_length(context, body.input)
    record = speech.submit_short(
        context,
        load_document(body.input.encode(), "speech.txt"),
        submit_request(body, context.voices, context.settings.voice),
    )
    stream = SpeechStream(context, record["job_id"], int(record["chunks_total"]), body.speed)
    stream.first_chunk()
    return StreamingResponse(
        stream.encoded(body.response_format), media_type=CONTENT_TYPE[body.response_format]
    )


def submit_request(
    body: SpeechRequest, voices: Collection[str], default_voice: str
) -> SubmitRequest:
    """The job's options from the request's fields the spec maps (`job_options`), with OpenAI's
    voice names and formats in ours."""
    voice = openai_voice(body.voice, voices, default_voice)
    if voice is None:
        raise ApiError(400, "invalid_voice", f"voice {body.voice[:100]!r} is not available")
    values = mapped(Surface.OPENAI, body.model_dump())
    values |= {"voice": voice, "format": JOB_FORMAT[body.response_format]}
    return validate(values, Surface.OPENAI)
