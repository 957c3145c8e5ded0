"""List numbers, as a listener hears them: "2. Unpack the archive." (Word; HTML's `type`)

A numbered paragraph names a list (`w:numPr`: `numId`, `ilvl`); the numbering part maps it to
an abstract definition whose level gives the format (`decimal`, `lowerLetter`, `upperRoman`,
`bullet`…) and the start. Numbers are counted per list and level, as Word shows them: a level
restarts when a higher level of the same list moves on. Bullets have no number.
"""

from __future__ import annotations

from typing import Any, Final

W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ROMAN: Final = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def _val(element: Any, tag: str) -> str | None:
    found = element.find(f"{{{W}}}{tag}") if element is not None else None
    return found.get(f"{{{W}}}val") if found is not None else None


def _roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def list_label(number: int, html_type: str) -> str:
    """An HTML ordered list's item number as its `type` shows it (1, a, A, i, I)."""
    kinds = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
    return _label(number, kinds.get(html_type, "decimal"))


def _label(number: int, kind: str) -> str:
    if kind in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (number - 1) % 26)
        return letter.upper() if kind == "upperLetter" else letter
    if kind in ("lowerRoman", "upperRoman"):
        return _roman(number).upper() if kind == "upperRoman" else _roman(number)
    return str(number)


class Numbering:
    """Counts a document's numbered paragraphs; `label(numpr)` gives "3. " or ""."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, str], tuple[str, int]] = {}
        self.counts: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for definition in root.iter(f"{{{W}}}abstractNum"):
            levels = {}
            for level in definition.iter(f"{{{W}}}lvl"):
                start = _val(level, "start") or "1"
                kind = _val(level, "numFmt") or "decimal"
                levels[level.get(f"{{{W}}}ilvl", "0")] = (
                    kind,
                    int(start) if start.isdigit() else 1,
                )
            abstract[definition.get(f"{{{W}}}abstractNumId")] = levels
        for num in root.iter(f"{{{W}}}num"):
            levels = abstract.get(_val(num, "abstractNumId"), {})
            for ilvl, spec in levels.items():
                self.levels[(num.get(f"{{{W}}}numId", ""), ilvl)] = spec

    def label(self, numpr: Any) -> str:
        """The label of the next paragraph numbered by this `w:numPr` (None: not numbered)."""
        num, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl") or "0"
        spec = self.levels.get((num or "", ilvl))
        if num is None or spec is None or spec[0] in ("bullet", "none"):
            return ""
        counts = self.counts.setdefault(num, {})
        depth = int(ilvl) if ilvl.isdigit() else 0
        for deeper in [d for d in counts if d > depth]:
            del counts[deeper]  # a higher level moved on: the deeper ones start again
        counts[depth] = counts.get(depth, spec[1] - 1) + 1
        return f"{_label(counts[depth], spec[0])}. "
