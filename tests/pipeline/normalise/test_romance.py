"""French, Italian and Portuguese texts read their numbers, dates, times, money, ordinals and
abbreviations in their own language."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from narration.pipeline.normalise import french, italian, portuguese, spoken_text


@pytest.mark.parametrize(
    ("cardinal", "n", "words"),
    [
        (french.cardinal, 21, "vingt et un"),
        (french.cardinal, 71, "soixante et onze"),
        (french.cardinal, 80, "quatre-vingts"),
        (french.cardinal, 81, "quatre-vingt-un"),
        (french.cardinal, 99, "quatre-vingt-dix-neuf"),
        (french.cardinal, 200, "deux cents"),
        (french.cardinal, 201, "deux cent un"),
        (french.cardinal, 80_000, "quatre-vingt mille"),
        (french.cardinal, 1984, "mille neuf cent quatre-vingt-quatre"),
        (french.cardinal, 2_000_000, "deux millions"),
        (italian.cardinal, 21, "ventuno"),
        (italian.cardinal, 23, "ventitré"),
        (italian.cardinal, 38, "trentotto"),
        (italian.cardinal, 180, "centottanta"),
        (italian.cardinal, 1984, "millenovecentottantaquattro"),
        (italian.cardinal, 2023, "duemilaventitré"),
        (italian.cardinal, 21_000, "ventunmila"),
        (italian.cardinal, 2_300_000, "due milioni trecentomila"),
        (portuguese.cardinal, 16, "dezesseis"),
        (portuguese.cardinal, 100, "cem"),
        (portuguese.cardinal, 112, "cento e doze"),
        (portuguese.cardinal, 1100, "mil e cem"),
        (portuguese.cardinal, 1984, "mil novecentos e oitenta e quatro"),
        (portuguese.cardinal, 2024, "dois mil e vinte e quatro"),
        (portuguese.cardinal, 1_200_000, "um milhão e duzentos mil"),
    ],
)
def test_cardinals(cardinal: Callable[[int], str], n: int, words: str) -> None:
    assert cardinal(n) == words


@pytest.mark.parametrize(
    ("ordinal", "n", "feminine", "words"),
    [
        (french.ordinal, 1, False, "premier"),
        (french.ordinal, 1, True, "première"),
        (french.ordinal, 5, False, "cinquième"),
        (french.ordinal, 9, False, "neuvième"),
        (french.ordinal, 21, False, "vingt et unième"),
        (french.ordinal, 80, False, "quatre-vingtième"),
        (italian.ordinal, 3, False, "terzo"),
        (italian.ordinal, 3, True, "terza"),
        (italian.ordinal, 11, False, "undicesimo"),
        (italian.ordinal, 21, False, "ventunesimo"),
        (italian.ordinal, 23, False, "ventitreesimo"),
        (portuguese.ordinal, 1, True, "primeira"),
        (portuguese.ordinal, 16, False, "décimo sexto"),
        (portuguese.ordinal, 21, True, "vigésima primeira"),
    ],
)
def test_ordinals(ordinal: Callable[..., str], n: int, feminine: bool, words: str) -> None:
    assert ordinal(n, feminine=feminine) == words


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        (
            "fr",
            "Le 1er mars 2024, la 2e édition est sortie pour la 1re fois.",
            "Le premier mars deux mille vingt-quatre, la deuxième édition est sortie pour la "
            "première fois.",
        ),
        (
            "fr-FR",
            "Rendez-vous le 05/03/1984 à 14h30, ou à 9 h, ou à 18:05.",
            "Rendez-vous le cinq mars mille neuf cent quatre-vingt-quatre à quatorze heures "
            "trente, ou à neuf heures, ou à dix-huit heures cinq.",
        ),
        (
            "fr",
            "Il a payé 5,50 €, puis 1 234 € et 2 000 000 € ; 25 % de plus.",
            "Il a payé cinq euros et cinquante centimes, puis mille deux cent trente-quatre "
            "euros et deux millions d'euros ; vingt-cinq pour cent de plus.",
        ),
        (
            "fr",
            "M. Dupont et Mme Martin lisent p. 12, n° 5, etc. Puis ils partent.",
            "Monsieur Dupont et Madame Martin lisent page douze, numéro cinq, et cetera. Puis "
            "ils partent.",
        ),
        (
            "it",
            "Il 1º maggio 2024 è la 3ª volta; il 1 marzo è il 25° anniversario, a 25 °C.",
            "Il primo maggio duemilaventiquattro è la terza volta; il primo marzo è il "
            "venticinquesimo anniversario, a venticinque gradi Celsius.",
        ),
        (
            "it-IT",
            "Il treno del 05/03/1984 parte alle 14:30 e arriva alle 9:00.",
            "Il treno del cinque marzo millenovecentottantaquattro parte alle quattordici e "
            "trenta e arriva alle nove.",
        ),
        (
            "it",
            "Costa 5,50 €, 1 € o 1.234 €, il 25 % in più.",
            "Costa cinque euro e cinquanta centesimi, un euro o milleduecentotrentaquattro euro, "
            "il venticinque per cento in più.",
        ),
        (
            "it",
            "Il Sig. Rossi e la Dott.ssa Bianchi, ecc. Poi pag. 12, n. 5.",
            "Il signor Rossi e la dottoressa Bianchi, eccetera. Poi pagina dodici, numero cinque.",
        ),
        (
            "pt-BR",
            "No 1º de maio de 2024 foi a 3ª vez.",
            "No primeiro de maio de dois mil e vinte e quatro foi a terceira vez.",
        ),
        (
            "pt",
            "Em 05/03/1984 às 14h30, às 9h e às 14:05.",
            "Em cinco de março de mil novecentos e oitenta e quatro às catorze e trinta, às "
            "nove horas e às catorze e cinco.",
        ),
        (
            "pt-BR",
            "Custa R$ 5,50, R$ 1.234 ou 1 €, 25 % a mais.",
            "Custa cinco reais e cinquenta centavos, mil duzentos e trinta e quatro reais ou um "
            "euro, vinte e cinco por cento a mais.",
        ),
        (
            "pt",
            "O Sr. Silva e a Dra. Souza leram a pág. 12, nº 5, etc. Depois saíram.",
            "O senhor Silva e a doutora Souza leram a página doze, número cinco, etcétera. "
            "Depois saíram.",
        ),
    ],
)
def test_sentences(language: str, written: str, spoken: str) -> None:
    assert spoken_text(written, language) == spoken
    # what the table wrote is no new input for it: applied again, nothing changes
    assert spoken_text(spoken, language) == spoken
