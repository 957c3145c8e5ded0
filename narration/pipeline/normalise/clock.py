"""Times of day: "3:00" is "3 o'clock", "14:05" is "14 oh 5", "p.m." keeps no false stop."""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule

_TIME: Final = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!:\d)(?P<ampm>(?=\s?[aApP]\.?[mM]\b))?"
)
_AMPM: Final = re.compile(r"(?<=\d)\s?(?P<x>[aApP])\.[mM]\.(?P<end>\s+(?=[A-Z])|\s*$)?", re.M)


def _time(m: re.Match[str]) -> str:
    h, minutes = int(m.group("h")), m.group("m")
    if minutes == "00":
        if m.group("ampm") is not None:
            return str(h)
        return f"{h} o'clock" if h <= 12 else f"{h} hundred"
    if minutes[0] == "0":
        return f"{h} oh {minutes[1]}"
    return m.group(0)


def _ampm(m: re.Match[str]) -> str:
    # "a.m." inside a sentence would make espeak stop; keep a stop only where one was meant
    end = m.group("end")
    return f" {m.group('x').upper()}M" + ("." + end if end is not None else "")


RULES: Final[tuple[Rule, ...]] = ((_TIME, _time), (_AMPM, _ampm))
