"""Text to Kokoro phonemes: espeak-ng's IPA in the symbols the English voices were trained on."""

from __future__ import annotations

import pytest

from narration.engines.kokoro.g2p import KokoroG2P
from narration.engines.kokoro.vocab import VOCAB


@pytest.fixture(scope="module")
def american() -> KokoroG2P:
    return KokoroG2P("en-us")


@pytest.fixture(scope="module")
def british() -> KokoroG2P:
    return KokoroG2P("en")


def test_american_diphthongs_affricates_and_flaps_are_single_letters(american: KokoroG2P) -> None:
    assert american.phonemes("Hello world, I like Joe.") == "həlˈO wˈɜɹld, I lˈIk ʤˈO."
    assert american.phonemes("A little water.") == "ə lˈɪTəl wˈɔTəɹ."
    assert american.phonemes("Oh boy!") == "ˈO bˈY!"


def test_british_keeps_length_and_its_own_vowels(british: KokoroG2P) -> None:
    assert british.phonemes("Go there, nurse.") == "ɡˌQ ðˈɛː, nˈɜːs."
    assert british.phonemes("Bed.") == "bˈɛd."


def test_clause_punctuation_is_kept_for_intonation(american: KokoroG2P) -> None:
    said = american.phonemes("Where are you? Here; there: everywhere!")
    assert [c for c in said if c in "?;:!,."] == ["?", ";", ":", "!"]


def test_every_symbol_is_in_the_vocabulary(american: KokoroG2P, british: KokoroG2P) -> None:
    text = "Rhythm, naïve façade; Bach's loch — 1999 (parentheses) “quoted” and ÆSIR."
    for g2p in (american, british):
        assert set(g2p.phonemes(text)) <= set(VOCAB)


def test_a_phoneme_block_is_ipa_rewritten_like_espeak_s(american: KokoroG2P) -> None:
    assert american.phonemes("Say [[ təˈmɑːtoʊ ]] now.") == "sˈA təˈmɑtO nˈW."
    assert american.phonemes("[[ kˈOkəɹO ]]") == "kˈOkəɹO"


def test_a_word_on_its_own_is_its_sounds_only(american: KokoroG2P) -> None:
    assert american.word("Hello") == ("h", "ə", "l", "O")
    assert american.word("—") == ()
