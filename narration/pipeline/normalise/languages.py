"""Rule tables by language: which rules, in which order, make a language's text speakable.

Order matters: a rule sees what the rules before it wrote. Web addresses and technical names go
first (their digits and dots are not numbers); Roman numerals before years (a heading "MCM"
is no count); money, times, dates and units before plain years and ranges.

A language with no table of its own (German, say, for a Piper voice) gets `NEUTRAL`: web
addresses only. Its numbers, dates and symbols are left as written for the G2P, which reads
them in the voice's own language; English words are never put into its text.
"""

from __future__ import annotations

from typing import Final

from narration.pipeline.normalise import (
    abbreviations,
    clock,
    dates,
    french,
    hindi,
    italian,
    money,
    numbers,
    portuguese,
    roman,
    spanish,
    technical,
    units,
    web,
    years,
)
from narration.pipeline.normalise.rule import Rule

ENGLISH: Final[tuple[Rule, ...]] = (
    *web.RULES,
    *technical.RULES,
    *roman.RULES,
    *money.RULES,
    *dates.RULES,
    *clock.RULES,
    *units.RULES,
    *years.RULES,
    *numbers.RULES,
    *abbreviations.RULES,
)
NEUTRAL: Final[tuple[Rule, ...]] = web.RULES
"""For a language without a table: web addresses shortened, everything else left to the G2P."""
RULE_TABLES: Final[dict[str, tuple[Rule, ...]]] = {
    "en": ENGLISH,
    # web addresses keep their digits; every other number is read in the text's language
    "es": (*web.RULES, *spanish.RULES),
    "fr": (*web.RULES, *french.RULES),
    "it": (*web.RULES, *italian.RULES),
    "pt": (*web.RULES, *portuguese.RULES),
    "hi": (*web.RULES, *hindi.RULES),
}
LOCALE_TABLES: Final[dict[str, tuple[Rule, ...]]] = {
    tag: (*web.RULES, *table) for tag, table in spanish.LOCALE_RULES.items()
}
"""Tables for a language and country, by lower-case tag ("es-mx": "$" is the peso)."""
WORD_TABLES: Final[dict[str, tuple[Rule, ...]]] = {"en": numbers.WORD_RULES}
"""`as_words` rules: only English leaves numbers for espeak; the other tables write them all."""
DEFAULT_LANGUAGE: Final = "en"


def primary(language: str) -> str:
    """ "en-GB", "en_US" → "en"; no language at all reads as the default."""
    return language.replace("_", "-").split("-", 1)[0].lower() or DEFAULT_LANGUAGE


def has_table(language: str) -> bool:
    """Whether `language` has rules of its own (else it gets `NEUTRAL`)."""
    return primary(language) in RULE_TABLES


def rules_for(language: str) -> tuple[Rule, ...]:
    """The country's table ("es-MX"), else the language's ("es"), else `NEUTRAL`."""
    tag = "-".join(language.replace("_", "-").lower().split("-")[:2])
    return LOCALE_TABLES.get(tag) or RULE_TABLES.get(primary(language), NEUTRAL)


def word_rules_for(language: str) -> tuple[Rule, ...]:
    return WORD_TABLES.get(primary(language), ())
