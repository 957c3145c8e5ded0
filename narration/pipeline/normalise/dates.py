"""Dates: ISO dates and a day beside a month name, said as a person reads them.

espeak reads "2024-01-05" as "two thousand twenty four dash zero one dash zero five" and
"March 5, 2024" as "march five, two thousand twenty four"; we give it "January 5th, 20 24" and
"March 5th, 20 24" ("5 March 2024" → "the 5th of March, 20 24"). A bare "3/5/2024" is left:
day or month first is the writer's locale, which SSML `say-as` states.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule
from narration.pipeline.normalise.years import year_words
from narration.pipeline.say_as import MONTHS, ordinal_suffix

_MONTH_NAMES: Final = "|".join(MONTHS)
_SHORT: Final = {m[:3]: m for m in MONTHS} | {"Sept": "September"}
_MONTH: Final = rf"(?P<month>{_MONTH_NAMES}|(?:{'|'.join(_SHORT)})\.)"
_ISO: Final = re.compile(
    r"(?<![\w.-])(?P<y>1\d{3}|20\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?![\w-])"
)
_MONTH_DAY: Final = re.compile(
    _MONTH + r"\s(?P<d>0?[1-9]|[12]\d|3[01])(?!\d|:|st|nd|rd|th)(?:,?\s(?P<y>1\d{3}|20\d\d)\b)?"
)
_DAY_MONTH: Final = re.compile(
    r"(?<![\w.,])(?P<d>[1-9]|[12]\d|3[01])\s" + _MONTH + r"(?:,?\s(?P<y>1\d{3}|20\d\d)\b)?"
)


def _year(y: str | None) -> str:
    return f", {year_words(y)}" if y else ""


def _month(name: str) -> str:
    return _SHORT.get(name.rstrip("."), name)


def _day(d: str) -> str:
    return f"{int(d)}{ordinal_suffix(int(d))}"


def _iso(m: re.Match[str]) -> str:
    return f"{MONTHS[int(m.group('m')) - 1]} {_day(m.group('d'))}{_year(m.group('y'))}"


def _month_day(m: re.Match[str]) -> str:
    return f"{_month(m.group('month'))} {_day(m.group('d'))}{_year(m.group('y'))}"


def _day_month(m: re.Match[str]) -> str:
    return f"the {_day(m.group('d'))} of {_month(m.group('month'))}{_year(m.group('y'))}"


RULES: Final[tuple[Rule, ...]] = ((_ISO, _iso), (_MONTH_DAY, _month_day), (_DAY_MONTH, _day_month))
