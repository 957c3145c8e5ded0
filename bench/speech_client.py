"""One OpenAI speech request, streamed and timed as a listener meets it: seconds to its first
audio byte and to its last, and the audio. bench/speech_stream.py measures with it and
tests/integration/test_listening.py checks the streaming with it, so both time the same thing."""

from __future__ import annotations

import time
from dataclasses import dataclass

import openai

from narration.pipeline.defaults import DEFAULT_VOICE_NAME


@dataclass(frozen=True)
class StreamedSpeech:
    first_byte_s: float
    """From the request to the first audio byte."""
    total_s: float
    """From the request to the last byte."""
    audio: bytes


def stream_speech(
    client: openai.OpenAI, text: str, fmt: str, voice: str = DEFAULT_VOICE_NAME
) -> StreamedSpeech:
    """Ask `client` for `text` spoken by `voice` in `fmt`, reading the answer as it streams."""
    started = time.monotonic()
    first = 0.0
    blocks = []
    with client.audio.speech.with_streaming_response.create(
        model="tts-1",
        voice=voice,
        input=text,
        response_format=fmt,  # type: ignore[arg-type]
    ) as answer:
        for block in answer.iter_bytes():
            if block and not first:
                first = time.monotonic() - started
            blocks.append(block)
    return StreamedSpeech(first, time.monotonic() - started, b"".join(blocks))
