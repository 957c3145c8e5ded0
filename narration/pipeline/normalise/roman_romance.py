"""Roman numerals in Spanish, French, Italian and Portuguese: centuries and regnal numbers.

Only where the context makes the letters a numeral, so a pronoun "I", a size "XL" or a word
"MIX" is never touched:

* after a century word ("siglo XIX", "s. XIX", "século XIX", "secolo XIX") or before one
  ("XIX secolo"), and in French with the ordinal mark ("XIXe siècle", "IIIe République");
* after a section word ("capítulo IV", "tome II"): the cardinal ("capítulo cuatro");
* after a capitalised name ("Luis XIV", "Juan Pablo II"): a regnal number.

How each language says them (`RomanWords`): Spanish and Portuguese say ordinals up to ten and
cardinals above ("Felipe segundo", "Luis catorce", "siglo quinto", "século dezenove", the RAE's
and the common Portuguese usage); Italian says ordinals ("Luigi quattordicesimo", "diciannovesimo
secolo"); French cardinals but for the first ("Louis quatorze", "François premier") and
ordinals with the mark ("dix-neuvième siècle"). A queen's number is feminine where the language
says so ("Isabel segunda"). One letter is a numeral only as I, V or X, and not as an initial
("Juan V. Pérez").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from narration.pipeline.normalise.roman import roman_value
from narration.pipeline.normalise.rule import Rule

_NUMERAL: Final = re.compile(r"(?=[IVXL])(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_TOKEN: Final = re.compile(
    r"(?<![\w'’.-])(?P<num>[IVXLC]{1,8})(?P<mark>ᵉʳ|ʳᵉ|ᵉ|ème|ère|er|re|e)?(?![\w'’-])"
)
_WORD_BEFORE: Final = re.compile(r"(?P<word>[^\W\d_]+\.?) $")
_WORD_AFTER: Final = re.compile(r" (?P<word>[^\W\d_]+\.?)")
_JOINED: Final = re.compile(r"\b[IVXL]+(?:,? (?:y|e|et|o|ou|al|a) |, |-)$")
_INITIAL: Final = re.compile(r"\.\s+[A-ZÀ-Ý][a-zà-ÿ]")
QUEENS: Final = frozenset(
    "Isabel Isabella Isabelle Elisabetta Élisabeth Elisabeth Elizabeth María Maria Marie "
    "Victoria Vittoria Catalina Caterina Catherine Juana Giovanna Jeanne Ana Anna Anne "
    "Cristina Christine Margarita Margherita Marguerite Leonor Beatriz Urraca Carlota".split()
)


@dataclass(frozen=True)
class RomanWords:
    """How a language says a Roman numeral in each context."""

    regnal: Callable[[int, bool], str]
    """A ruler's number, (n, a queen's) → "catorce", "segunda"."""
    century: Callable[[int], str]
    cardinal: Callable[[int], str]
    centuries: frozenset[str]
    """The century words, lower case: "siglo", "siglos" (an abbreviation is written out first:
    `abbreviated_centuries`)."""
    century_said: str
    """What an abbreviated century word is said as ("siglo")."""
    sections: frozenset[str]
    """Words after which a numeral is a cardinal ("capítulo", "tomo")."""
    centuries_after: bool = False
    """The numeral may come before its century word ("XIX secolo")."""
    marked: Callable[[int, str], str] | None = None
    """A numeral with an ordinal mark, (n, mark) → "dix-neuvième" (French "XIXe")."""


def roman_rules(words: RomanWords) -> tuple[Rule, ...]:
    return ((_TOKEN, lambda m: _said(words, m)),)


def _said(words: RomanWords, m: re.Match[str]) -> str:
    num, mark = m["num"], m["mark"]
    if not _NUMERAL.fullmatch(num) or num in ("L", "XL"):
        return m[0]
    value = roman_value(num)
    if mark:
        return words.marked(value, mark) if words.marked else m[0]
    text = m.string
    word = _word_before(text, m.start())
    after = _WORD_AFTER.match(text, m.end())
    if word.lower() in words.centuries or (
        words.centuries_after and after and after["word"].lower() in words.centuries
    ):
        return words.century(value)
    if word.lower() in words.sections:
        return words.cardinal(value)
    if len(num) == 1 and (num not in "IVX" or _INITIAL.match(text, m.end())):
        return m[0]
    if word[:1].isupper() and word[1:].islower() and not word.endswith("."):
        return words.regnal(value, word in QUEENS)
    return m[0]


def _word_before(text: str, start: int) -> str:
    """The word before a numeral, over a list of numerals ("siglos XV y XVI", "XV-XVI")."""
    while True:
        before = _WORD_BEFORE.search(text, max(0, start - 40), start)
        word = before["word"] if before else ""
        joined = _JOINED.search(text, max(0, start - 40), start)
        if joined is None:
            return word
        start = joined.start()


def abbreviated_centuries(words: RomanWords, abbreviations: tuple[str, ...]) -> tuple[Rule, ...]:
    """ "s. XIX" → "siglo XIX", before `roman_rules` reads the numeral."""
    written = "|".join(re.escape(a) for a in abbreviations)
    pattern = re.compile(rf"(?<![\w.])(?:{written})(?= (?:[IVXL]+)\b)")
    return ((pattern, words.century_said),)
