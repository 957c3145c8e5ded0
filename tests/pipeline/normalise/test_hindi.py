"""A Hindi text reads its numbers, dates, times, money and ordinals in Hindi."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text
from narration.pipeline.normalise.hindi import BELOW_HUNDRED, cardinal, ordinal, year


def test_every_number_below_a_hundred_has_its_own_word() -> None:
    assert len(BELOW_HUNDRED) == len(set(BELOW_HUNDRED)) == 100
    assert (BELOW_HUNDRED[19], BELOW_HUNDRED[47], BELOW_HUNDRED[99]) == (
        "उन्नीस",
        "सैंतालीस",
        "निन्यानबे",
    )


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "शून्य"),
        (112, "एक सौ बारह"),
        (1000, "एक हज़ार"),
        (2024, "दो हज़ार चौबीस"),
        (100_000, "एक लाख"),
        (250_000, "दो लाख पचास हज़ार"),
        (12_345_678, "एक करोड़ तेईस लाख पैंतालीस हज़ार छह सौ अठहत्तर"),
    ],
)
def test_hindi_cardinals(n: int, words: str) -> None:
    assert cardinal(n) == words


def test_years_ordinals() -> None:
    assert (year(1947), year(2024)) == ("उन्नीस सौ सैंतालीस", "दो हज़ार चौबीस")
    assert [ordinal(1, "ला"), ordinal(2, "री"), ordinal(5, "वाँ"), ordinal(5, "वीं")] == [
        "पहला",
        "दूसरी",
        "पाँचवाँ",
        "पाँचवीं",
    ]


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("उसने 112 किताबें पढ़ीं।", "उसने एक सौ बारह किताबें पढ़ीं।"),
        ("दूरी 1.25 किलोमीटर है।", "दूरी एक दशमलव दो पाँच किलोमीटर है।"),
        ("भारत १५/०८/१९४७ को आज़ाद हुआ।", "भारत पंद्रह अगस्त उन्नीस सौ सैंतालीस को आज़ाद हुआ।"),
        ("1 जनवरी 2024 को", "एक जनवरी दो हज़ार चौबीस को"),
        ("यह 5वाँ दिन और 1ली बार है।", "यह पाँचवाँ दिन और पहली बार है।"),
        ("3:30 पर या 4:00 बजे।", "तीन बजकर तीस मिनट पर या चार बजे।"),
        (
            "कीमत ₹500, ₹1,00,000 या ₹2.50 है, 25% और 3.5 किलो।",
            "कीमत पाँच सौ रुपये, एक लाख रुपये या दो रुपये और पचास पैसे है, पच्चीस प्रतिशत और "
            "तीन दशमलव पाँच किलो।",
        ),
    ],
)
def test_hindi_sentences(written: str, spoken: str) -> None:
    assert spoken_text(written, "hi") == spoken
    assert spoken_text(spoken, "hi") == spoken
