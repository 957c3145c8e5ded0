"""Word timings moved from the text the engine spoke onto the text as written.

The engine is given a chunk's text rewritten by its lexicons (an alias: "W3C" is said "World
Wide Web Consortium") and prepared for speech (numbers and symbols said in words), and it times
the words of what it was given. Captions and speech marks index the written text, so each
spoken word is placed on the written words it came from: the two texts are aligned character by
character, a spoken word covers the written words its characters align with, and the spoken
words that cover the same written word become one word, from the first one's start to the last
one's end, named as written (Polly does the same for an alias: one mark for "W3C").
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence
from typing import Final

from narration.pipeline.chunk_meta import WordJson

WRITTEN_WORD: Final = re.compile(r"[^\W_]+(?:['’.,\-][^\W_]+)*")
"""A word as the engines tokenise one (`engines.alignment.WORD`)."""


def onto_written(written: str, spoken: str, words: Sequence[WordJson]) -> list[WordJson]:
    """`words`, timed and indexed in `spoken`, as words of `written` in time order."""
    if written == spoken:
        return list(words)
    where = _alignment(written, spoken)
    tokens = [(m.start(), m.end()) for m in WRITTEN_WORD.finditer(written)]
    starts = [start for start, _ in tokens]
    out: list[WordJson] = []
    for word in words:
        covered = [p for i in range(word["start"], word["end"]) if (p := where[i]) is not None]
        span = _whole_words(tokens, starts, covered)
        if span is None:
            if out:  # said, but for no written word (a symbol read out): the word before
                out[-1]["end_s"] = max(out[-1]["end_s"], word["end_s"])
            continue
        first, end = span
        if out and first < out[-1]["end"]:
            last = out[-1]
            last["start"], last["end"] = min(last["start"], first), max(last["end"], end)
            last["text"] = written[last["start"] : last["end"]]
            last["end_s"] = max(last["end_s"], word["end_s"])
            continue
        out.append(
            {
                "text": written[first:end],
                "start": first,
                "end": end,
                "start_s": word["start_s"],
                "end_s": word["end_s"],
            }
        )
    return out


def _alignment(written: str, spoken: str) -> list[int | None]:
    """For each character of `spoken`, the written character it stands for: itself where the
    texts agree; where they differ, the middle of the written stretch it replaced (None where
    spoken text was only inserted)."""
    where: list[int | None] = [None] * len(spoken)
    matcher = difflib.SequenceMatcher(None, written, spoken, autojunk=False)
    for tag, w1, w2, s1, s2 in matcher.get_opcodes():
        for i in range(s1, s2):
            if tag == "equal":
                where[i] = w1 + (i - s1)
            elif w2 > w1:
                where[i] = w1 + (i - s1) * (w2 - w1) // (s2 - s1)
    return where


def _whole_words(
    tokens: list[tuple[int, int]], starts: list[int], covered: list[int]
) -> tuple[int, int] | None:
    """The written words that the characters at `covered` fall in, as one span."""
    spans = []
    for position in covered:
        n = bisect.bisect_right(starts, position) - 1
        if n >= 0 and tokens[n][0] <= position < tokens[n][1]:
            spans.append(tokens[n])
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)
