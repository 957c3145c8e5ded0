"""spoken_text: a rule table per language, and every number in words for comparing transcripts."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text
from narration.pipeline.normalise.languages import NEUTRAL, has_table, rules_for
from narration.pipeline.normalise.numbers import cardinal, number, ordinal, pairs
from narration.pipeline.speech_text import speakable


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (84, "eighty-four"),
        (100, "one hundred"),
        (1984, "one thousand nine hundred eighty-four"),
        (2_000_005, "two million five"),
        (-3, "minus three"),
    ],
)
def test_cardinal(n: int, words: str) -> None:
    assert cardinal(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "first"),
        (12, "twelfth"),
        (20, "twentieth"),
        (22, "twenty-second"),
        (100, "one hundredth"),
    ],
)
def test_ordinal(n: int, words: str) -> None:
    assert ordinal(n) == words


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("4492", "forty-four ninety-two"),
        ("9001", "ninety oh one"),
        ("1900", "nineteen hundred"),
        ("2000", "two thousand"),
        ("0001", "zero zero zero one"),
    ],
)
def test_pairs(written: str, words: str) -> None:
    assert pairs(written) == words


def test_number_reads_decimals_digit_by_digit() -> None:
    assert number("1,234.05") == "one thousand two hundred thirty-four point zero five"


def test_as_words_writes_every_number_out() -> None:
    written = "In 1984 he paid $3.50 for 5 km, the 21st time, 3.5% more."
    assert spoken_text(written, as_words=True) == (
        "In nineteen eighty-four he paid three dollars fifty cents for five kilometers, "
        "the twenty-first time, three point five percent more."
    )


def test_as_words_makes_a_transcript_and_its_text_compare() -> None:
    # The recogniser writes digits its own way; the same function on both sides agrees.
    text = spoken_text("Python 3.10.4 came out in 2021.", as_words=True)
    heard = spoken_text("Python three point ten point four came out in 2021.", as_words=True)
    assert text == heard


def test_spoken_text_is_what_speakable_gives_the_voice() -> None:
    assert (
        speakable("Dr. Smith paid $5")
        == spoken_text("Dr. Smith paid $5")
        == "Doctor Smith paid 5 dollars"
    )


@pytest.mark.parametrize("language", ["en", "en-GB", "en_US", "EN", ""])
def test_a_language_picks_its_table(language: str) -> None:
    assert rules_for(language) is rules_for("en")


@pytest.mark.parametrize("language", ["de-DE", "ja", "zh-CN"])
def test_a_language_without_a_table_gets_no_english_words(language: str) -> None:
    """Its numbers, money and titles are left for the G2P to read in its own language."""
    assert not has_table(language)
    assert rules_for(language) is NEUTRAL
    written = (
        "Dr. Weber zahlte am 05.03.2024 um 14:30 $5 für 3 km (25 %), siehe https://a.de/x?q=1."
    )
    assert spoken_text(written, language) == written.replace("https://a.de/x?q=1", "a.de/x")
    assert spoken_text(written, language, as_words=True) == spoken_text(written, language)


def test_twice_is_once() -> None:
    """What the rules wrote is no new input for them: applied again, nothing changes."""
    written = (
        "Python 3.10.4 on 2024-01-05, see p. 12 at https://example.com/a/b/c/d; use --verbose. "
        "Dr. Smith paid $3.50 for 5 km in 1984. IV. The Pool"
    )
    once = spoken_text(written)
    assert spoken_text(once) == once
