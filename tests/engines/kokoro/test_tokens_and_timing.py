"""Cutting phonemes into model inputs, and token durations as timed phones."""

from __future__ import annotations

import numpy as np

from narration.engines.alignment import Phone
from narration.engines.kokoro.timing import timed_phones
from narration.engines.kokoro.tokens import pieces
from narration.engines.kokoro.vocab import MAX_TOKENS, token_ids


def test_a_short_input_is_one_piece_without_unknown_symbols() -> None:
    assert pieces(" həlˈO wˈɜɹld. ") == ["həlˈO wˈɜɹld."]
    assert pieces("a☃b") == ["ab"]
    assert pieces("") == []


def test_a_long_input_is_cut_at_the_last_clause_end_that_fits() -> None:
    clause = "ðə kwˈIət hˈɑɹbəɹ, "
    text = clause * 60
    cut = pieces(text)
    assert len(cut) > 1
    assert all(0 < len(piece) <= MAX_TOKENS for piece in cut)
    assert all(piece.endswith(",") for piece in cut[:-1])
    assert " ".join(cut) == text.strip()
    assert len(cut[0]) > MAX_TOKENS - len(clause)


def test_without_clause_ends_a_cut_falls_on_a_space_then_anywhere() -> None:
    words = "kwˈIət " * 100
    assert all(not piece.startswith(" ") for piece in pieces(words))
    assert " ".join(pieces(words)) == words.strip()
    solid = "a" * (2 * MAX_TOKENS + 5)
    assert [len(piece) for piece in pieces(solid)] == [MAX_TOKENS, MAX_TOKENS, 5]


def test_token_ids_are_the_model_s() -> None:
    assert token_ids("hə lO.") == [50, 83, 16, 54, 31, 4]


def test_token_durations_become_phones_in_word_groups() -> None:
    piece = "ˈab c."
    # pad, ˈ, a, b, space, c, ., pad
    samples = np.array([600, 0, 1200, 600, 600, 1800, 600, 1200])
    phones, group = timed_phones(piece, samples, offset=1000, audio_samples=7000, group=4)
    assert phones == [
        Phone("a", 5, 1600, 2800),
        Phone("b", 5, 2800, 3400),
        Phone("c", 6, 4000, 5800),
    ]
    assert group == 6


def test_phones_never_pass_the_audio_s_end() -> None:
    phones, _ = timed_phones("ab", np.array([600, 600, 6000, 600]), 0, 3000, 0)
    assert phones == [Phone("a", 1, 600, 1200), Phone("b", 1, 1200, 3000)]
