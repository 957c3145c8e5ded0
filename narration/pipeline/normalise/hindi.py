"""Hindi: numbers, ordinals, dates, times and money read in Hindi.

"112" is "एक सौ बारह", "1,00,000" (Indian grouping) "एक लाख", "3.25" "तीन दशमलव दो पाँच",
"5वाँ" "पाँचवाँ", "05/03/2024" "पाँच मार्च दो हज़ार चौबीस", "3:30" "तीन बजकर तीस मिनट",
"₹500" "पाँच सौ रुपये". Devanagari digits (०–९) are read as the Latin ones. Hindi names every
number below a hundred with its own word, then counts in सौ (100), हज़ार (1000), लाख (10⁵)
and करोड़ (10⁷); a year of the 1100s to 1900s is said in hundreds ("उन्नीस सौ चौरासी").
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.language_rules import Currency, Words, date_rules, number_rules
from narration.pipeline.normalise.rule import Rule

BELOW_HUNDRED: Final = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह "
    "उन्नीस बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस इकतीस बत्तीस "
    "तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस चालीस इकतालीस बयालीस तैंतालीस चवालीस "
    "पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास पचास इक्यावन बावन तिरपन चौवन पचपन छप्पन सत्तावन "
    "अट्ठावन उनसठ साठ इकसठ बासठ तिरसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर सत्तर इकहत्तर "
    "बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी अस्सी इक्यासी बयासी "
    "तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी नब्बे इक्यानबे बानबे तिरानबे चौरानबे "
    "पचानबे छियानबे सत्तानबे अट्ठानबे निन्यानबे"
).split()
_SCALES: Final = ((10**7, "करोड़"), (10**5, "लाख"), (1000, "हज़ार"), (100, "सौ"))
_DEVANAGARI_DIGITS: Final = str.maketrans("०१२३४५६७८९", "0123456789")
_ORDINALS: Final = {1: "पहला", 2: "दूसरा", 3: "तीसरा", 4: "चौथा", 6: "छठा"}


def cardinal(n: int) -> str:
    """`n` in Hindi words: 112 → "एक सौ बारह", 250_000 → "दो लाख पचास हज़ार"."""
    if n < 0:
        return f"ऋण {cardinal(-n)}"
    if n < 100:
        return BELOW_HUNDRED[n]
    words = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words.append(f"{cardinal(count)} {name}")
    if n:
        words.append(BELOW_HUNDRED[n])
    return " ".join(words)


def year(n: int) -> str:
    """ "1984" → "उन्नीस सौ चौरासी"; other years as cardinals ("दो हज़ार चौबीस")."""
    hundreds, rest = divmod(n, 100)
    if 11 <= hundreds <= 19:
        return f"{BELOW_HUNDRED[hundreds]} सौ" + (f" {BELOW_HUNDRED[rest]}" if rest else "")
    return cardinal(n)


def ordinal(n: int, ending: str = "वाँ") -> str:
    """ "1ला" → "पहला", "2री" → "दूसरी", "5वाँ" → "पाँचवाँ", "5वीं" → "पाँचवीं": the ending
    agrees with the noun, as written, so it is kept."""
    special = _ORDINALS.get(n)
    if special is None:
        return cardinal(n) + ending
    vowel = next((v for v in "ाीे" if v in ending), "ा")
    return special[:-1] + vowel  # पहल-, दूसर-, … + the ending's vowel


def _ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m["n"]), m["s"])


def time(hours: int, minutes: int) -> str:
    """ "3:30" → "तीन बजकर तीस मिनट", "3:00" → "तीन बजे"."""
    if not minutes:
        return f"{cardinal(hours)} बजे"
    return f"{cardinal(hours)} बजकर {cardinal(minutes)} मिनट"


def amount(n: int, one: str, many: str) -> str:
    """ "एक रुपया", "पाँच सौ रुपये"."""
    return f"{cardinal(n)} {one if n == 1 else many}"


WORDS: Final = Words(
    cardinal=cardinal,
    months=tuple("जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर".split()),
    date="{d} {m} {y}",
    first_day="एक",
    point="दशमलव",
    percent="प्रतिशत",
    time=time,
    amount=amount,
    cents_joiner="और",
    currencies={
        "₹": Currency("रुपया", "रुपये", "पैसा", "पैसे"),
        "रु.": Currency("रुपया", "रुपये", "पैसा", "पैसे"),
        "Rs.": Currency("रुपया", "रुपये", "पैसा", "पैसे"),
        "$": Currency("डॉलर", "डॉलर", "सेंट", "सेंट"),
    },
    year=year,
    groups=",",
    decimal=".",
    decimals_by_digit=True,
)
_INDIAN_GROUPS: Final = r"\d{1,2}(?:,\d\d)+,\d{3}|\d{1,3}(?:,\d{3})+"
"""1,00,000 (lakh grouping) and 100,000 alike."""
_ORDINAL: Final = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,4})(?P<s>वाँ|वां|वीं|वी|वें|वे|ला|ली|ले|रा|री|रे|था|थी|थे|ठा|ठी|ठे)(?!\w)"
)
_TIME: Final = re.compile(
    r"(?<![\w:.,])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\w:]|[.,]\d)(?:\s?बजे(?!\w))?"
)
"""A time, and the "बजे" ("o'clock") written after it, which the time says itself."""

RULES: Final[tuple[Rule, ...]] = (
    (re.compile("[०-९]+"), lambda m: m.group(0).translate(_DEVANAGARI_DIGITS)),
    *date_rules(WORDS),
    (_TIME, lambda m: time(int(m["h"]), int(m["m"]))),
    (_ORDINAL, _ordinal),
    *number_rules(WORDS, _INDIAN_GROUPS),
)
"""The Hindi rule table: Devanagari digits, dates, times, ordinals, money and every number."""
