"""A chunk that continues a sentence starts at the level the chunk before it ended at.

A sentence longer than a chunk is cut at a comma or semicolon (a clause join), and each half is
synthesised as an utterance of its own. A voice declines over an utterance: it starts louder than
its mean and ends softer (joe on the Apache licence: first 3 s +0.6 dB, last 3 s -0.7 dB). Inside
a chunk the voice runs on through a comma at the level it has reached; at a clause join it
restarts high, a step 0.4-1.0 dB above the commas' inside chunks (docs/SEAMS.md). The chunk
levelling is not the cause (both halves get the same gain) and neither are the fades (they touch
only quiet). So a chunk cut inside a sentence leaves the level of its last words in the session
state (`SessionState.tail_level_db`), and the chunk that continues it holds its first words at
that level and ramps back to its own gain (`gain_curve`).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from narration.pipeline import audio

EDGE_S: Final = 1.5
"""How much speech at each edge of a chunk its head and tail levels are measured over."""
HOLD_S: Final = 1.0
"""How long the continuation's first words are held at the level before."""
RAMP_S: Final = 2.0
"""Then the gain ramps (raised cosine, in dB) back to the chunk's own."""
MAX_LEAD_DB: Final = 4.0
"""The most the start of a continuation is moved (a level measured on a stray breath must not
swing it further)."""


def head_level_db(speech: np.ndarray, rate: int, lead_quiet: int) -> float:
    """The speech level of a chunk's first `EDGE_S` of audible speech."""
    return audio.speech_level_db(speech[lead_quiet : lead_quiet + round(EDGE_S * rate)], rate)


def tail_level_db(speech: np.ndarray, rate: int, tail_quiet: int) -> float:
    """The speech level of a chunk's last `EDGE_S` of audible speech."""
    end = len(speech) - tail_quiet
    return audio.speech_level_db(speech[max(0, end - round(EDGE_S * rate)) : end], rate)


def lead_gain_db(before_db: float, head_db: float) -> float:
    """The gain, on top of the chunk's own, that brings a continuation's first words (at
    `head_db`, gained) to the level the chunk before ended at (`before_db`); 0 when nothing
    came before (`before_db` 0) or the head is silent."""
    if before_db == 0.0 or before_db <= -100.0 or head_db <= -100.0:
        return 0.0
    return round(max(-MAX_LEAD_DB, min(MAX_LEAD_DB, before_db - head_db)), 3)


def gain_curve(samples: int, rate: int, gain_db: float, lead_db: float) -> np.ndarray:
    """Per-sample gain: `gain_db + lead_db` for `HOLD_S`, then a raised-cosine ramp in dB over
    `RAMP_S` to `gain_db` for the rest."""
    db = np.full(samples, gain_db, dtype=np.float64)
    hold = min(samples, round(HOLD_S * rate))
    ramp = min(samples - hold, round(RAMP_S * rate))
    db[:hold] += lead_db
    if ramp > 0:
        fall = 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, ramp, dtype=np.float64))
        db[hold : hold + ramp] += lead_db * fall
    return (10.0 ** (db / 20.0)).astype(np.float32)
