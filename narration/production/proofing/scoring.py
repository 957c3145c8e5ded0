"""Score one chunk: what the engine was given against what the recogniser heard.

The rule (docs/PROOFING.md): both sides are normalised alike (`normalised`) and aligned word by
word. A dictionary word (`vocabulary`) matches a heard word that sounds the same; a word
outside the dictionary matches only the same spelling. A stretch that differs but sounds the
same when said together ("every one" for "everyone") matches too. Diverging stretches one
matched word apart are one run. The chunk's score is its longest run of diverging (written)
words
divided by `RUN_WORDS` (or by the chunk's length, for a shorter chunk); a run holding a word
outside the dictionary, or a word of `DROPPED_LETTERS` letters or more heard as nothing or as
nothing like it (its sounds less than `ALIKE` similar to what was heard: silence or noise over
it), scores at least 1. A chunk scoring `THRESHOLD` or more is a
suspect.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Final

from narration.production.proofing.normalised import proof_words
from narration.production.proofing.vocabulary import in_dictionary, joined_sound, sound_key

RUN_WORDS: Final = 3
"""A run of this many diverging words is a garbled stretch: one or two single-word slips
are the recogniser's own, common on clean speech."""
THRESHOLD: Final = 1.0
BRIDGE_WORDS: Final = 1
"""Matched words between two diverging stretches that still join them into one run."""
DROPPED_LETTERS: Final = 4
"""A word this long lost is no recogniser's slip: short function words ("a", "and", "the")
are the ones it drops from clean speech."""
ALIKE: Final = 0.5
"""How similar (difflib's ratio of sound keys) a run's heard words must sound to its spoken
ones to count as a slip: the recogniser's slips on clean speech sound alike ("wheeled" heard
as "willed"), while damage is heard as nothing or as something else."""
HUNDRED: Final = "hVndɹVd"


@dataclass(frozen=True)
class HeardWord:
    """A word the recogniser heard, and when: seconds into the chunk's audio."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Run:
    """A diverging stretch: spoken words [start, end) against heard words [heard_start,
    heard_end), by index into each side's words."""

    start: int
    end: int
    heard_start: int
    heard_end: int
    unknown: tuple[str, ...]
    """Spoken words in the run outside the dictionary."""
    lost: bool = False
    """Whether a word of `DROPPED_LETTERS` or more was heard as nothing, or nothing like it."""

    @property
    def length(self) -> int:
        """The written words that diverge; for words heard where none were written, those."""
        return self.end - self.start or self.heard_end - self.heard_start


@dataclass(frozen=True)
class ChunkScore:
    spoken: tuple[str, ...]
    heard: tuple[HeardWord, ...]
    runs: tuple[Run, ...]
    score: float
    wer: float

    @property
    def suspect(self) -> bool:
        return self.score >= THRESHOLD

    def suspect_runs(self) -> tuple[Run, ...]:
        """The runs a person should listen to: each long enough, or holding an unknown word."""
        return tuple(run for run in self.runs if _run_score(run, len(self.spoken)) >= THRESHOLD)


def heard_words(words: list[HeardWord]) -> list[HeardWord]:
    """The recogniser's words normalised like the spoken text: one heard word may become
    several ("$5" → "5 dollars"), each with its timing."""
    return [
        HeardWord(part, word.start_s, word.end_s)
        for word in words
        for part in proof_words(word.text)
    ]


def score_chunk(spoken_text: str, heard: list[HeardWord]) -> ChunkScore:
    """Align and score (see the module's rule); `heard` as `heard_words` gives it."""
    spoken = proof_words(spoken_text)
    heard_text = [word.text for word in heard]
    matcher = difflib.SequenceMatcher(
        None, [_key(word) for word in spoken], [_key(word) for word in heard_text], autojunk=False
    )
    raw: list[tuple[int, int, int, int]] = []
    edits = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or _same_stretch(spoken[i1:i2], heard_text[j1:j2]):
            continue
        edits += max(i2 - i1, j2 - j1)
        raw.append((i1, i2, j1, j2))
    runs = _joined(raw, spoken, heard_text)
    longest = max((_run_score(run, len(spoken)) for run in runs), default=0.0)
    wer = edits / max(1, len(spoken))
    return ChunkScore(tuple(spoken), tuple(heard), tuple(runs), round(longest, 3), round(wer, 4))


def _key(word: str) -> str:
    return sound_key(word) if in_dictionary(word) else "=" + word


def _same_stretch(spoken: list[str], heard: list[str]) -> bool:
    """A differing stretch that is the same words said together, or spelt together."""
    if not spoken or not heard:
        return False
    if "".join(spoken) == "".join(heard):
        return True
    if not all(in_dictionary(word) for word in spoken):
        return False
    if any(word.isdigit() for word in (*spoken, *heard)):
        return _number_sound(spoken) == _number_sound(heard)
    return joined_sound(spoken) == joined_sound(heard)


def _number_sound(words: list[str]) -> str:
    """A number's sound, said any usual way: with or without "and", a year's "hundred"
    ("nineteen forty-four", "one hundred and twelve" for 1944 and 112)."""
    said = joined_sound(word for word in words if word != "and")
    return said.replace(HUNDRED, "")


def _joined(raw: list[tuple[int, int, int, int]], spoken: list[str], heard: list[str]) -> list[Run]:
    runs: list[Run] = []
    for i1, i2, j1, j2 in raw:
        lost = _lost(spoken[i1:i2], heard[j1:j2])
        if runs and i1 - runs[-1].end <= BRIDGE_WORDS and j1 - runs[-1].heard_end <= BRIDGE_WORDS:
            last = runs.pop()
            i1, j1, lost = last.start, last.heard_start, lost or last.lost
        unknown = tuple(word for word in spoken[i1:i2] if not in_dictionary(word))
        runs.append(Run(i1, i2, j1, j2, unknown, lost))
    return runs


def _lost(spoken: list[str], heard: list[str]) -> bool:
    """Whether a long word of a diverging stretch was heard as nothing, or nothing like it."""
    if not any(len(word) >= DROPPED_LETTERS for word in spoken):
        return False
    said, got = joined_sound(spoken), joined_sound(heard)
    return difflib.SequenceMatcher(None, said, got, autojunk=False).ratio() < ALIKE


def _run_score(run: Run, spoken_words: int) -> float:
    base = run.length / max(1, min(RUN_WORDS, spoken_words))
    return max(base, THRESHOLD) if run.unknown or run.lost else base
