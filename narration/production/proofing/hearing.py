"""Hear and score a chunk in two passes, so that clean chunks cost about half.

The quick pass (`recogniser.transcribe_quickly`: the chunk alone, no timestamps) is scored
first. A chunk it scores below `SCREEN` is done: clean speech, the rest of a job. One that
reaches it (a run of two diverging words, or any run the rule scores 1: a word outside the
dictionary not heard exactly, a long word lost) is heard again by the full pass
(`recogniser.transcribe`, with word timestamps), whose score decides, as it would alone: a
suspect is then one both passes found, and its words have the times the report needs. The
screen sits below the suspect threshold because the two passes slip on different words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from narration.production.proofing import recogniser
from narration.production.proofing.scoring import ChunkScore, HeardWord, heard_words, score_chunk

SCREEN: Final = 0.6
"""The quick pass's score from which the full pass hears a chunk again (scoring.THRESHOLD
is 1; a run of two words scores 2/3)."""

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
