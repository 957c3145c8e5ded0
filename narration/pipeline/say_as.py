"""SSML `say-as`: how a piece of text is said when the writer says what it is.

Each interpretation returns text the voice (espeak) reads right: letters and digits one by one
are separated by spaces ("W3C" → "W 3 C"), ordinals keep espeak's own reading of "3rd", dates
become "March 5th, 2024". Raises ValueError with a short reason for what it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

MONTHS: Final = (
    "January February March April May June July August September October November December"
).split()
DATE_FORMATS: Final = frozenset(("mdy", "dmy", "ymd", "md", "dm", "ym", "my", "d", "m", "y"))


def _spell(text: str) -> str:
    return " ".join(ch for ch in text if not ch.isspace())


def _cardinal(text: str) -> str:
    number = text.replace(",", "").strip()
    if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", number):
        raise ValueError(f"{text!r} is not a number")
    return number


def ordinal_suffix(n: int) -> str:
    if n % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _ordinal(text: str) -> str:
    number = text.replace(",", "").strip()
    if not number.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return f"{int(number)}{ordinal_suffix(int(number))}"


def _digits(text: str) -> str:
    if not any(ch.isdigit() for ch in text):
        raise ValueError(f"{text!r} has no digits")
    return " ".join(ch for ch in text if ch.isdigit())


def _telephone(text: str) -> str:
    groups = re.findall(r"\+|\d+", text)
    if not any(g.isdigit() for g in groups):
        raise ValueError(f"{text!r} is not a telephone number")
    spoken = ["plus" if g == "+" else " ".join(g) for g in groups]
    return ", ".join(spoken)


def date(text: str, fmt: str) -> str:
    """A date in `fmt` (mdy, dmy, ymd, md, dm, ym, my, d, m, y) with any separators."""
    if fmt not in DATE_FORMATS:
        raise ValueError(f"date format {fmt!r} is not one of {', '.join(sorted(DATE_FORMATS))}")
    parts = re.findall(r"\d+", text)
    if len(parts) != len(fmt):
        raise ValueError(f"{text!r} does not match the date format {fmt!r}")
    values = dict(zip(fmt, (int(p) for p in parts), strict=True))
    if "m" in values and not 1 <= values["m"] <= 12:
        raise ValueError(f"{text!r}: no month {values['m']}")
    if "d" in values and not 1 <= values["d"] <= 31:
        raise ValueError(f"{text!r}: no day {values['d']}")
    month = MONTHS[values["m"] - 1] if "m" in values else ""
    day = f"{values['d']}{ordinal_suffix(values['d'])}" if "d" in values else ""
    year = str(values["y"]) if "y" in values else ""
    if fmt.startswith("d") and month:
        head = f"the {day} of {month}"
    else:
        head = " ".join(part for part in (month, day) if part)
    return ", ".join(part for part in (head, year) if part)


INTERPRETATIONS: Final[dict[str, Callable[[str], str]]] = {
    "characters": _spell,
    "spell-out": _spell,
    "cardinal": _cardinal,
    "number": _cardinal,
    "ordinal": _ordinal,
    "digits": _digits,
    "telephone": _telephone,
}


def say_as(text: str, interpret_as: str, fmt: str = "") -> str:
    """What to say for `text` read as `interpret_as`; ValueError for what does not fit."""
    if interpret_as == "date":
        return date(text, fmt or "mdy")
    reader = INTERPRETATIONS.get(interpret_as)
    if reader is None:
        known = ", ".join(sorted([*INTERPRETATIONS, "date"]))
        raise ValueError(f"interpret-as {interpret_as!r} is not supported ({known})")
    return reader(text)
