"""Roman-numeral centuries and regnal numbers in Spanish, French, Italian and Portuguese, read
only where the context makes them numerals."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        ("es", "En el siglo XIX, o s. XIX.", "En el siglo diecinueve, o siglo diecinueve."),
        ("es", "los siglos XV y XVI, el siglo V", "los siglos quince y dieciséis, el siglo quinto"),
        ("es", "Luis XIV y Felipe II", "Luis catorce y Felipe segundo"),
        (
            "es",
            "Isabel II, Juan Pablo II y Alfonso X",
            "Isabel segunda, Juan Pablo segundo y Alfonso décimo",
        ),
        ("es", "el capítulo IV", "el capítulo cuatro"),
        (
            "fr",
            "Au XIXe siècle, le XVIe et la IIIe République.",
            "Au dix-neuvième siècle, le seizième et la troisième République.",
        ),
        (
            "fr",
            "Louis XIV, François Ier et Henri IV",
            "Louis quatorze, François premier et Henri quatre",
        ),
        ("fr", "le tome II", "le tome deux"),
        (
            "it",
            "Nel XIX secolo e nel secolo XV.",
            "Nel diciannovesimo secolo e nel secolo quindicesimo.",
        ),
        ("it", "Luigi XIV e papa Pio IX", "Luigi quattordicesimo e papa Pio nono"),
        (
            "pt",
            "No século XIX, D. Pedro II e Maria II",
            "No século dezenove, D. Pedro segundo e Maria segunda",
        ),
        ("pt", "Luís XIV, séc. XV", "Luís catorze, século quinze"),
    ],
)
def test_centuries_and_regnal_numbers(language: str, written: str, spoken: str) -> None:
    assert spoken_text(written, language) == spoken
    assert spoken_text(spoken, language) == spoken


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("es", "La talla XL y el grupo MIX."),
        ("es", "Tomó vitamina C con Juan V. Pérez."),
        ("es", "Dijo: I love you."),
        ("it", "Arrivò ieri. I ragazzi restarono."),
        ("fr", "Ce que Le Monde dit."),
        ("pt", "O modelo XL e a sala C."),
    ],
)
def test_letters_that_are_not_numerals_are_left(language: str, written: str) -> None:
    assert spoken_text(written, language) == written


def test_english_keeps_its_own_roman_rules() -> None:
    assert (
        spoken_text("Louis XIV, the 19th century", "en") == "Louis the Fourteenth, the 19th century"
    )
