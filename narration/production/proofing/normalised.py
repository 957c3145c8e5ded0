"""The one normalisation proofing applies to both sides: what the engine was given and what
the recogniser heard pass through the same function before they are compared, so "3" heard
for "three" or "Dr." for "doctor" is no difference.

`proof_normalise` is the single seam: point it at the pipeline's normaliser and proofing
follows it.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.speech_text import speakable

_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")


def proof_normalise(text: str) -> str:
    """The text as the engine would be given it (numbers, symbols, abbreviations expanded)."""
    return speakable(text)


def proof_words(text: str) -> list[str]:
    """The words compared: normalised, lower-case, apostrophes kept inside a word."""
    normalised = proof_normalise(text).lower().replace("\u2019", "'").replace("-", " ")
    return _WORD.findall(normalised)
