"""Spanish numbers as words: "112" is "ciento doce", "3,5" "tres coma cinco", "25 %"
"veinticinco por ciento".

Spanish writes a decimal comma and groups thousands with a point ("1.234"); a year is read
as a cardinal too ("1984": "mil novecientos ochenta y cuatro"), as Spanish says years.
"""

from __future__ import annotations

import re
from typing import Final

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


def _number(match: re.Match[str]) -> str:
    spoken = cardinal(int(re.sub(r"[.\u00a0]", "", match["whole"])))
    decimals = match["decimals"]
    if decimals:
        if decimals.startswith("0"):
            said = " ".join(_UNITS[int(digit)] for digit in decimals)
        else:
            said = cardinal(int(decimals))
        spoken += f" coma {said}"
    return spoken


_NUMBER: Final = re.compile(
    r"(?<![\w.,])(?P<whole>\d{1,3}(?:[.\u00a0]\d{3})+|\d+)(?:,(?P<decimals>\d+))?(?![\w,]|\.\d)"
)

RULES: Final[tuple[Rule, ...]] = (
    (re.compile(r"(\d)\s?%"), r"\1 por ciento"),
    (_NUMBER, _number),
)
"""The Spanish rule table: every number written out in Spanish."""
