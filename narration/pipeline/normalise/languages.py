"""Rule tables by language: which rules, in which order, make a language's text speakable.

Order matters: a rule sees what the rules before it wrote. Web addresses and technical names go
first (their digits and dots are not numbers); Roman numerals before years (a heading "MCM"
is no count); money, times, dates and units before plain years and ranges.
"""

from __future__ import annotations

from typing import Final

from narration.pipeline.normalise import (
    abbreviations,
    clock,
    dates,
    money,
    numbers,
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
SPANISH: Final[tuple[Rule, ...]] = (*web.RULES, *spanish.RULES)
"""Web addresses keep their digits; every other number is read in Spanish."""
RULE_TABLES: Final[dict[str, tuple[Rule, ...]]] = {"en": ENGLISH, "es": SPANISH}
WORD_TABLES: Final[dict[str, tuple[Rule, ...]]] = {"en": numbers.WORD_RULES, "es": ()}
DEFAULT_LANGUAGE: Final = "en"


def _primary(language: str) -> str:
    """ "en-GB", "en_US" → "en"; a language without a table reads as the default."""
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in RULE_TABLES else DEFAULT_LANGUAGE


def rules_for(language: str) -> tuple[Rule, ...]:
    return RULE_TABLES[_primary(language)]


def word_rules_for(language: str) -> tuple[Rule, ...]:
    return WORD_TABLES[_primary(language)]
