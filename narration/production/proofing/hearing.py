"""Hear and score a chunk in two passes, so that clean chunks cost about half.

The quick pass (`recogniser.transcribe_quickly`: the chunk alone, no timestamps) is scored
first. A chunk it scores below the suspect threshold is done: clean speech, most of a job. One
it calls a suspect is heard again by the full pass (`recogniser.transcribe`, faster-whisper's
own, with word timestamps), whose score decides: a suspect is one both passes call a suspect,
so a slip of either recogniser alone raises no alarm and costs no retake, and a suspect's words
carry the times the report needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from narration.production.proofing import recogniser
from narration.production.proofing.scoring import (
    THRESHOLD,
    ChunkScore,
    HeardWord,
    heard_words,
    score_chunk,
)

SCREEN: Final = THRESHOLD
"""The quick pass's score from which the full pass hears a chunk again. Screening lower (0.6,
from a run of two words) sent half as many chunks again to the full pass on held-out prose and
found no other suspect (docs/BENCHMARKS.md, "Proofing")."""

Transcribe = Callable[[bytes], list[HeardWord]]


def hear(
    wav: bytes,
    spoken: str,
    quick: Transcribe = recogniser.transcribe_quickly,
    full: Transcribe = recogniser.transcribe,
) -> ChunkScore:
    """A chunk's score against its spoken text: the quick pass's, or the full pass's when
    the quick one reached the screen."""
    first = score_chunk(spoken, heard_words(quick(wav)))
    if first.score < SCREEN:
        return first
    return score_chunk(spoken, heard_words(full(wav)))
