"""Currency: the amount before the unit ("$5" → "5 dollars"; espeak says "dollar five")."""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule

_CURRENCIES: Final = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
}
_MONEY: Final = re.compile(
    r"(?<![\w$])(?P<cur>US\$|[$£€¥])\s?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|[mMbBkK]n?)\b)?"
)
_SCALES: Final = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}


def _money(m: re.Match[str]) -> str:
    one, many, sub_one, sub_many = _CURRENCIES[m.group("cur")]
    whole, frac, scale = m.group("int"), m.group("frac"), m.group("scale")
    if scale:
        scale = _SCALES.get(scale.lower(), scale)
        number = f"{whole}.{frac}" if frac else whole
        return f"{number} {scale} {many}"
    unit = one if whole == "1" and not frac else many
    if frac and len(frac) == 2 and sub_many:
        cents = int(frac)
        if whole == "0":
            return f"{cents} {sub_one if cents == 1 else sub_many}"
        if cents == 0:
            return f"{whole} {unit}"
        return f"{whole} {unit} {cents} {sub_one if cents == 1 else sub_many}"
    return f"{whole}.{frac} {many}" if frac else f"{whole} {unit}"


RULES: Final[tuple[Rule, ...]] = ((_MONEY, _money),)
