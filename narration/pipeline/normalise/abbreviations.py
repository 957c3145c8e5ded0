"""Abbreviations: titles ("Dr. Smith" → "Doctor Smith"), "St.", "Jr.", "No. 5", "vs.", "i.e."

A full stop after a title would make espeak end the sentence there; the expansions keep a stop
only where the sentence really ends.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.rule import Rule

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
    (re.compile(r"\bcf\.(?=\s)"), "compare"),
)
# Before a number only, where the number says it is a reference ("p. 12", "Fig. 3"): espeak
# says "P." with a sentence break. Not after a number ("5 sec." is seconds).
_REFERENCES: Final = {
    "Fig": "Figure",
    "Figs": "Figures",
    "Eq": "Equation",
    "Eqs": "Equations",
    "p": "page",
    "pp": "pages",
    "Vol": "Volume",
    "Ch": "Chapter",
    "Sec": "Section",
    "Sect": "Section",
    "Art": "Article",
    "Para": "Paragraph",
    "ca": "circa",
}
_REFERENCE: Final = re.compile(
    r"(?<![\w.])(?<!\d )(?P<a>"
    + "|".join(sorted({*_REFERENCES, *(a.lower() for a in _REFERENCES)}, key=len, reverse=True))
    + r")\.\s?(?=\d|[IVXLC]+\b)"
)


def _reference(m: re.Match[str]) -> str:
    abbreviation = m.group("a")
    said = _REFERENCES.get(abbreviation) or _REFERENCES[abbreviation.capitalize()].lower()
    return f"{said} "


def _title(m: re.Match[str]) -> str:
    return _TITLES[m.group("a")]


def _suffix(m: re.Match[str]) -> str:
    word = "Junior" if m.group("a") == "Jr" else "Senior"
    end = m.group("end")
    return word + ("." + end if end is not None else "")


def _street(m: re.Match[str]) -> str:
    return "Street." if m.group("end") is not None else "Street"


RULES: Final[tuple[Rule, ...]] = (
    (_TITLE_ABBR, _title),
    (_SAINT, "Saint"),
    (_STREET, _street),
    (_SUFFIX, _suffix),
    (_NUMBER_ABBR, "number "),
    (_REFERENCE, _reference),
    *_WORD_ABBR,
)
