"""Numbers as English words: cardinals, ordinals, decimals, digit strings, and the fractions
espeak reads as "one slash two".

The engine-facing rules mostly leave a plain number for espeak, which reads "1,234", "3.5" and
"21st" right; these words are for what it reads wrongly (a version's "10" after a dot, an IP
address) and for `as_words`, which writes every remaining number out so that a transcript and
the spoken text compare word for word.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule

ONES: Final = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS: Final = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINAL_ONES: Final = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
ORDINAL_TENS: Final = (
    "_ _ twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
)
_SCALES: Final = (
    (10**12, "trillion"),
    (10**9, "billion"),
    (10**6, "million"),
    (1000, "thousand"),
)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(f"{TENS[tens]}-{ONES[ones]}" if ones else TENS[tens])
    elif rest or not hundreds:
        words.append(ONES[rest])
    return " ".join(words)


def cardinal(n: int) -> str:
    """`n` in words: 1984 → "one thousand nine hundred eighty-four" (as espeak says it)."""
    if n < 0:
        return f"minus {cardinal(-n)}"
    if n >= 10**15:
        return digits(str(n))
    words = []
    for scale, name in _SCALES:
        if n >= scale:
            count, n = divmod(n, scale)
            words.append(f"{cardinal(count)} {name}")
    if n or not words:
        words.append(_below_thousand(n))
    return " ".join(words)


def ordinal(n: int) -> str:
    """`n` as an ordinal in words: 22 → "twenty-second"."""
    words = cardinal(n)
    head, _, last = words.rpartition(" ")
    stem, dash, unit = last.rpartition("-")
    if unit in ONES:
        unit = ORDINAL_ONES[ONES.index(unit)]
    elif unit in TENS:
        unit = ORDINAL_TENS[TENS.index(unit)]
    else:  # hundred, thousand, million …
        unit += "th"
    return f"{head} {stem}{dash}{unit}".strip()


def pairs(text: str) -> str:
    """Four digits in pairs, as a model or standard number is read: "4492" → "forty-four
    ninety-two", "9001" → "ninety oh one", "2000" → "two thousand"; others digit by digit."""
    if len(text) != 4 or not text.isdigit() or text.startswith("0"):
        return digits(text)
    head, tail = int(text[:2]), text[2:]
    if text.endswith("000"):
        return cardinal(int(text))
    if tail == "00":
        return f"{cardinal(head)} hundred"
    if tail.startswith("0"):
        return f"{cardinal(head)} oh {ONES[int(tail[1])]}"
    return f"{cardinal(head)} {cardinal(int(tail))}"


def digits(text: str) -> str:
    """Each digit on its own: "0042" → "zero zero four two"."""
    return " ".join(ONES[int(ch)] for ch in text if ch.isdigit())


def number(text: str) -> str:
    """A written number ("1,234", "3.05", "-2") in words, its decimals digit by digit."""
    sign = "minus " if text.startswith(("-", "−")) else ""
    whole, _, frac = text.lstrip("-−+").replace(",", "").partition(".")
    said = cardinal(int(whole)) if whole else "zero"
    if frac:
        said += f" point {digits(frac)}"
    return sign + said


def part(text: str) -> str:
    """One part of a version or section number ("10" → "ten", "05" → "zero five")."""
    if (len(text) > 1 and text.startswith("0")) or len(text) > 4:
        return digits(text)
    return cardinal(int(text))


FRACTIONS: Final = {
    "1/2": "one half",
    "1/3": "one third",
    "2/3": "two thirds",
    "1/4": "one quarter",
    "3/4": "three quarters",
}
_FRACTION: Final = re.compile(r"(?<![\w/.])(?P<f>1/2|1/3|2/3|1/4|3/4)(?![\w/])")
RULES: Final[tuple[Rule, ...]] = ((_FRACTION, lambda m: FRACTIONS[m.group("f")]),)

# --- every number as words (`as_words`) ----------------------------------------------------------
_ORDINAL_WRITTEN: Final = re.compile(r"\b(?P<n>\d+)(?:st|nd|rd|th)\b")
_PERCENT: Final = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?%")
_NUMBER_WRITTEN: Final = re.compile(
    r"(?<![\w.,])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![.,]?\d)"
)
WORD_RULES: Final[tuple[Rule, ...]] = (
    (_ORDINAL_WRITTEN, lambda m: ordinal(int(m.group("n")))),
    (_PERCENT, lambda m: f"{m.group('n')} percent"),
    (_NUMBER_WRITTEN, lambda m: number(m.group(0))),
)
