"""Kokoro's token durations as timed phones, which `alignment.word_timings` gives to words.

Each input piece comes back with the samples every token lasts, its two pads included. A token
is one phoneme symbol; a space starts a new word group, and so does a new piece.
"""

from __future__ import annotations

import numpy as np

from narration.engines.alignment import Phone, is_sound


def timed_phones(
    piece: str, samples: np.ndarray, offset: int, audio_samples: int, group: int
) -> tuple[list[Phone], int]:
    """The sounding phones of one piece of `audio_samples` placed at `offset`, and the last word
    group used. `samples[0]` is the leading pad, `samples[i + 1]` the piece's symbol i."""
    bounds = np.concatenate([[0], np.cumsum(samples)])
    bounds = offset + np.minimum(bounds, audio_samples)
    phones = []
    group += 1
    for index, symbol in enumerate(piece):
        if symbol == " ":
            group += 1
        elif is_sound(symbol):
            start, end = int(bounds[index + 1]), int(bounds[index + 2])
            if end > start:
                phones.append(Phone(symbol, group, start, end))
    return phones, group
