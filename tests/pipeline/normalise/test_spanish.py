"""Numbers in a Spanish text are read in Spanish; other languages keep their own rules."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text
from narration.pipeline.normalise.spanish import cardinal, ordinal


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
        == "Había mil doscientas treinta y cuatro personas."  # "personas" is feminine
    )
    assert spoken_text("Visita www.ejemplo.es hoy.", "es") == "Visita www.ejemplo.es hoy."


def test_an_english_text_keeps_the_english_rules() -> None:
    assert "ciento" not in spoken_text("Call 112 at 3.5 %.", "en-US")


@pytest.mark.parametrize(
    ("n", "feminine", "apocope", "words"),
    [
        (1, False, False, "primero"),
        (1, True, False, "primera"),
        (1, False, True, "primer"),
        (3, False, True, "tercer"),
        (11, False, False, "undécimo"),
        (13, True, False, "decimotercera"),
        (23, False, False, "vigésimo tercero"),
        (100, False, False, "centésimo"),
        (1000, False, False, "mil"),
    ],
)
def test_spanish_ordinals(n: int, feminine: bool, apocope: bool, words: str) -> None:
    assert ordinal(n, feminine=feminine, apocope=apocope) == words


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        (
            "El 1.º de mayo llegó la 3.ª edición; el 1.er día fue el mejor.",
            "El primero de mayo llegó la tercera edición; el primer día fue el mejor.",
        ),
        (
            "Nació el 05/03/1984 y se casó el 2011-07-01.",
            "Nació el cinco de marzo de mil novecientos ochenta y cuatro y se casó el uno de "
            "julio de dos mil once.",
        ),
        ("El 1 de enero de 2024 nevó.", "El uno de enero de dos mil veinticuatro nevó."),
        (
            "Abre a las 9:00 y cierra a las 14:30 h; el tren sale a la 1:15.",
            "Abre a las nueve en punto y cierra a las catorce y treinta; el tren sale a la una "
            "y quince.",
        ),
        (
            "Cuesta 5,50 €, 1 €, 21 € o 1.000.000 €; en EE. UU., US$ 3.",
            "Cuesta cinco euros con cincuenta céntimos, un euro, veintiún euros o un millón de "
            "euros; en Estados Unidos, tres dólares.",
        ),
        (
            "El Sr. García y la Dra. López leyeron la pág. 12, n.º 5, etc. Luego se fueron.",
            "El señor García y la doctora López leyeron la página doce, número cinco, etcétera. "
            "Luego se fueron.",
        ),
        (
            "Lo dijo Ud. ayer, p. ej. en el año 44 a. C.",
            "Lo dijo usted ayer, por ejemplo en el año cuarenta y cuatro antes de Cristo.",
        ),
    ],
)
def test_spanish_sentences(written: str, spoken: str) -> None:
    assert spoken_text(written, "es") == spoken
    assert spoken_text(spoken, "es") == spoken


def test_the_spanish_rules_read_no_english() -> None:
    said = spoken_text("El Dr. Smith pagó $5 el 5 March 2024 a las 3:00 pm; es el 21st.", "es")
    assert not {"dollars", "Doctor", "o'clock", "fifth", "twenty"} & set(said.split())
