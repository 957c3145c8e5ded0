"""Normalisation: the written text turned into what a voice should say.

Each family of rules is a module (numbers, roman, money, clock, dates, units, years,
abbreviations, web, technical); a language's rule table (`languages.RULE_TABLES`) lists, in
order, the rules that make its text speakable: English; Spanish, French, Italian, Portuguese
and Hindi (`spanish`, `french`, `italian`, `portuguese`, `hindi`, built on `language_rules`,
with `measures`, `gender` and `roman_romance`); a country may have its own (`es-MX`).
A language without a table gets web addresses shortened and nothing else (`languages.NEUTRAL`):
its numbers are left to the G2P, never read in English. docs/PRONUNCIATION.md lists every rule
with examples.
"""

from __future__ import annotations

from narration.pipeline.normalise.languages import rules_for, word_rules_for


def spoken_text(written: str, language: str = "en", *, as_words: bool = False) -> str:
    """`written` as the voice is given it (numbers, symbols, abbreviations, versions, …).

    With `as_words`, every number left for the voice to read ("19 84", "3.5", "21st") is
    written out too ("nineteen eighty-four"): what a listener hears, for comparing a transcript
    with the text word for word (run it on both sides).
    """
    text = written
    for pattern, replacement in rules_for(language):
        text = pattern.sub(replacement, text)
    if as_words:
        for pattern, replacement in word_rules_for(language):
            text = pattern.sub(replacement, text)
    return text


__all__ = ["spoken_text"]
