"""Hear and score a chunk in two passes over one encoding, so that clean chunks cost least.

The quick pass (`recogniser.listen`: the chunk and a second of silence encoded, decoded without
timestamps) is scored first. A chunk it scores below the suspect threshold is done: clean
speech, most of a job. One it calls a suspect is heard again by the full pass
(`recogniser.hear_again`: the same encoding decoded again in the model's timestamped mode, its
words placed in time), whose score decides: a suspect is one both decodings call a suspect, so
a slip of either alone raises no alarm and costs no retake, and a suspect's words carry the
times the report needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from narration.production.proofing import recogniser
from narration.production.proofing.recogniser import Listening
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

Listen = Callable[[bytes], Listening]
HearAgain = Callable[[Listening], list[HeardWord]]


def hear(
    wav: bytes,
    spoken: str,
    quick: Listen = recogniser.listen,
    full: HearAgain = recogniser.hear_again,
) -> ChunkScore:
    """A chunk's score against its spoken text: the quick pass's, or the full pass's when
    the quick one reached the screen."""
    listening = quick(wav)
    first = score_chunk(spoken, heard_words(list(listening.words)))
    if first.score < SCREEN:
        return first
    return score_chunk(spoken, heard_words(full(listening)))
