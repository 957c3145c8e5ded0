"""Roman numerals: said as numbers where espeak would say "roman four" or "eye".

After a section word ("Chapter IV" → "Chapter 4"), a ruler's name ("Henry VIII" → "Henry the
Eighth"), a capitalised title ("Rocky II" → "Rocky 2"), and at the head of a heading line
("IV. The Pool" → "4. The Pool"). A lone "I" is read as a numeral only where nothing else fits
("Elizabeth I, queen"), never as the pronoun.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.numbers import ordinal
from narration.pipeline.normalise.rule import Rule

_ROMAN_VALUES: Final = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_RE: Final = r"(?=[IVXLC])(?:C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"


def roman_value(numeral: str) -> int:
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < nxt else value
    return total


# --- Roman numerals ---------------------------------------------------------------------------
_SECTION_WORDS: Final = (
    r"Chapter|Part|Book|Volume|Vol\.|Act|Scene|Section|Canto|Episode|Appendix|Article|Phase|"
    r"Stage|Level|Round|Class|Type|Psalm|Stave|Letter|Lesson|Unit|Annex|War"
)
_REGNAL_NAMES: Final = (
    r"Henry|Edward|George|William|Richard|Charles|James|John|Elizabeth|Mary|Anne|Victoria|"
    r"Louis|Philip|Philippe|Frederick|Friedrich|Wilhelm|Ludwig|Peter|Paul|Ivan|Nicholas|"
    r"Alexander|Catherine|Gregory|Leo|Pius|Benedict|Innocent|Clement|Urban|Boniface|Sixtus|"
    r"Alfonso|Ferdinand|Carlos|Juan|Felipe|Isabella|Gustav|Gustavus|Christian|Olaf|Harald|"
    r"Haakon|Magnus|Eric|Erik|Charlemagne|Constantine|Justinian|Ramesses|Ramses|Amenhotep|"
    r"Thutmose|Ptolemy|Darius|Xerxes|Artaxerxes|Antiochus|Napoleon|Rudolf|Otto|Frederick|"
    r"Sancho|Pedro|Manuel|David|Robert|Malcolm|Duncan|Kenneth|Constantine|Stephen|Matilda|"
    r"Harold|Canute|Cnut|Ethelred|Æthelred|Edmund|Edgar|Alfred|Francis|Franz|Joseph|Leopold|"
    r"Maximilian|Sigismund|Casimir|Stanislaus|Sobieski|Vasily|Dmitri|Mehmed|Suleiman|Murad|"
    r"Selim|Bayezid|Abdul|Farouk|Fuad|Hussein|Faisal|Abdullah|Rama|Akihito|Hirohito"
)
# Patterns that start with a word alternation are slow on a megabyte (every word is tried), so
# we find the numeral first and look at the word before it in the callback.
_SECTION_SET: Final = frozenset(
    alt for w in _SECTION_WORDS.split("|") for alt in (w.rstrip("."), w.rstrip(".").upper())
)
_REGNAL_SET: Final = frozenset(_REGNAL_NAMES.split("|"))
_ROMAN_TOKEN: Final = re.compile(r"(?<=[A-Za-z.] )(?P<num>[IVXLC]{1,8})(?=['’]s\b|[^\w'’-]|$)")
_ROMAN_VALID: Final = re.compile(_ROMAN_RE)
_PREV_WORD: Final = re.compile(r"([A-Za-z]+)\.? $")
_REGNAL_FOLLOW: Final = re.compile(
    r"['’]s\b|\s*(?:[,.;:!?)\]—–]|$)|\s+(?:of|and|or|was|is|had|who|in|became|reigned|died|"
    r"married|ruled)\b"
)
_INITIAL: Final = re.compile(r"\.\s+[A-Z][a-z]")
_SECTION_FOLLOW: Final = re.compile(r"\s*(?:[,.;:!?)\]—–]|$)|\s+[A-Z0-9“\"]")

# A heading that starts with a numeral and a full stop or colon: "IV. The Pool", "XII: Notes".
# One letter only as I, V or X and not before an initial ("V. S. Naipaul", "I. M. Pei").
_HEADING: Final = re.compile(
    r"^(?P<num>[IVX]|[IVXL]{2,7})(?P<sep>[.:])(?=\s*$|\s+(?![A-Z]\.)[A-Z\d“\"])", re.M
)


def _roman(m: re.Match[str]) -> str:
    num = m.group("num")
    if not _ROMAN_VALID.fullmatch(num):
        return num
    start = m.start()
    before = _PREV_WORD.search(m.string, max(0, start - 24), start)
    if before is None:
        return num
    word, value = before.group(1), roman_value(num)
    initial = len(num) == 1 and _INITIAL.match(m.string, m.end())  # "Eric V. Smith"
    if (
        word in _REGNAL_SET
        and not initial
        and (len(num) > 1 or _REGNAL_FOLLOW.match(m.string, m.end()))
    ):
        return f"the {ordinal(value).capitalize()}"
    if word in _SECTION_SET and (len(num) > 1 or _SECTION_FOLLOW.match(m.string, m.end())):
        return str(value)
    if len(num) > 1 and word[0].isupper() and word[1:].islower() and set(num) <= {"I", "V", "X"}:
        return str(value)  # "Rocky II", "Apollo XI": espeak says "roman two"
    return num


def _heading(m: re.Match[str]) -> str:
    num = m.group("num")
    if not _ROMAN_VALID.fullmatch(num):
        return m.group(0)
    return f"{roman_value(num)}{m.group('sep')}"


RULES: Final[tuple[Rule, ...]] = ((_HEADING, _heading), (_ROMAN_TOKEN, _roman))
