"""Years, decades and number ranges, which espeak reads as plain counts.

"1984" after "in" or before a full stop is a year ("19 84", not "one thousand nine hundred
eighty-four"); "1990s" is "19 nineties", not "nineteen hundred ninety z"; "1914-1918" and
"pages 10-15" are ranges ("to"), while "555-1234" is left as a phone number.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule

_DECADES: Final = "_ tens twenties thirties forties fifties sixties seventies eighties nineties"
_DECADE_WORDS: Final = _DECADES.split()
_MONTHS: Final = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sep\.|Sept\.|Oct\.|Nov\.|Dec\."
)
_YEAR_CUE: Final = (
    r"in|since|by|until|till|from|of|year|circa|c\.|ca\.|before|after|during|around|about|"
    r"early|late|mid|spring|summer|autumn|fall|winter|born|died|between|and|to|through|"
    rf"{_MONTHS}"
)
_YEAR_TAIL: Final = r"(?=\s*(?:[,;:!?)\]”\"']|\.(?!\d)|$|\s(?:AD|BC|BCE|CE|A\.D\.|B\.C\.)\b))"
_YEAR_CUES: Final = frozenset(
    w.rstrip(".").lower() for w in _YEAR_CUE.split("|") if not w.endswith(".")
) | {"c", "ca", "ad", "ce"}
_YEAR: Final = re.compile(
    r"(?<![\w$£€¥.,/-])(?P<y>1[0-9]\d\d|20[1-9]\d)\b(?![,.]\d|[-–/]\d|\s*(?:%|percent|°))"
)
_YEAR_AFTER: Final = re.compile(_YEAR_TAIL)
_CUE_BEFORE: Final = re.compile(r"(?:([A-Za-z]+)\.?|\d,) $")
_DECADE: Final = re.compile(
    r"(?<![\d$£€¥.,])(?:(?P<c>1[0-9]|20)(?P<d>\d)0|['’](?P<s>\d)0|\b(?P<s2>[2-9])0)s\b"
)

_NUM_RANGE: Final = re.compile(
    r"(?<![\w.,/-])(?P<a>\d{1,4})[-–](?P<b>\d{1,4})(?![\w/-]|[.,]\d|[-–]\d)"
)


# A number after these words is a count or a label, whatever follows it ("port 1080.").
_COUNT_CUES: Final = frozenset(
    "port ports page pages line lines number no error code status pid uid gid step item "
    "issue bug room flight route".split()
)


def _year(m: re.Match[str]) -> str:
    y, start = m.group("y"), m.start()
    cue = _CUE_BEFORE.search(m.string, max(0, start - 16), start)
    if cue is not None and cue.group(1) is not None and cue.group(1).lower() in _COUNT_CUES:
        return y
    is_year = (
        cue is not None and (cue.group(1) is None or cue.group(1).lower() in _YEAR_CUES)
    ) or (bool(_YEAR_AFTER.match(m.string, m.end())))
    return year_words(y) if is_year else y


def year_words(y: str) -> str:
    century, rest = y[:2], y[2:]
    if (int(y) < 1100 and rest == "00") or (y.startswith("20") and int(y) < 2010):
        return y  # espeak: "two thousand five", which is right
    if rest == "00":
        return f"{century} hundred"
    if rest[0] == "0":
        return f"{century} oh {rest[1]}"
    return f"{century} {rest}"


def _decade(m: re.Match[str]) -> str:
    short = m.group("s") or m.group("s2")
    if short is not None:
        return _DECADE_WORDS[int(short)] if short != "0" else "hundreds"
    century, d = m.group("c"), int(m.group("d"))
    if century == "20" and d == 0:
        return "two thousands"
    return f"{century} {_DECADE_WORDS[d] if d else 'hundreds'}"


def _range(m: re.Match[str]) -> str:
    a, b = m.group("a"), m.group("b")
    same = len(a) == len(b) or (len(a), len(b)) in ((1, 2), (4, 2))
    if not same or (int(a) >= int(b[-len(b) :]) and len(a) == len(b)):
        return m.group(0)  # "555-1234" is a phone number, "10-5" a score
    if len(a) == 4 and len(b) == 4:
        return f"{_year_text(a)} to {_year_text(b)}"
    if len(a) == 4 and len(b) == 2:
        return f"{_year_text(a)} to {_year_text(a[:2] + b)}"
    return f"{a} to {b}"


def _year_text(y: str) -> str:
    return year_words(y) if 1000 <= int(y) <= 2099 else y


RULES: Final[tuple[Rule, ...]] = ((_DECADE, _decade), (_NUM_RANGE, _range), (_YEAR, _year))
