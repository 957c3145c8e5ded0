"""The voice's own pauses between sentences and at clauses, and joins that take them."""

from __future__ import annotations

import numpy as np
import pytest

from narration.pipeline import prosody
from narration.pipeline.engine import WordTiming
from narration.pipeline.voice_pauses import InnerPauses, ends_at_clause_mark, inner_pauses

RATE = 24_000


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _two_words(text: str, gap_s: float) -> tuple[np.ndarray, list[WordTiming]]:
    pcm = np.concatenate([_tone(0.5), np.zeros(round(gap_s * RATE), np.float32), _tone(0.5)])
    first, second = text.split(" ")
    words = [
        WordTiming(first.strip(".,;"), 0, 3, 0.0, 0.5),
        WordTiming(second, len(first) + 1, len(text), 0.5 + gap_s, 1.0 + gap_s),
    ]
    return pcm, words


def test_the_quiet_between_two_sentences_is_heard() -> None:
    pcm, words = _two_words("One. Two", 0.25)
    heard = inner_pauses(pcm, RATE, words, "One. Two")
    assert heard.sentence == [pytest.approx(0.25, abs=0.02)]
    assert heard.clause == []


@pytest.mark.parametrize("text", ["One, two", "One; two", "One: two"])
def test_the_quiet_at_a_clause_mark_is_a_clause_pause(text: str) -> None:
    pcm, words = _two_words(text, 0.3)
    heard = inner_pauses(pcm, RATE, words, text)
    assert heard.sentence == []
    assert heard.clause == [pytest.approx(0.3, abs=0.02)]


def test_no_pause_without_a_mark_or_without_speech() -> None:
    pcm, words = _two_words("One two", 0.25)
    assert inner_pauses(pcm, RATE, words, "One two") == InnerPauses()
    pcm, words = _two_words("One. Two", 0.25)
    assert inner_pauses(np.zeros(RATE, np.float32), RATE, words, "One. Two") == InnerPauses()


def test_joins_take_the_voice_s_sentence_pause_within_bounds() -> None:
    state = prosody.initial_state("v")
    assert prosody.heard(state, []) is state
    heard = prosody.heard(state, [0.2, 0.3, 0.25])
    assert prosody.pause_after(heard, "sentence") == 0.25
    assert prosody.pause_after(heard, "clause") == prosody.PAUSES_S["clause"]
    assert prosody.pause_after(heard, "paragraph") == prosody.PAUSES_S["paragraph"]
    averaged = prosody.heard(heard, [0.35])
    assert prosody.pause_after(averaged, "sentence") == pytest.approx(0.7 * 0.25 + 0.3 * 0.35)
    assert prosody.heard(state, [2.0]).sentence_pause_s == prosody.HEARD_PAUSE_S[1]
    assert prosody.heard(state, [0.01]).sentence_pause_s == prosody.HEARD_PAUSE_S[0]
    restored = prosody.SessionState.from_dict(averaged.to_dict())
    assert restored == averaged


def test_clause_joins_take_the_voice_s_clause_pause_within_bounds() -> None:
    """A long sentence cut at a comma joins with the pause the voice makes at its commas."""
    state = prosody.initial_state("v")
    heard = prosody.heard(state, [], [0.3, 0.26, 0.28])
    assert prosody.pause_after(heard, "clause") == 0.28
    assert prosody.pause_after(heard, "sentence") == prosody.PAUSES_S["sentence"]
    averaged = prosody.heard(heard, [0.2], [0.2])
    assert prosody.pause_after(averaged, "clause") == pytest.approx(0.7 * 0.28 + 0.3 * 0.2)
    assert prosody.pause_after(averaged, "sentence") == 0.2
    designed = prosody.PAUSES_S["clause"]
    assert prosody.pause_after(averaged, "clause", at_mark=False) == designed
    assert prosody.heard(state, [], [2.0]).clause_pause_s == prosody.HEARD_CLAUSE_PAUSE_S[1]
    assert prosody.heard(state, [], [0.01]).clause_pause_s == prosody.HEARD_CLAUSE_PAUSE_S[0]
    assert prosody.SessionState.from_dict(averaged.to_dict()) == averaged


@pytest.mark.parametrize(
    ("text", "at_mark"),
    [
        ("and distribute the Work,", True),
        ("as stated in this section;", True),
        ('he said, "wait,"', True),
        ("(except as stated)", True),
        ("a long run of words with no mark", False),
        ("read <slowly", False),
    ],
)
def test_a_clause_cut_pauses_as_the_voice_only_at_punctuation(text: str, at_mark: bool) -> None:
    assert ends_at_clause_mark(text) is at_mark
