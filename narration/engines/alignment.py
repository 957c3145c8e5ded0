"""Word timings from phoneme durations: which spoken phonemes belong to which word of the text."""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

import numpy as np

from narration.pipeline.engine import WordTiming

STRESS_MARKS: Final = frozenset({"ˈ", "ˌ"})
# A word of the input text: letters and digits, keeping "isn't", "U.S", "well-known", "42.50".
WORD: Final = re.compile(r"[^\W_]+(?:['’.,\-][^\W_]+)*")


class Phone(NamedTuple):
    """One sounding phoneme of the output, with the word group it belongs to and its samples."""

    symbol: str
    group: int
    start: int
    end: int


def align_words(
    expected: Sequence[Sequence[str]], actual: Sequence[str], groups: Sequence[int]
) -> list[tuple[int, int]]:
    """Give each text word a [start, end) span of the spoken phoneme sequence `actual`.

    `expected[i]` is what word i sounds like on its own; in running speech espeak reduces and
    merges words ("of the" -> "ʌvðə"), expands numbers, and reads "$5" as "five dollars", so a
    one-to-one match of words to space-separated groups fails often. Instead the two phoneme
    sequences are matched (difflib), each word takes the phonemes it matched, words that matched
    nothing share the gap between their neighbours in proportion to their length, and each word
    then grows to the edges of its own word group (`groups[j]` numbers the group of phoneme j).
    Spans come out in order and never overlap; a word can get an empty span.
    """
    count = len(expected)
    owner = [word for word, phonemes in enumerate(expected) for _ in phonemes]
    flat = [p for phonemes in expected for p in phonemes]
    spans: list[tuple[int, int] | None] = [None] * count
    matcher = difflib.SequenceMatcher(None, flat, list(actual), autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            word = owner[a + k]
            span = spans[word]
            spans[word] = (span[0] if span else b + k, b + k + 1)

    filled: list[tuple[int, int]] = []
    word = 0
    while word < count:
        span = spans[word]
        if span is not None:
            filled.append(span)
            word += 1
            continue
        run_end = word
        while run_end < count and spans[run_end] is None:
            run_end += 1
        low = filled[-1][1] if filled else 0
        next_span = spans[run_end] if run_end < count else None
        high = next_span[0] if next_span is not None else len(actual)
        # Leave the neighbours the rest of their own word groups ("fɚ" of "for"), unless
        # the unmatched words would be left with nothing ("ɐ" merged into "ɐkˈæt").
        trimmed = low
        while trimmed < high and trimmed > 0 and groups[trimmed] == groups[trimmed - 1]:
            trimmed += 1
        if high - trimmed >= run_end - word:
            low = trimmed
        trimmed = high
        while trimmed > low and trimmed < len(actual) and groups[trimmed - 1] == groups[trimmed]:
            trimmed -= 1
        if trimmed - low >= run_end - word:
            high = trimmed
        weights = np.cumsum([max(1, len(expected[w])) for w in range(word, run_end)])
        edges = [low] + [low + round((high - low) * w / weights[-1]) for w in weights]
        filled.extend(itertools.pairwise(edges))
        word = run_end

    for word, (start, end) in enumerate(filled):
        if end <= start:
            continue
        low = filled[word - 1][1] if word > 0 else 0
        high = filled[word + 1][0] if word + 1 < count else len(actual)
        while start > low and groups[start - 1] == groups[start]:
            start -= 1
        while end < high and groups[end] == groups[end - 1]:
            end += 1
        filled[word] = (start, end)
    return filled


def span_samples(span: tuple[int, int], phones: Sequence[Phone]) -> tuple[int, int]:
    """Sample range of a phoneme span; an empty span sits where the previous phoneme ends."""
    start, end = span
    if end > start:
        return phones[start].start, phones[end - 1].end
    at = phones[start - 1].end if start > 0 else phones[0].start
    return at, at


def is_sound(phoneme: str) -> bool:
    """False for word spaces, punctuation and stress marks: they carry no word's sound."""
    first = phoneme[0]
    return first not in STRESS_MARKS and not unicodedata.category(first).startswith(("P", "Z"))


def word_timings(
    text: str,
    phones: Sequence[Phone],
    samples: int,
    sample_rate: int,
    sounds_of: Callable[[str], Sequence[str]],
) -> list[WordTiming]:
    """Every word of `text` timed in the audio: `sounds_of(word)` is what the word sounds like
    on its own, matched against the spoken `phones` (`align_words`)."""
    tokens = list(WORD.finditer(text))
    if not tokens:
        return []
    expected = [sounds_of(token.group()) for token in tokens]
    if phones:
        spans = align_words(expected, [p.symbol for p in phones], [p.group for p in phones])
        times = [span_samples(span, phones) for span in spans]
    else:
        # No alignment output: spread the words over the audio by phoneme count.
        weights = np.array([max(1, len(e)) for e in expected], dtype=np.float64)
        edges = np.round(np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * samples)
        times = [(int(edges[i]), int(edges[i + 1])) for i in range(len(tokens))]
    rate = float(sample_rate)
    return [
        WordTiming(
            text=token.group(),
            char_start=token.start(),
            char_end=token.end(),
            start_s=start / rate,
            end_s=end / rate,
        )
        for token, (start, end) in zip(tokens, times, strict=True)
    ]
