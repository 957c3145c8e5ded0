"""Rewrite what the Piper voice's phonemizer (espeak-ng) reads wrongly; leave what it reads right.

Every rule here answers a case measured with `PiperVoice.phonemize` (see the table in
docs/INPUTS.md and tests/pipeline/test_speech_text.py). espeak already reads ordinals (1st,
22nd), percentages, "e.g.", "etc.", e-mail addresses, "U.S." and most initialisms (NASA, FBI)
well, so those are left alone. It gets wrong: Roman numerals after a capitalised word ("Chapter
IV" → "chapter roman four", "Henry VIII" → "Henry roman eight"), years ("1984" → "nineteen
hundred eighty-four"), decades ("1990s" → "... ninety z"), currency order ("$5" → "dollar
five"), minutes with a leading zero ("14:05" → "fourteen zero five"), unit symbols ("km" →
"K M"), titles with a full stop ("Dr." makes a sentence break), URL schemes.

Applied only to the text handed to the engine; captions keep the original. All patterns are
compiled once; a megabyte takes well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

_ONES: Final = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS: Final = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_ONES: Final = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_ORDINAL_TENS: Final = (
    "_ _ twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
)
_DECADES: Final = "_ tens twenties thirties forties fifties sixties seventies eighties nineties"
_DECADE_WORDS: Final = _DECADES.split()


def _ordinal(n: int) -> str:
    if n < 20:
        return _ORDINAL_ONES[n]
    tens, ones = divmod(n, 10)
    if tens >= 10:
        return str(n) + (
            "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(ones, "th")
        )
    if not ones:
        return _ORDINAL_TENS[tens]
    return f"{_TENS[tens]}-{_ORDINAL_ONES[ones]}"


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
_SECTION_FOLLOW: Final = re.compile(r"\s*(?:[,.;:!?)\]—–]|$)|\s+[A-Z0-9“\"]")

# --- Years and decades ------------------------------------------------------------------------
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

# --- Money ------------------------------------------------------------------------------------
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

# --- Times ------------------------------------------------------------------------------------
_TIME: Final = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!:\d)(?P<ampm>(?=\s?[aApP]\.?[mM]\b))?"
)
_AMPM: Final = re.compile(r"(?<=\d)\s?(?P<x>[aApP])\.[mM]\.(?P<end>\s+(?=[A-Z])|\s*$)?", re.M)

# --- Units ------------------------------------------------------------------------------------
_UNITS: Final = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "lb": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"),
    "mi": ("mile", "miles"),
    "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"),
    "TB": ("terabyte", "terabytes"),
    "kB": ("kilobyte", "kilobytes"),
    "KB": ("kilobyte", "kilobytes"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "kW": ("kilowatt", "kilowatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
}
_UNIT: Final = re.compile(
    r"(?<![\w.,$£€¥])(?P<n>-?\d+(?:[.,]\d+)*)\s?(?P<u>"
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")(?![\w/°])"
)

# --- Abbreviations ----------------------------------------------------------------------------
_TITLES: Final = {
    "Dr": "Doctor",
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Prof": "Professor",
    "Mt": "Mount",
    "Capt": "Captain",
    "Gen": "General",
    "Col": "Colonel",
    "Lt": "Lieutenant",
    "Sgt": "Sergeant",
    "Rev": "Reverend",
    "Gov": "Governor",
    "Sen": "Senator",
    "Hon": "Honorable",
    "Fr": "Father",
}
_TITLE_ABBR: Final = re.compile(r"\b(?P<a>" + "|".join(_TITLES) + r")\.(?=\s+[A-Z])")
_SAINT: Final = re.compile(r"\bSt\.(?=\s+[A-Z])")
_STREET: Final = re.compile(r"(?<=[a-z] )St\.(?P<end>\s*$)?(?=\s*(?:[,;:)]|$|\s+[a-z]))", re.M)
_SUFFIX: Final = re.compile(
    r"(?:(?<=[A-Za-z] )|(?<=[A-Za-z], ))(?P<a>Jr|Sr)\.(?P<end>\s*$|\s+(?=[A-Z]))?", re.M
)
_NUMBER_ABBR: Final = re.compile(r"\bNo\.\s?(?=\d)|(?<![\w&])#(?=\d)")
_WORD_ABBR: Final = (
    (re.compile(r"\bvs\.?(?=\s)"), "versus"),
    (re.compile(r"\bi\.e\.(?=[\s,])"), "that is"),
    (re.compile(r"\bapprox\.(?=\s)"), "approximately"),
    (re.compile(r"\bPh\.D\.?"), "PhD"),
)

# --- URLs, ranges, fractions ------------------------------------------------------------------
_URL: Final = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]*[\w/]")
_URL_SCHEME: Final = re.compile(r"^(?:https?|ftp)://")
_URL_QUERY: Final = re.compile(r"[?#].*$|/+$")
_NUM_RANGE: Final = re.compile(r"(?<![\w.,/-])(?P<a>\d{1,4})[-–](?P<b>\d{1,4})(?![\w.,/-]|[-–]\d)")
_FRACTIONS: Final = {
    "1/2": "one half",
    "1/3": "one third",
    "2/3": "two thirds",
    "1/4": "one quarter",
    "3/4": "three quarters",
}
_FRACTION: Final = re.compile(r"(?<![\w/.])(?P<f>1/2|1/3|2/3|1/4|3/4)(?![\w/])")


def _roman(m: re.Match[str]) -> str:
    num = m.group("num")
    if not _ROMAN_VALID.fullmatch(num):
        return num
    start = m.start()
    before = _PREV_WORD.search(m.string, max(0, start - 24), start)
    if before is None:
        return num
    word, value = before.group(1), roman_value(num)
    if word in _REGNAL_SET and (len(num) > 1 or _REGNAL_FOLLOW.match(m.string, m.end())):
        return f"the {_ordinal(value).capitalize()}"
    if word in _SECTION_SET and (len(num) > 1 or _SECTION_FOLLOW.match(m.string, m.end())):
        return str(value)
    if len(num) > 1 and word[0].isupper() and word[1:].islower() and set(num) <= {"I", "V", "X"}:
        return str(value)  # "Rocky II", "Apollo XI": espeak says "roman two"
    return num


def _url(m: re.Match[str]) -> str:
    # espeak spells "https colon slash slash"; the address itself it reads well
    return _URL_QUERY.sub("", _URL_SCHEME.sub("", m.group(0))) or m.group(0)


def _street(m: re.Match[str]) -> str:
    return "Street." if m.group("end") is not None else "Street"


def _year(m: re.Match[str]) -> str:
    y, start = m.group("y"), m.start()
    cue = _CUE_BEFORE.search(m.string, max(0, start - 16), start)
    is_year = (
        cue is not None and (cue.group(1) is None or cue.group(1).lower() in _YEAR_CUES)
    ) or (bool(_YEAR_AFTER.match(m.string, m.end())))
    return _year_words(y) if is_year else y


def _year_words(y: str) -> str:
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


def _unit(m: re.Match[str]) -> str:
    n, unit = m.group("n"), m.group("u")
    one, many = _UNITS[unit]
    return f"{n} {one if n in ('1', '-1') else many}"


def _title(m: re.Match[str]) -> str:
    return _TITLES[m.group("a")]


def _suffix(m: re.Match[str]) -> str:
    word = "Junior" if m.group("a") == "Jr" else "Senior"
    end = m.group("end")
    return word + ("." + end if end is not None else "")


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
    return _year_words(y) if 1000 <= int(y) <= 2099 else y


_RULES: Final[tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]] = (
    (_URL, _url),
    (_ROMAN_TOKEN, _roman),
    (_MONEY, _money),
    (_TIME, _time),
    (_AMPM, _ampm),
    (_UNIT, _unit),
    (_DECADE, _decade),
    (_NUM_RANGE, _range),
    (_YEAR, _year),
    (_FRACTION, lambda m: _FRACTIONS[m.group("f")]),
    (_TITLE_ABBR, _title),
    (_SAINT, "Saint"),
    (_STREET, _street),
    (_SUFFIX, _suffix),
    (_NUMBER_ABBR, "number "),
    *_WORD_ABBR,
)


def speakable(text: str) -> str:
    """The text as the voice should be given it (numbers, symbols, abbreviations expanded)."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text
