"""Who reads each chunk of a script: the speakers of its turns, as the job's cast voices them.

The chunker keeps each turn's speaker label (`ingest.script`); the cast (`JobOptions.cast`)
decides who reads the text outside any turn, and so where the speaker really changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from narration.pipeline.chunker import TextChunk

NARRATOR: Final = "NARRATOR"
"""The speaker of a script's text outside any turn when `--narrator` gives it a voice."""


def outside_speaker(cast: Sequence[tuple[str, str]]) -> str:
    """Who reads a script's text outside any turn: the narrator, else the cast's first."""
    speakers = [speaker for speaker, _ in cast]
    return NARRATOR if NARRATOR in speakers else (speakers[0] if speakers else "")


def cast_chunks(chunks: list[TextChunk], cast: Sequence[tuple[str, str]]) -> list[TextChunk]:
    """Chunks with their speakers as cast: the text outside any turn gets `outside_speaker`,
    and a `turn` boundary between two chunks of one speaker becomes a paragraph's. Without a
    cast, no chunk has a speaker."""
    outside = outside_speaker(cast)
    spoken = [
        replace(chunk, speaker=(chunk.speaker or outside) if cast else "") for chunk in chunks
    ]
    for index, (chunk, following) in enumerate(itertools.pairwise(spoken)):
        if chunk.boundary_after == "turn" and chunk.speaker == following.speaker:
            spoken[index] = replace(chunk, boundary_after="paragraph")
    return spoken
