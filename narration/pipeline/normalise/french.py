"""French: numbers, ordinals, dates, times, money and abbreviations read in French.

"112" is "cent douze", "3,5" "trois virgule cinq", "1er" "premier", "XIXe siècle"
"dix-neuvième siècle", "05/03/2024" "cinq mars deux mille vingt-quatre", "14h30" "quatorze heures
trente", "5,50 €" "cinq euros et cinquante centimes", "M. Dupont" "Monsieur Dupont". French
groups thousands with a space ("1 234", a no-break or narrow no-break space too, or a point) and
writes a decimal comma; numbers are spelled as before the 1990 reform ("deux cent trois").
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.gender import FRENCH as GENDERS
from narration.pipeline.normalise.language_rules import (
    Currency,
    Words,
    abbreviation_rules,
    date_rules,
    number_rules,
    time_rules,
)
from narration.pipeline.normalise.measures import FRENCH as UNITS
from narration.pipeline.normalise.measures import unit_rules
from narration.pipeline.normalise.roman_romance import (
    RomanWords,
    roman_rules,
)
from narration.pipeline.normalise.rule import Rule

_UNITS: Final = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize dix-sept dix-huit dix-neuf"
).split()
_TENS: Final = (
    "_ _ vingt trente quarante cinquante soixante soixante quatre-vingt quatre-vingt".split()
)


def _below_hundred(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, ones = divmod(n, 10)
    if tens in (7, 9):
        ones += 10
    base = _TENS[tens]
    if ones == 0:
        return "quatre-vingts" if tens == 8 else base
    if ones in (1, 11) and tens < 8:
        return f"{base} et {_UNITS[ones]}"
    return f"{base}-{_UNITS[ones]}"


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest)
    head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent"
    if not rest:
        return head if hundreds == 1 else head + "s"
    return f"{head} {_below_hundred(rest)}"


def _plain(words: str) -> str:
    """ "quatre-vingts", "deux cents" lose their s before "mille" (and before "-ième")."""
    return words[:-1] if words.endswith(("vingts", "cents", "millions", "milliards")) else words


def cardinal(n: int) -> str:
    """`n` in French words: 112 → "cent douze", 80_000 → "quatre-vingt mille"."""
    if n < 0:
        return f"moins {cardinal(-n)}"
    if n >= 10**12:
        return " ".join(_UNITS[int(digit)] for digit in str(n))
    words = []
    for scale, one, many in (
        (10**9, "un milliard", "milliards"),
        (10**6, "un million", "millions"),
    ):
        count, n = divmod(n, scale)
        if count:
            words.append(one if count == 1 else f"{_below_thousand(count)} {many}")
    thousands, below = divmod(n, 1000)
    if thousands:
        words.append("mille" if thousands == 1 else f"{_plain(_below_thousand(thousands))} mille")
    if below or not words:
        words.append(_below_thousand(below))
    return " ".join(words)


def ordinal(n: int, feminine: bool = False) -> str:
    """ "1er" → "premier", "1re" → "première", "2e" → "deuxième", "21e" → "vingt et unième"."""
    if n == 1:
        return "première" if feminine else "premier"
    words = _plain(cardinal(n))
    for ending, stem in (("cinq", "cinqu"), ("neuf", "neuv")):
        if words.endswith(ending):
            return words[: -len(ending)] + stem + "ième"
    return (words[:-1] if words.endswith("e") else words) + "ième"


def _ordinal(m: re.Match[str]) -> str:
    if m["second"]:
        return "seconde" if m["second"].endswith("de") else "second"
    return ordinal(int(m["n"]), feminine=m["s"] in ("re", "ère"))


def counted(n: int, noun: str) -> str:
    """ "1 page" → "une page", "21 pages" → "vingt et une pages", "81 heures" →
    "quatre-vingt-une heures", "2 000 000 personnes" → "deux millions de personnes" (the noun's
    gender: `gender.FRENCH`)."""
    said = cardinal(n)
    if not GENDERS.counts(n, noun):
        return said + " "
    if said.endswith(("million", "millions", "milliard", "milliards")):
        return f"{said} d'" if noun[0].lower() in "aeiouyéèêh" else f"{said} de "
    if GENDERS.is_feminine(noun) and (said == "un" or said.endswith((" un", "-un"))):
        said += "e"
    return said + " "


def time(hours: int, minutes: int) -> str:
    """ "14h30" → "quatorze heures trente", "1h" → "une heure", "0:05" → "zéro heure cinq"."""
    hour = "une" if hours == 1 else cardinal(hours).replace("et un", "et une")
    said = f"{hour} heure" + ("s" if hours > 1 else "")
    return f"{said} {cardinal(minutes)}" if minutes else said


def amount(n: int, one: str, many: str) -> str:
    """ "un euro", "vingt et un euros", "un million d'euros"."""
    words = cardinal(n)
    if words.endswith(("million", "millions", "milliard", "milliards")):
        return f"{words} d'{many}" if many[0] in "aeiouéh" else f"{words} de {many}"
    return f"{words} {one if n == 1 else many}"


WORDS: Final = Words(
    cardinal=cardinal,
    counted=counted,
    months=tuple(
        "janvier février mars avril mai juin juillet août septembre octobre novembre "
        "décembre".split()
    ),
    date="{d} {m} {y}",
    first_day="premier",
    point="virgule",
    percent="pour cent",
    time=time,
    other_point="point",
    amount=amount,
    cents_joiner="et",
    currencies={
        "€": Currency("euro", "euros", "centime", "centimes"),
        "$": Currency("dollar", "dollars", "cent", "cents"),
        "£": Currency("livre", "livres", "penny", "pence"),
        "CHF": Currency("franc", "francs", "centime", "centimes"),
    },
    groups=r"[ .\u00a0\u202f]",
    hour_mark=True,
)
TITLES: Final = {
    "M.": "Monsieur", "MM.": "Messieurs", "Mme": "Madame", "Mmes": "Mesdames",
    "Mlle": "Mademoiselle", "Mlles": "Mesdemoiselles", "Dr": "docteur", "Dr.": "docteur",
    "Pr": "professeur", "Me": "maître", "Mgr": "monseigneur",
}  # fmt: skip
ABBREVIATIONS: Final = {
    "etc.": "et cetera", "cf.": "confer", "av. J.-C.": "avant Jésus-Christ",
    "apr. J.-C.": "après Jésus-Christ", "n°": "numéro", "p.ex.": "par exemple",
    "p. ex.": "par exemple", "env.": "environ", "vol.": "volume", "chap.": "chapitre",
}  # fmt: skip
_ORDINAL: Final = re.compile(
    r"(?<![\w.,])(?:(?P<n>\d{1,4})(?P<s>ère|re|ème|e|er)|2(?P<second>nde|nd|de|d))(?!\w)"
)
_PAGE: Final = re.compile(r"(?<![\w.])p\.\s?(?=\d)")


def _regnal(n: int, feminine: bool) -> str:
    """ "Louis quatorze", "François premier", "Élisabeth deux"."""
    if n == 1:
        return "première" if feminine else "premier"
    return cardinal(n)


ROMAN: Final = RomanWords(
    regnal=_regnal,
    century=ordinal,  # "dix-neuvième siècle"
    cardinal=cardinal,
    centuries=frozenset({"siècle", "siècles"}),
    century_said="siècle",
    sections=frozenset(
        "chapitre chapitres tome volume partie livre acte scène article titre annexe section "
        "phase étape niveau type classe chant leçon unité groupe".split()
    ),
    centuries_after=True,
    marked=lambda n, mark: ordinal(n, feminine=mark in ("re", "ère", "ʳᵉ")),
)

RULES: Final[tuple[Rule, ...]] = (
    *abbreviation_rules(TITLES, ABBREVIATIONS),
    (_PAGE, "page "),
    *roman_rules(ROMAN),
    *date_rules(WORDS),
    *time_rules(WORDS),
    (_ORDINAL, _ordinal),
    *unit_rules(WORDS, UNITS, singular_below_two=True),
    *number_rules(WORDS),
)
"""The French rule table: abbreviations, dates, times, ordinals, money and every number."""
