"""Numbers in a Spanish text are read in Spanish; other languages keep their own rules."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text
from narration.pipeline.normalise.spanish import cardinal


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "cero"),
        (16, "dieciséis"),
        (21, "veintiuno"),
        (31, "treinta y uno"),
        (100, "cien"),
        (101, "ciento uno"),
        (112, "ciento doce"),
        (500, "quinientos"),
        (1000, "mil"),
        (1984, "mil novecientos ochenta y cuatro"),
        (21_000, "veintiún mil"),
        (1_000_000, "un millón"),
        (31_000_000, "treinta y un millones"),
    ],
)
def test_spanish_cardinals(number: int, words: str) -> None:
    assert cardinal(number) == words


def test_a_spanish_text_reads_its_numbers_in_spanish() -> None:
    assert spoken_text("Llamó al 112 ayer.", "es") == "Llamó al ciento doce ayer."
    assert spoken_text("Costó 3,5 euros, un 25 % más.", "es") == (
        "Costó tres coma cinco euros, un veinticinco por ciento más."
    )
    assert (
        spoken_text("Había 1.234 personas.", "es-MX")
        == "Había mil doscientos treinta y cuatro personas."
    )
    assert spoken_text("Visita www.ejemplo.es hoy.", "es") == "Visita www.ejemplo.es hoy."


def test_an_english_text_keeps_the_english_rules() -> None:
    assert "ciento" not in spoken_text("Call 112 at 3.5 %.", "en-US")
