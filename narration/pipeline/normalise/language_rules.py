"""The rules a language's table is built from, given that language's words (`Words`).

Spanish, French, Italian, Portuguese and Hindi write numbers, dates, times and amounts alike
enough that one set of patterns serves them all; what differs is said in `Words`: the number
words, the month names, how a date or a time is said, the decimal and thousands marks. Each
rule writes words of the text's own language only: a case a table does not know is left as
written for the G2P (espeak-ng reads digits in the voice's language), never read in English.
Dates written with numbers only ("05/03/2024") are read day first, as all these languages
write them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple

from narration.pipeline.normalise.rule import Rule


class Currency(NamedTuple):
    one: str
    many: str
    sub_one: str = ""
    sub_many: str = ""


@dataclass(frozen=True)
class Words:
    """What a language says, for the shared number, date, time and money rules."""

    cardinal: Callable[[int], str]
    months: tuple[str, ...]
    """January first, as written in running text."""
    date: str
    """How a full date is said: "{d} de {m} de {y}"."""
    first_day: str
    """The first of a month ("uno", "premier", "primo")."""
    point: str
    """The decimal mark said ("coma")."""
    percent: str
    time: Callable[[int, int], str]
    amount: Callable[[int, str, str], str]
    """A count of a noun: (n, singular, plural) → "veintiún euros"."""
    cents_joiner: str
    """Between the whole amount and its cents ("con")."""
    currencies: Mapping[str, Currency]
    year: Callable[[int], str] | None = None
    """A year, when it is said unlike a cardinal."""
    groups: str = r"[.\u00a0\u202f]"
    """The thousands separators, as a character class."""
    decimal: str = ","
    hour_mark: bool = False
    """Times are also written "14h30", "14 h" (French, Portuguese)."""
    decimals_by_digit: bool = False
    """ "1.25" is "one point two five" (Hindi), not "one comma twenty-five"."""
    other_point: str = ""
    """The other decimal mark as said ("punto" for "3.5" in a text that writes "3,5"), read
    where it cannot be a thousands mark (not before exactly three digits); empty: left."""
    counted: Callable[[int, str], str] | None = None
    """A whole number before a noun, with what joins them: (21, "páginas") → "veintiuna ",
    (1_000_000, "personas") → "un millón de " (the noun's gender: `gender`)."""


def _int(digits: str) -> int:
    return int(re.sub(r"\D", "", digits))


def decimal_words(words: Words, whole: str, decimals: str | None) -> str:
    """ "3,05" → "tres coma cero cinco": a fraction with a leading zero digit by digit."""
    spoken = words.cardinal(_int(whole))
    if decimals:
        if decimals.startswith("0") or words.decimals_by_digit:
            said = " ".join(words.cardinal(int(digit)) for digit in decimals)
        else:
            said = words.cardinal(int(decimals))
        spoken += f" {words.point} {said}"
    return spoken


def _date(words: Words, d: str, m: str, y: str) -> str:
    day = words.first_day if int(d) == 1 else words.cardinal(int(d))
    year = (words.year or words.cardinal)(int(y))
    return words.date.format(d=day, m=words.months[int(m) - 1], y=year)


_DAY: Final = r"(?P<d>0?[1-9]|[12]\d|3[01])"
_MONTH: Final = r"(?P<m>0?[1-9]|1[0-2])"
_ISO: Final = re.compile(
    r"(?<![\w.-])(?P<y>1\d{3}|20\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?![\w-])"
)
_NUMERIC_DATE: Final = re.compile(
    rf"(?<![\w./-]){_DAY}(?P<sep>[/.-]){_MONTH}(?P=sep)(?P<y>1\d{{3}}|20\d\d)(?![\w/-]|\.\d)"
)


def date_rules(words: Words) -> tuple[Rule, ...]:
    """ISO and day-first numeric dates said in full; the 1st before a month name."""
    months = "|".join(words.months)
    first = re.compile(rf"(?<![\w.,])0?1(?=\s+(?:de\s+)?(?:{months})\b)", re.I)
    return (
        (_ISO, lambda m: _date(words, m["d"], m["m"], m["y"])),
        (_NUMERIC_DATE, lambda m: _date(words, m["d"], m["m"], m["y"])),
        (first, words.first_day),
    )


def time_rules(words: Words) -> tuple[Rule, ...]:
    """ "14:30" (and "14h30", "14 h" where the language writes so) said as a time."""
    colon = re.compile(
        r"(?<![\w:.,])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\w:]|[.,]\d)(?:\s?h\b)?"
    )
    rules: list[Rule] = [(colon, lambda m: words.time(int(m["h"]), int(m["m"])))]
    if words.hour_mark:
        hour = re.compile(r"(?<![\w:.,])(?P<h>[01]?\d|2[0-3])\s?h\s?(?P<m>[0-5]\d)?(?![\w:])")
        rules.append((hour, lambda m: words.time(int(m["h"]), int(m["m"] or 0))))
    return tuple(rules)


def _symbols(words: Words) -> str:
    return "|".join(re.escape(s) for s in sorted(words.currencies, key=len, reverse=True))


def _money(words: Words, m: re.Match[str]) -> str:
    currency = words.currencies[m["cur"] or m["cur2"]]
    whole, cents = _int(m["int"] or m["int2"]), m["frac"] or m["frac2"]
    if cents and (len(cents) != 2 or not currency.sub_many):
        return f"{decimal_words(words, str(whole), cents)} {currency.many}"
    said = words.amount(whole, currency.one, currency.many)
    if not cents or int(cents) == 0:
        return said
    cents_said = words.amount(int(cents), currency.sub_one, currency.sub_many)
    return cents_said if whole == 0 else f"{said} {words.cents_joiner} {cents_said}"


def number_pattern(words: Words, grouped: str | None = None) -> str:
    """A written number: digits in thousands groups or plain, and a decimal part."""
    grouped = grouped or rf"\d{{1,3}}(?:{words.groups}\d{{3}})+"
    return rf"(?P<int>{grouped}|\d+)(?:{re.escape(words.decimal)}(?P<frac>\d+))?"


def number_rules(words: Words, grouped: str | None = None) -> tuple[Rule, ...]:
    """Amounts of money, percentages, then every other number, in the language's words: a
    whole number before a noun agrees with it (`Words.counted`), a decimal written with the
    other mark is read with that mark's word (`Words.other_point`)."""
    grouped = grouped or rf"\d{{1,3}}(?:{words.groups}\d{{3}})+"
    number = number_pattern(words, grouped)
    symbols = _symbols(words)
    # an amount's cents may be written with either mark ("$3.50" in a text that writes "3,50")
    amount = rf"(?P<int>{grouped}|\d+)(?:[.,](?P<frac>\d+))?"
    after = amount.replace("int>", "int2>").replace("frac>", "frac2>")
    money = re.compile(
        rf"(?<![\w.,])(?:(?P<cur>{symbols})\s?{amount}|{after}\s?(?P<cur2>{symbols}))"
        r"(?!\w|[.,]\d)"
    )
    plain = re.compile(rf"(?<![\w.,]){number}(?!\w|[.,]\d)")
    rules: list[Rule] = [
        (money, lambda m: _money(words, m)),
        (re.compile(r"(?<=\d)\s?%"), f" {words.percent}"),
    ]
    if words.other_point:
        mark = "." if words.decimal == "," else ","
        other = re.compile(
            rf"(?<![\w.,])(?P<int>\d+){re.escape(mark)}(?P<frac>\d{{1,2}}|\d{{4,}})(?!\w|[.,]\d)"
        )
        rules.append((other, lambda m: _other_decimal(words, m)))
    if words.counted is not None:
        counted = words.counted
        before_noun = re.compile(
            rf"(?<![\w.,])(?P<int>{grouped}|\d+)(?![.,]\d)[ \u00a0](?=(?P<noun>[^\W\d_A-ZÀ-Ý]\w*))"
        )
        rules.append((before_noun, lambda m: counted(_int(m["int"]), m["noun"])))
    rules.append((plain, lambda m: decimal_words(words, m["int"], m["frac"])))
    return tuple(rules)


def _other_decimal(words: Words, m: re.Match[str]) -> str:
    said = decimal_words(words, m["int"], m["frac"])
    return said.replace(f" {words.point} ", f" {words.other_point} ", 1)


def _keep_stop(said: str) -> Callable[[re.Match[str]], str]:
    """An abbreviation's stop kept only where the sentence ends there."""
    return lambda m: said + ("." if m["end"] is not None else "")


def abbreviation_rules(titles: Mapping[str, str], others: Mapping[str, str]) -> tuple[Rule, ...]:
    """Titles before a capitalised name ("Sr. García" → "señor García", no stop: the sentence
    goes on) and
    other abbreviations anywhere ("etc." → "etcétera", with a stop where the sentence ends)."""
    rules: list[Rule] = []
    for written, said in titles.items():
        end = r"\b" if written[-1].isalnum() else ""
        pattern = re.compile(rf"(?<![\w.]){re.escape(written)}{end}(?=\s+[A-ZÀ-Ý])")
        rules.append((pattern, said))
    for written, said in others.items():
        end = r"\b" if written[-1].isalnum() else ""
        pattern = re.compile(
            rf"(?<![\w.]){re.escape(written)}{end}(?P<end>(?=\s*$)|(?=\s+[¿¡«\"A-ZÀ-Ý]))?", re.M
        )
        rules.append((pattern, _keep_stop(said) if written.endswith(".") else said))
    return tuple(rules)
