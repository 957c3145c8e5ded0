"""Paired punctuation: a quotation in guillemets (« », or German » «) and a Spanish ¿…? or ¡…!
are not cut apart between chunks.

blingfire ends a sentence at every "!" and "?", inside a quotation too ("Il a dit : « Viens !
Vite ! » Puis il partit." gives three sentences, the last starting with "»"). Sentences that
lie inside one pair are joined again, as long as the joined sentence still fits a chunk: a
quotation longer than a chunk keeps its sentence ends, since a cut must fall somewhere. A pair
never closed in its paragraph (a quotation running on into the next) joins nothing. French sets
a space before ; : ! ? » and after «, so a cut at a space inside a long sentence must not strand
a mark: `strands_a_mark` tells the cutter which spaces to pass over.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Final

_CLOSING: Final = {"?": "¿", "!": "¡"}
_OPENERS: Final = frozenset("¿¡")
_LEADING: Final = frozenset("»;:!?")
"""Marks that belong to the word before them (French spacing): never the start of a piece."""
_TRAILING: Final = frozenset("«¿¡")
"""Marks that belong to the word after them: never the end of a piece."""


def _guillemets(text: str) -> tuple[str, str]:
    """Which guillemet opens: « in French, Spanish and Italian; » in German and Danish
    (»so«), told by the first one in the paragraph."""
    first = next((char for char in text if char in "«»"), "«")
    return (first, "»" if first == "«" else "«")


def pair_spans(text: str) -> list[tuple[int, int]]:
    """(opening, closing) offsets of every pair that is closed in `text`."""
    opening, closing = _guillemets(text)
    stack: list[tuple[str, int]] = []
    spans = []
    for index, char in enumerate(text):
        if char == opening or char in _OPENERS:
            stack.append((char, index))
            continue
        wanted = opening if char == closing else _CLOSING.get(char)
        if wanted is None:
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == wanted:
                spans.append((stack[depth][1], index))
                del stack[depth:]
                break
    return spans


def join_paired(sentences: list[str], limit: int) -> list[str]:
    """`sentences` (of one paragraph, joined by single spaces) with those inside one pair joined
    again while the joined sentence fits `limit`; a closing guillemet that starts a sentence
    ends the one before instead. Joined by single spaces, the result gives the same text."""
    if len(sentences) < 2 or not any(char in "«»¿¡" for s in sentences for char in s):
        return sentences
    spans = pair_spans(" ".join(sentences))
    ends = list(accumulate(len(sentence) + 1 for sentence in sentences))
    closing = re.compile(rf"{_guillemets(' '.join(sentences))[1]}+(?= |$)")
    joined = [sentences[0]]
    for sentence, boundary in zip(sentences[1:], ends, strict=False):
        inside = any(first < boundary - 1 < last for first, last in spans)
        if inside and len(joined[-1]) + 1 + len(sentence) <= limit:
            joined[-1] = f"{joined[-1]} {sentence}"
            continue
        mark = closing.match(sentence)
        if mark:  # a closing "»" goes with the sentence it closes, not the next
            joined[-1] = f"{joined[-1]} {mark.group(0)}"
            sentence = sentence[mark.end() + 1 :]
        if sentence:
            joined.append(sentence)
    return joined


def strands_a_mark(text: str, space: int) -> bool:
    """Whether a cut at the space `text[space]` would leave a mark on the wrong side of it."""
    before = text[space - 1 : space]
    after = text[space + 1 : space + 2]
    return before in _TRAILING or after in _LEADING
