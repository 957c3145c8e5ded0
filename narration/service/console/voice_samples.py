"""The console's voice samples: the play buttons of the voice picker.

A sample is the catalogue's fixed passage (`engines.catalogue.SAMPLE_TEXT`) spoken as a short
job on the workers, like any speech request (the service loads no voice), then kept in memory
for the life of the service: one short MP3 a voice.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from narration.engines.catalogue import SAMPLE_TEXT
from narration.job_options import validate
from narration.option_spec import Surface
from narration.pipeline.ingest import load_document
from narration.service import speech
from narration.service.console.access import media_access
from narration.service.context import context_of
from narration.service.errors import ApiError

router = APIRouter(
    prefix="/console/voices", include_in_schema=False, dependencies=[Depends(media_access)]
)


@router.get("/{name}/sample.mp3")
def voice_sample(request: Request, name: str) -> Response:
    context = context_of(request)
    if name not in context.voices:
        raise ApiError(404, "voice_not_found", f"no voice {name[:100]!r}")
    audio = context.voice_samples.get(name)
    if audio is None:
        request_options = validate({"voice": name, "format": "mp3"}, Surface.CONSOLE)
        document = load_document(SAMPLE_TEXT.encode(), "sample.txt")
        audio = speech.speak(context, document, request_options).audio
        context.voice_samples[name] = audio
    return Response(
        audio, media_type="audio/mpeg", headers={"Cache-Control": "private, max-age=86400"}
    )
