"""The voice's own pauses between sentences, and joins that take them."""

from __future__ import annotations

import numpy as np
import pytest

from narration.pipeline import prosody
from narration.pipeline.engine import WordTiming
from narration.pipeline.sentence_pauses import inner_sentence_pauses

RATE = 24_000


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _two_words(text: str, gap_s: float) -> tuple[np.ndarray, list[WordTiming]]:
    pcm = np.concatenate([_tone(0.5), np.zeros(round(gap_s * RATE), np.float32), _tone(0.5)])
    first, second = text.split(" ")
    words = [
        WordTiming(first.strip(".,"), 0, 3, 0.0, 0.5),
        WordTiming(second, len(first) + 1, len(text), 0.5 + gap_s, 1.0 + gap_s),
    ]
    return pcm, words


def test_the_quiet_between_two_sentences_is_heard() -> None:
    pcm, words = _two_words("One. Two", 0.25)
    assert inner_sentence_pauses(pcm, RATE, words, "One. Two") == [pytest.approx(0.25, abs=0.02)]


def test_a_clause_boundary_is_not_a_sentence_pause() -> None:
    pcm, words = _two_words("One, two", 0.25)
    assert inner_sentence_pauses(pcm, RATE, words, "One, two") == []
    assert inner_sentence_pauses(np.zeros(RATE, np.float32), RATE, words, "One. Two") == []


def test_joins_take_the_voice_s_sentence_pause_within_bounds() -> None:
    state = prosody.initial_state("v")
    assert prosody.heard(state, []) is state
    heard = prosody.heard(state, [0.2, 0.3, 0.25])
    assert prosody.pause_after(heard, "sentence") == 0.25
    assert prosody.pause_after(heard, "paragraph") == prosody.PAUSES_S["paragraph"]
    averaged = prosody.heard(heard, [0.35])
    assert prosody.pause_after(averaged, "sentence") == pytest.approx(0.7 * 0.25 + 0.3 * 0.35)
    assert prosody.heard(state, [2.0]).sentence_pause_s == prosody.HEARD_PAUSE_S[1]
    assert prosody.heard(state, [0.01]).sentence_pause_s == prosody.HEARD_PAUSE_S[0]
    restored = prosody.SessionState.from_dict(averaged.to_dict())
    assert restored == averaged
