"""The voice's own pauses between sentences and at clause punctuation, heard inside one synthesis.

A join between chunks should sound like the same boundary inside a chunk. How long that is
depends on the voice and on the text (joe pauses about 150 ms between the sentences of plain
prose and 235 ms in a licence's; at a comma in a licence he pauses longer than between its
sentences, about 280 ms), so the pause at a join is not a constant: each chunk measures the
quiet at its own sentence ends and clause marks, and the session state carries running averages
that the joins after it use (`prosody.heard`). A clause join is where the chunker cut a long
sentence at a comma, semicolon, colon or dash (`chunker.split_long_sentence`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from narration.pipeline import audio
from narration.pipeline.engine import WordTiming

SENTENCE_BREAK: Final = re.compile(r"[.!?…]")
CLAUSE_BREAK: Final = re.compile(r"[,;:—–)]")
"""The punctuation the chunker cuts a long sentence at (`chunker._CLAUSE_CUTS`)."""
CLAUSE_END: Final = re.compile(r"[,;:—–)][\"'”’]*\s*$")
MARGIN_S: Final = 0.05
"""How far into the words either side the quiet is looked for (word edges are a frame apart)."""


@dataclass(frozen=True)
class InnerPauses:
    """Seconds of quiet heard at each boundary of one kind inside a synthesis."""

    sentence: list[float] = field(default_factory=list)
    clause: list[float] = field(default_factory=list)


def inner_pauses(
    pcm: np.ndarray, sample_rate: int, words: Sequence[WordTiming], text: str
) -> InnerPauses:
    """The quiet heard at each sentence boundary and each clause mark inside `pcm`: between two
    words of `text` with a sentence end (or else clause punctuation) between them, the longest
    run of frames quiet by the measure `audio.speech_edges` uses (`QUIET_BELOW_SPEECH_DB` under
    the speech level)."""
    found = InnerPauses()
    level = audio.speech_level_db(pcm, sample_rate)
    if level <= -100.0 or len(words) < 2:
        return found
    quiet = audio.frame_levels_db(pcm, sample_rate) <= level - audio.QUIET_BELOW_SPEECH_DB
    for before, after in itertools.pairwise(words):
        between = text[before.char_end : after.char_start]
        if SENTENCE_BREAK.search(between):
            kind = found.sentence
        elif CLAUSE_BREAK.search(between):
            kind = found.clause
        else:
            continue
        first = max(0, int((before.end_s - MARGIN_S) / audio.FRAME_S))
        last = min(len(quiet), int((after.start_s + MARGIN_S) / audio.FRAME_S) + 1)
        run = _longest_run(quiet[first:last])
        if run:
            kind.append(round(run * audio.FRAME_S, 4))
    return found


def ends_at_clause_mark(text: str) -> bool:
    """Whether a chunk cut inside a sentence ends at clause punctuation, where the voice pauses;
    not at a bare word boundary or an SSML rate's edge, where it does not."""
    return CLAUSE_END.search(text) is not None


def _longest_run(flags: np.ndarray) -> int:
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    ends = np.flatnonzero(np.diff(padded) == -1)
    return int((ends - starts).max()) if starts.size else 0
