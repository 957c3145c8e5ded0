"""Spanish: numbers, ordinals, dates, times, money and abbreviations read in Spanish.

"112" is "ciento doce", "3,5" "tres coma cinco", "25 %" "veinticinco por ciento", "1.º"
"primero", "05/03/2024" "cinco de marzo de dos mil veinticuatro", "14:30" "catorce y treinta",
"5,50 €" "cinco euros con cincuenta céntimos", "Sr. García" "señor García". Spanish writes a
decimal comma and groups thousands with a point ("1.234"); a year is read as a cardinal too
("1984": "mil novecientos ochenta y cuatro"), as Spanish says years.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from narration.pipeline.normalise.gender import SPANISH as GENDERS
from narration.pipeline.normalise.language_rules import (
    Currency,
    Words,
    abbreviation_rules,
    date_rules,
    number_rules,
    time_rules,
)
from narration.pipeline.normalise.measures import SPANISH as UNITS
from narration.pipeline.normalise.measures import unit_rules
from narration.pipeline.normalise.roman_romance import (
    RomanWords,
    abbreviated_centuries,
    roman_rules,
)
from narration.pipeline.normalise.rule import Rule

_UNITS: Final = (
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés "
    "veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve"
).split()
_TENS: Final = "_ _ _ treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_HUNDREDS: Final = (
    "_ ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
    "ochocientos novecientos"
).split()


def _below_thousand(n: int) -> str:
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if rest >= 30:
        tens, ones = divmod(rest, 10)
        words.append(f"{_TENS[tens]} y {_UNITS[ones]}" if ones else _TENS[tens])
    elif rest or not hundreds:
        words.append(_UNITS[rest])
    return " ".join(words)


def cardinal(n: int) -> str:
    """`n` in Spanish words: 112 → "ciento doce", 2_000_000 → "dos millones"."""
    if n < 0:
        return f"menos {cardinal(-n)}"
    if n >= 10**12:
        return " ".join(_UNITS[int(digit)] for digit in str(n))
    millions, rest = divmod(n, 10**6)
    thousands, below = divmod(rest, 1000)
    words = []
    if millions:
        words.append("un millón" if millions == 1 else f"{_apocope(cardinal(millions))} millones")
    if thousands:
        words.append("mil" if thousands == 1 else f"{_apocope(_below_thousand(thousands))} mil")
    if below or not words:
        words.append(_below_thousand(below))
    return " ".join(words)


def _apocope(words: str) -> str:
    """ "uno" before a noun is "un" ("veintiún mil", "treinta y un millones")."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    return words[:-1] if words.endswith("uno") else words


_ORDINAL_UNITS: Final = (
    "_ primero segundo tercero cuarto quinto sexto séptimo octavo noveno".split()
)
_ORDINAL_TENS: Final = (
    "_ décimo vigésimo trigésimo cuadragésimo quincuagésimo sexagésimo septuagésimo octogésimo "
    "nonagésimo"
).split()
_ORDINAL_HUNDREDS: Final = (
    "_ centésimo ducentésimo tricentésimo cuadringentésimo quingentésimo sexcentésimo "
    "septingentésimo octingentésimo noningentésimo"
).split()


def ordinal(n: int, feminine: bool = False, apocope: bool = False) -> str:
    """ "1.º" → "primero", "1.ª" → "primera", "1.er" → "primer", "23.º" → "vigésimo tercero";
    from 1000 on, the cardinal."""
    if not 0 < n < 1000:
        return cardinal(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    words = [_ORDINAL_HUNDREDS[hundreds]] if hundreds else []
    if rest in (11, 12):
        words.append("undécimo" if rest == 11 else "duodécimo")
    elif tens == 1 and ones:
        words.append("decimo" + _ORDINAL_UNITS[ones])
    else:
        words += [
            w for w in (_ORDINAL_TENS[tens] if tens else "", _ORDINAL_UNITS[ones]) if w and w != "_"
        ]
    said = " ".join(words)
    if feminine:
        return " ".join(word[:-1] + "a" for word in said.split())
    if apocope and said.endswith(("primero", "tercero")):
        return said[:-1]
    return said


def _ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m["n"]), feminine=m["s"] == "ª", apocope=m["s"] == "er")


def _feminine(words: str) -> str:
    """ "uno" before a feminine noun is "una" ("la una", "veintiuna")."""
    return words[:-1] + "a" if words.endswith("uno") else words


def counted(n: int, noun: str) -> str:
    """ "1 casa" → "una casa", "21 páginas" → "veintiuna páginas", "200 personas" →
    "doscientas personas", "21 años" → "veintiún años", "1.000.000 personas" → "un millón de
    personas" (the noun's gender: `gender.SPANISH`)."""
    said = cardinal(n)
    if not GENDERS.counts(n, noun):
        return said + " "
    if GENDERS.is_feminine(noun):
        head, sep, tail = said.rpartition("millón" if "millón " in said else "millones")
        tail = re.sub(r"ientos\b", "ientas", tail)
        said = head + sep + (tail[:-1] + "a" if tail.endswith("uno") else tail)
    else:
        said = _apocope(said)
    return f"{said} de " if said.endswith(("millón", "millones")) else f"{said} "


def time(hours: int, minutes: int) -> str:
    """ "14:30" → "catorce y treinta", "9:00" → "nueve en punto", "1:15" → "una y quince"."""
    hour = _feminine(cardinal(hours))
    return f"{hour} en punto" if minutes == 0 else f"{hour} y {cardinal(minutes)}"


def amount(n: int, one: str, many: str) -> str:
    """ "un euro", "veintiún euros", "un millón de euros"."""
    if n == 1:
        return f"un {one}"
    words = _apocope(cardinal(n))
    return f"{words} de {many}" if words.endswith(("millón", "millones")) else f"{words} {many}"


WORDS: Final = Words(
    cardinal=cardinal,
    counted=counted,
    months=tuple(
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
        "diciembre".split()
    ),
    date="{d} de {m} de {y}",
    first_day="uno",
    point="coma",
    percent="por ciento",
    time=time,
    other_point="punto",
    groups=r"[. \u00a0\u202f]",
    amount=amount,
    cents_joiner="con",
    currencies={
        "€": Currency("euro", "euros", "céntimo", "céntimos"),
        "$": Currency("dólar", "dólares", "centavo", "centavos"),
        "US$": Currency("dólar", "dólares", "centavo", "centavos"),
    },
)
TITLES: Final = {
    "Sr.": "señor", "Sra.": "señora", "Srta.": "señorita", "Sres.": "señores",
    "Dr.": "doctor", "Dra.": "doctora", "Dña.": "doña", "D.ª": "doña", "Prof.": "profesor",
    "Profa.": "profesora", "Lic.": "licenciado", "Sto.": "santo", "Sta.": "santa",
}  # fmt: skip
ABBREVIATIONS: Final = {
    "etc.": "etcétera", "págs.": "páginas", "pág.": "página", "núm.": "número",
    "n.º": "número", "nº": "número", "aprox.": "aproximadamente", "p. ej.": "por ejemplo",
    "EE. UU.": "Estados Unidos", "EE.UU.": "Estados Unidos", "a. C.": "antes de Cristo",
    "d. C.": "después de Cristo", "Ud.": "usted", "Uds.": "ustedes", "Avda.": "avenida",
    "Av.": "avenida", "tel.": "teléfono", "cap.": "capítulo", "vol.": "volumen",
}  # fmt: skip
_ORDINAL: Final = re.compile(r"(?<![\w.,])(?P<n>\d{1,3})\.?(?P<s>[ºª]|er\b)")


def _up_to_ten(n: int, feminine: bool = False) -> str:
    """Ordinals up to ten, cardinals above: "Felipe segundo", "Luis catorce", "siglo quinto",
    "siglo diecinueve" (the RAE's usage)."""
    return ordinal(n, feminine=feminine) if n <= 10 else cardinal(n)


ROMAN: Final = RomanWords(
    regnal=_up_to_ten,
    century=_up_to_ten,
    cardinal=cardinal,
    centuries=frozenset({"siglo", "siglos"}),
    century_said="siglo",
    sections=frozenset(
        "capítulo capítulos tomo tomos volumen parte libro acto escena artículo título anexo "
        "apéndice sección fase etapa nivel tipo clase canto lección unidad grupo".split()
    ),
)


def rules(words: Words) -> tuple[Rule, ...]:
    """The Spanish rule table for one locale's `words`: abbreviations, centuries and regnal
    numbers, dates, times, ordinals, units, money and every number."""
    return (
        *abbreviation_rules(TITLES, ABBREVIATIONS),
        *abbreviated_centuries(ROMAN, ("s.", "S.")),
        *roman_rules(ROMAN),
        *date_rules(words),
        *time_rules(words),
        (_ORDINAL, _ordinal),
        *unit_rules(words, UNITS),
        *number_rules(words),
    )


RULES: Final[tuple[Rule, ...]] = rules(WORDS)
"""The Spanish rule table: Spain's, and every country's without a table of its own."""

_PESO: Final = Currency("peso", "pesos", "centavo", "centavos")
PESO_COUNTRIES: Final = ("mx", "ar", "cl", "co", "uy", "do", "cu")
"""Where "$" is the peso."""
POINT_COUNTRIES: Final = ("mx", "us", "pr", "do", "gt", "hn", "ni", "pa", "sv")
"""Where the decimal mark is a point ("3.5", "1,500.50"): a comma before three digits groups
thousands there, and a point before three digits still does ("1.234"), as either is written."""


def _locale_words(country: str) -> Words:
    words = WORDS
    if country in PESO_COUNTRIES:
        words = replace(words, currencies={**words.currencies, "$": _PESO})
    if country in POINT_COUNTRIES:
        words = replace(
            words, decimal=".", point="punto", other_point="coma", groups=r"[.,\u00a0\u202f ]"
        )
    return words


LOCALE_RULES: Final[dict[str, tuple[Rule, ...]]] = {
    f"es-{country}": rules(_locale_words(country))
    for country in dict.fromkeys(PESO_COUNTRIES + POINT_COUNTRIES)
}
"""The tables of the countries whose "$" or decimal mark differ from Spain's, by lower-case
BCP-47 tag ("es-mx"): "$5.50" in Mexico is "cinco pesos con cincuenta centavos"."""
