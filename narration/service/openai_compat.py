"""OpenAI's `POST /v1/audio/speech`, so the `openai` client's `audio.speech.create` works.

`voice` names one of our voices; OpenAI's own voice names (alloy, echo, …) mean the Kokoro voice
that stands in for each (`engines.catalogue.OPENAI_VOICES`: `alloy` is `af_alloy`), or the
default voice where that one is not installed, so clients written for OpenAI run unchanged.
`model` is accepted and recorded only: every model is our one engine. `speed` is the job's
speaking rate.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from narration.engines.catalogue import openai_voice
from narration.job_options import SubmitRequest, Surface, mapped, validate
from narration.pipeline.ingest import load_document
from narration.pipeline.plan import MAX_SPEED, MIN_SPEED
from narration.service import speech
from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.native import bearer_auth

FORMATS: Final = {
    "mp3": ("mp3", "audio/mpeg"),
    "opus": ("opus", "audio/ogg"),
    "aac": ("m4a", "audio/mp4"),
    "flac": ("flac", "audio/flac"),
    "wav": ("wav", "audio/wav"),
    "pcm": ("wav", "audio/pcm"),
}
"""response_format → (our format, content type). aac comes in an MP4 container."""
PCM_RATE: Final = 24000
"""OpenAI's pcm is 24 kHz signed 16-bit little-endian mono."""

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
def create_speech(body: SpeechRequest, request: Request) -> Response:
    context = context_of(request)
    speech.check_length(context, body.input)
    spoken = speech.speak(
        context,
        load_document(body.input.encode(), "speech.txt"),
        submit_request(body, context.voices, context.settings.voice),
    )
    audio = spoken.audio
    if body.response_format == "pcm":
        audio = speech.wav_to_pcm(audio, PCM_RATE)
    return Response(audio, media_type=FORMATS[body.response_format][1])


def submit_request(
    body: SpeechRequest, voices: Collection[str], default_voice: str
) -> SubmitRequest:
    """The job's options from the request's fields the spec maps (`job_options`), with OpenAI's
    voice names and formats in ours."""
    voice = openai_voice(body.voice, voices, default_voice)
    if voice is None:
        raise ApiError(400, "invalid_voice", f"voice {body.voice[:100]!r} is not available")
    values = mapped(Surface.OPENAI, body.model_dump())
    values |= {"voice": voice, "format": FORMATS[body.response_format][0]}
    return validate(values, Surface.OPENAI)
