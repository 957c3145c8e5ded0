"""Italian: numbers, ordinals, dates, times, money and abbreviations read in Italian.

"112" is "centododici", "3,5" "tre virgola cinque", "1º" "primo", "05/03/2024" "cinque marzo
duemilaventiquattro", "1 maggio" "primo maggio", "14:30" "quattordici e trenta", "5,50 €"
"cinque euro e cinquanta centesimi", "Sig. Rossi" "signor Rossi". Italian groups thousands
with a point and writes a decimal comma; a number below a million is one word, as written
("duemilaventitré"), and a million or more is written apart ("due milioni trecentomila").
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.gender import ITALIAN as GENDERS
from narration.pipeline.normalise.language_rules import (
    Currency,
    Words,
    abbreviation_rules,
    date_rules,
    number_rules,
    time_rules,
)
from narration.pipeline.normalise.measures import ITALIAN as UNITS
from narration.pipeline.normalise.measures import unit_rules
from narration.pipeline.normalise.roman_romance import (
    RomanWords,
    abbreviated_centuries,
    roman_rules,
)
from narration.pipeline.normalise.rule import Rule

_UNITS: Final = (
    "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici "
    "quattordici quindici sedici diciassette diciotto diciannove"
).split()
_TENS: Final = "_ _ venti trenta quaranta cinquanta sessanta settanta ottanta novanta".split()
_ORDINALS: Final = "_ primo secondo terzo quarto quinto sesto settimo ottavo nono decimo".split()


def _below_hundred(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, ones = divmod(n, 10)
    base = _TENS[tens]
    if ones in (1, 8):
        base = base[:-1]  # "ventuno", "trentotto"
    return base + ("tré" if ones == 3 else _UNITS[ones] if ones else "")


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest)
    head = "cento" if hundreds == 1 else _UNITS[hundreds] + "cento"
    if not rest:
        return head
    tail = _below_hundred(rest)
    return (head[:-1] if tail.startswith("o") else head) + tail  # "centottanta"


def _unstressed(words: str) -> str:
    """ "tré" is stressed only at the end of a word ("ventitremila"), "uno" loses its o
    inside one ("ventunmila")."""
    if words.endswith("uno"):
        return words[:-1]
    return words[:-1] + "e" if words.endswith("é") else words


def cardinal(n: int) -> str:
    """`n` in Italian words: 112 → "centododici", 21_000 → "ventunmila"."""
    if n < 0:
        return f"meno {cardinal(-n)}"
    if n >= 10**12:
        return " ".join(_UNITS[int(digit)] for digit in str(n))
    millions, rest = divmod(n, 10**6)
    thousands, below = divmod(rest, 1000)
    words = []
    if millions:
        words.append("un milione" if millions == 1 else f"{cardinal(millions)} milioni")
    word = ""
    if thousands:
        word = "mille" if thousands == 1 else _unstressed(_below_thousand(thousands)) + "mila"
    if below or not (millions or thousands):
        word += _below_thousand(below)
    if word:
        words.append(word)
    return " ".join(words)


def ordinal(n: int, feminine: bool = False) -> str:
    """ "1º" → "primo", "1ª" → "prima", "11º" → "undicesimo", "23º" → "ventitreesimo"."""
    if n <= 0:
        return cardinal(n)
    if n <= 10:
        said = _ORDINALS[n]
    else:
        words = cardinal(n).replace("tré", "tre")
        keep = words.endswith(("tre", "sei"))
        said = (words if keep else words[:-1]) + "esimo"
    return said[:-1] + "a" if feminine else said


def _ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m["n"]), feminine=m["s"] == "ª")


_UNO_BEFORE: Final = re.compile(r"s[^aeiouàèéìòù]|z|gn|ps|pn|x|y", re.I)


def counted(n: int, noun: str) -> str:
    """ "1 casa" → "una casa", "1 ora" → "un'ora", "1 libro" → "un libro", "1 studente" →
    "uno studente", "2.000.000 persone" → "due milioni di persone" (the noun's gender:
    `gender.ITALIAN`); only one agrees ("ventuno case" stays)."""
    said = cardinal(n)
    if not GENDERS.counts(n, noun):
        return said + " "
    if said.endswith(("milione", "milioni")):
        return f"{said} di "
    if n != 1:
        return said + " "
    if GENDERS.is_feminine(noun):
        return "un'" if noun[0].lower() in "aeiouàèéìòù" else "una "
    return "uno " if _UNO_BEFORE.match(noun) else "un "


def time(hours: int, minutes: int) -> str:
    """ "14:30" → "quattordici e trenta", "9:00" → "nove", "1:05" → "una e cinque"."""
    hour = "una" if hours == 1 else cardinal(hours)
    return f"{hour} e {cardinal(minutes)}" if minutes else hour


def amount(n: int, one: str, many: str) -> str:
    """ "un euro", "cinque euro", "un milione di euro"."""
    if n == 1:
        return f"un {one}"
    words = cardinal(n)
    joiner = " di " if words.endswith(("milione", "milioni")) else " "
    return f"{words}{joiner}{many}"


WORDS: Final = Words(
    cardinal=cardinal,
    counted=counted,
    months=tuple(
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
        "dicembre".split()
    ),
    date="{d} {m} {y}",
    first_day="primo",
    point="virgola",
    percent="per cento",
    time=time,
    other_point="punto",
    groups=r"[. \u00a0\u202f]",
    amount=amount,
    cents_joiner="e",
    currencies={
        "€": Currency("euro", "euro", "centesimo", "centesimi"),
        "$": Currency("dollaro", "dollari", "centesimo", "centesimi"),
        "£": Currency("sterlina", "sterline", "penny", "pence"),
    },
)
TITLES: Final = {
    "Sig.": "signor", "Sig.ra": "signora", "Sigg.": "signori", "Sig.na": "signorina",
    "Dott.": "dottor", "Dott.ssa": "dottoressa", "Prof.": "professor",
    "Prof.ssa": "professoressa", "Ing.": "ingegner", "Avv.": "avvocato", "On.": "onorevole",
}  # fmt: skip
ABBREVIATIONS: Final = {
    "ecc.": "eccetera", "pag.": "pagina", "pagg.": "pagine", "cfr.": "confronta",
    "ad es.": "ad esempio", "a.C.": "avanti Cristo", "d.C.": "dopo Cristo", "vol.": "volume",
    "cap.": "capitolo", "tel.": "telefono",
}  # fmt: skip
_NUMBER_ABBREVIATION: Final = re.compile(r"(?<![\w.])(?:n\.|N\.|nr\.)\s?(?=\d)")
_ORDINAL: Final = re.compile(r"(?<![\w.,])(?P<n>\d{1,4})(?P<s>[ºª]|°(?!\s?[CFK]\b))")


ROMAN: Final = RomanWords(
    regnal=lambda n, feminine: ordinal(n, feminine=feminine),  # "Luigi quattordicesimo"
    century=ordinal,  # "diciannovesimo secolo"
    cardinal=cardinal,
    centuries=frozenset({"secolo", "secoli"}),
    century_said="secolo",
    sections=frozenset(
        "capitolo capitoli tomo volume parte libro atto scena articolo titolo allegato sezione "
        "fase livello tipo classe canto lezione unità gruppo".split()
    ),
    centuries_after=True,
)

RULES: Final[tuple[Rule, ...]] = (
    *abbreviation_rules(TITLES, ABBREVIATIONS),
    (_NUMBER_ABBREVIATION, "numero "),
    *abbreviated_centuries(ROMAN, ("sec.", "Sec.")),
    *roman_rules(ROMAN),
    *date_rules(WORDS),
    *time_rules(WORDS),
    (_ORDINAL, _ordinal),
    *unit_rules(WORDS, UNITS),
    *number_rules(WORDS),
)
"""The Italian rule table: abbreviations, dates, times, ordinals, money and every number."""
