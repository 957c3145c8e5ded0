"""Polly's SynthesizeSpeech: a short text spoken while the caller waits (`service.speech`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from narration.errors import InputError
from narration.service import speech
from narration.service.context import context_of
from narration.service.errors import ApiError
from narration.service.polly.output import CONTENT_TYPE, filter_marks
from narration.service.polly.protocol import polly_auth
from narration.service.polly.synthesis_request import (
    SynthesisRequest,
    check_request,
    document,
    submit_request,
)

router = APIRouter(tags=["Polly"], dependencies=[Depends(polly_auth)])


@router.post("/v1/speech", summary="SynthesizeSpeech", response_class=Response)
def synthesize_speech(body: SynthesisRequest, request: Request) -> Response:
    context = context_of(request)
    fields = check_request(context, body)
    if not body.Text.strip():
        raise ApiError(400, "ValidationException", "Text is empty")
    try:
        speech.check_length(context, body.Text)
    except InputError as error:
        raise ApiError(400, "TextLengthExceededException", str(error)) from None
    fmt = body.OutputFormat
    spoken = speech.speak(
        context, document(body, "speech.txt"), submit_request(fields), with_marks=fmt == "json"
    )
    if fmt == "json":
        content = filter_marks(spoken.marks, fields["SpeechMarkTypes"])
    elif fmt == "pcm":
        content = speech.wav_to_pcm(spoken.audio, int(fields["SampleRate"]))
    else:
        content = spoken.audio
    return Response(
        content,
        media_type=CONTENT_TYPE[fmt],
        headers={"x-amzn-RequestCharacters": str(len(body.Text))},
    )
