"""What Polly delivers: its content types and file extensions, raw PCM, and speech marks
filtered to the requested types (our outputs are WAV and every mark type)."""

from __future__ import annotations

import json
from typing import Final

EXTENSION: Final = {
    "mp3": "mp3",
    "ogg_vorbis": "ogg",
    "ogg_opus": "ogg",
    "pcm": "pcm",
    "json": "marks",
}
CONTENT_TYPE: Final = {
    "mp3": "audio/mpeg",
    "ogg_vorbis": "audio/ogg",
    "ogg_opus": "audio/ogg",
    "pcm": "audio/pcm",
    "json": "application/x-json-stream",
}


def filter_marks(marks: bytes, kinds: list[str]) -> bytes:
    """Our marks.json (JSON lines in Polly's shape) with only the requested mark types."""
    lines = [line for line in marks.decode().splitlines() if line.strip()]
    kept = [line for line in lines if json.loads(line)["type"] in kinds]
    return "".join(line + "\n" for line in kept).encode()
