"""Spanish, French, Italian and Portuguese numbers: both decimal marks, thousands groups, units
after a number, and numbers that agree with a feminine noun."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text
from narration.pipeline.normalise.gender import FRENCH, ITALIAN, PORTUGUESE, SPANISH, Genders


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        ("es", "3,5 y 1.000 y 1 000", "tres coma cinco y mil y mil"),
        ("fr", "3,5 et 1 000 et 1.000", "trois virgule cinq et mille et mille"),
        ("it", "3,5 e 1.000 e 1 000", "tre virgola cinque e mille e mille"),
        ("pt", "3,5 e 1.000 e 1 000", "três vírgula cinco e mil e mil"),
        ("fr", "1.000,50 et 2 000 000", "mille virgule cinquante et deux millions"),
        # a point that cannot group thousands is a decimal point, said as written
        ("es", "3.5 y 10.25", "tres punto cinco y diez punto veinticinco"),
        ("fr", "3.5", "trois point cinq"),
        ("it", "3.5", "tre punto cinque"),
        ("pt", "3.5", "três ponto cinco"),
        # versions and addresses keep their points
        ("es", "1.2.3 y 192.168.1.1", "1.2.3 y 192.168.1.1"),
    ],
)
def test_decimal_marks_and_thousands_groups(language: str, written: str, spoken: str) -> None:
    assert spoken_text(written, language) == spoken


def test_an_english_text_keeps_its_decimal_point() -> None:
    assert spoken_text("pi is 3.14 and 1,000 is a thousand", "en") == (
        "pi is 3.14 and 1,000 is a thousand"
    )


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        (
            "es",
            "5 km, 3 kg, 20 °C, -5 °C, 10 %, 2 h, 1 h, 1 km, 21 mi y 1,5 km",
            "cinco kilómetros, tres kilogramos, veinte grados Celsius, menos cinco grados "
            "Celsius, diez por ciento, dos horas, una hora, un kilómetro, veintiuna millas y uno "
            "coma cinco kilómetros",
        ),
        (
            "fr",
            "5 km, 3 kg, 20 °C, 10 %, 2 h, 1 h, 1,5 km et 5 Go",
            "cinq kilomètres, trois kilogrammes, vingt degrés Celsius, dix pour cent, deux "
            "heures, une heure, un virgule cinq kilomètre et cinq gigaoctets",
        ),
        (
            "it",
            "5 km, 3 kg, 20 °C, 10 %, 2 h, 1 h, 1 km e 60 km/h",
            "cinque chilometri, tre chilogrammi, venti gradi Celsius, dieci per cento, due ore, "
            "un'ora, un chilometro e sessanta chilometri orari",
        ),
        (
            "pt",
            "5 km, 3 kg, 20 °C, 10 %, 2 h, 1 h, 2 g e 1.000.000 km",
            "cinco quilômetros, três quilogramas, vinte graus Celsius, dez por cento, duas horas, "
            "uma hora, dois gramas e um milhão de quilômetros",
        ),
    ],
)
def test_units_are_read_in_the_language(language: str, written: str, spoken: str) -> None:
    assert spoken_text(written, language) == spoken
    assert spoken_text(spoken, language) == spoken


def test_a_unit_symbol_is_a_unit_only_after_a_number() -> None:
    assert spoken_text("La h es muda y el km cero.", "es") == "La h es muda y el km cero."


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        ("pt", "2 pessoas e 1 casa", "duas pessoas e uma casa"),
        ("pt", "200 páginas, 2.000 vezes", "duzentas páginas, duas mil vezes"),
        ("pt", "2 dias, 2 problemas, 2 gramas", "dois dias, dois problemas, dois gramas"),
        ("es", "1 casa y 21 páginas", "una casa y veintiuna páginas"),
        (
            "es",
            "200 personas y 200.000 canciones",
            "doscientas personas y doscientas mil canciones",
        ),
        ("es", "21 años, 31 días, 1 libro", "veintiún años, treinta y un días, un libro"),
        ("es", "1.000.000 personas", "un millón de personas"),
        ("es", "21 artistas y 1 de cada 5", "veintiún artistas y uno de cada cinco"),
        ("es", "En 1931 comienza todo.", "En mil novecientos treinta y uno comienza todo."),
        ("it", "1 casa, 1 ora, 1 libro, 1 studente", "una casa, un'ora, un libro, uno studente"),
        ("it", "2.000.000 persone", "due milioni di persone"),
        (
            "fr",
            "1 page, 21 pages, 81 heures",
            "une page, vingt et une pages, quatre-vingt-une heures",
        ),
        ("fr", "21 livres et 1 000 000 euros", "vingt et un livres et un million d'euros"),
    ],
)
def test_numbers_agree_with_a_feminine_noun(language: str, written: str, spoken: str) -> None:
    assert spoken_text(written, language) == spoken
    assert spoken_text(spoken, language) == spoken


@pytest.mark.parametrize(
    ("genders", "feminine", "masculine"),
    [
        (SPANISH, "casa páginas canción ciudades veces mano noches", "día problemas libro mapa"),
        (PORTUGUESE, "pessoa páginas canção cidades vezes mãos viagem", "dia problemas gramas"),
        (ITALIAN, "casa ora stazione città mano notte", "libro problema giorno"),
        (FRENCH, "page heures nation fois maison semaines année", "livre musée jour"),
    ],
)
def test_the_gender_heuristic(genders: Genders, feminine: str, masculine: str) -> None:
    assert all(genders.is_feminine(noun) for noun in feminine.split())
    assert not any(genders.is_feminine(noun) for noun in masculine.split())


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        (
            "es-MX",
            "Costó $5.50 y $1,500.",
            "Costó cinco pesos con cincuenta centavos y mil quinientos pesos.",
        ),
        ("es-AR", "Costó $5,50.", "Costó cinco pesos con cincuenta centavos."),
        ("es_CO", "Costó $1.000.000.", "Costó un millón de pesos."),
        (
            "es-ES",
            "Costó $5,50 y 3,20 €.",
            "Costó cinco dólares con cincuenta centavos y tres euros con veinte céntimos.",
        ),
        ("es", "Costó US$ 3 y 1 €.", "Costó tres dólares y un euro."),
        ("es-US", "Costó $1,500.50.", "Costó mil quinientos dólares con cincuenta centavos."),
        ("es-MX", "Pesa 3.5 kg, o 3,5.", "Pesa tres punto cinco kilogramos, o tres coma cinco."),
        (
            "pt-BR",
            "Custa R$ 2,50 ou $ 3.",
            "Custa dois reais e cinquenta centavos ou três dólares.",
        ),
        (
            "fr",
            "Il coûte 2,50 € ou 3 $.",
            "Il coûte deux euros et cinquante centimes ou trois dollars.",
        ),
        ("it", "Costa 1 € o 2,50 $.", "Costa un euro o due dollari e cinquanta centesimi."),
    ],
)
def test_currency_by_locale(language: str, written: str, spoken: str) -> None:
    assert spoken_text(written, language) == spoken


def test_a_comma_before_three_digits_groups_thousands_only_where_the_point_is_decimal() -> None:
    assert spoken_text("1,500", "es-MX") == "mil quinientos"
    assert spoken_text("1,500", "es") == "uno coma quinientos"
