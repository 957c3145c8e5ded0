"""The voice's own pauses between sentences, heard inside one synthesis.

A join between chunks should sound like a sentence boundary inside a chunk. How long that is
depends on the voice and on the text (joe pauses about 150 ms between the sentences of plain
prose and 235 ms in a licence's), so the pause at a sentence join is not a constant: each chunk
measures the quiet between its own sentences, and the session state carries a running average
that the joins after it use (`prosody.heard`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Final

import numpy as np

from narration.pipeline import audio
from narration.pipeline.engine import WordTiming

SENTENCE_BREAK: Final = re.compile(r"[.!?…]")
MARGIN_S: Final = 0.05
"""How far into the words either side the quiet is looked for (word edges are a frame apart)."""


def inner_sentence_pauses(
    pcm: np.ndarray, sample_rate: int, words: Sequence[WordTiming], text: str
) -> list[float]:
    """Seconds of quiet heard at each sentence boundary inside `pcm`: between two words of
    `text` with a sentence end between them, the longest run of frames quiet by the measure
    `audio.speech_edges` uses (`QUIET_BELOW_SPEECH_DB` under the speech level)."""
    level = audio.speech_level_db(pcm, sample_rate)
    if level <= -100.0 or len(words) < 2:
        return []
    quiet = audio.frame_levels_db(pcm, sample_rate) <= level - audio.QUIET_BELOW_SPEECH_DB
    pauses = []
    for before, after in itertools.pairwise(words):
        if not SENTENCE_BREAK.search(text[before.char_end : after.char_start]):
            continue
        first = max(0, int((before.end_s - MARGIN_S) / audio.FRAME_S))
        last = min(len(quiet), int((after.start_s + MARGIN_S) / audio.FRAME_S) + 1)
        run = _longest_run(quiet[first:last])
        if run:
            pauses.append(round(run * audio.FRAME_S, 4))
    return pauses


def _longest_run(flags: np.ndarray) -> int:
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    ends = np.flatnonzero(np.diff(padded) == -1)
    return int((ends - starts).max()) if starts.size else 0
