"""What SSML markup means for one chunk: what the engine says, the pause after, the rate, marks.

The chunker cuts an SSML paragraph at its breaks and at the edges of its `prosody rate`
elements, and never inside an element that fits in a chunk (`chunker._marked_up_pieces`), so
each chunk has one rate, ends where a break stands, and holds its `sub`/`say-as`/`phoneme`
elements whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from narration.pipeline.chunker import TextChunk
from narration.pipeline.document import Document, Markup
from narration.pipeline.lexicon import PHONEME_CLOSE, PHONEME_OPEN, map_ipa


@dataclass(frozen=True)
class ChunkSpeech:
    spoken: str
    """The chunk's text with its elements' spoken forms (equal to the text when none)."""
    pause_s: float | None
    """Seconds of silence after the chunk when a break stands there; None: the usual pause."""
    rate: float
    marks: tuple[tuple[int, str], ...]
    """(offset in the chunk's text, name) of each mark in the chunk."""


def chunk_speech(chunk: TextChunk) -> ChunkSpeech:
    markup = chunk.markup
    if markup is None:
        return ChunkSpeech(chunk.text, None, 1.0, ())
    start, end = chunk.start, chunk.start + len(chunk.text)
    spoken, position = [], start
    for first, last, said in sorted(markup.spoken):
        if start <= first and last <= end:
            spoken.append(chunk.text[position - start : first - start])
            spoken.append(said)
            position = last
    spoken.append(chunk.text[position - start :])
    breaks = [seconds for offset, seconds in markup.breaks if offset == end]
    covering = [(last - first, rate) for first, last, rate in markup.rates if first <= start < last]
    marks = tuple((offset - start, name) for offset, name in markup.marks if start <= offset <= end)
    return ChunkSpeech(
        "".join(spoken),
        sum(breaks) if breaks else None,
        min(covering)[1] if covering else 1.0,
        marks,
    )


def phonemes_for_voice(document: Document, symbols: Iterable[str], voice: str) -> Document:
    """SSML `phoneme` elements rewritten in the voice's symbols; InputError for what the voice
    cannot say, naming the element's text."""
    known = frozenset(symbols)
    chapters = []
    for chapter in document.chapters:
        if not chapter.markup:
            chapters.append(chapter)
            continue
        markup = tuple(
            _mapped(text, m, known, voice) if m is not None else None
            for text, m in zip(chapter.paragraphs, chapter.markup, strict=True)
        )
        chapters.append(replace(chapter, markup=markup))
    return replace(document, chapters=tuple(chapters))


def _mapped(text: str, markup: Markup, known: frozenset[str], voice: str) -> Markup:
    spoken = []
    for first, last, said in markup.spoken:
        if said.startswith(PHONEME_OPEN):
            ipa = said[len(PHONEME_OPEN) : -len(PHONEME_CLOSE)].strip()
            label = f"phoneme {text[first:last]!r}"
            said = f"{PHONEME_OPEN} {map_ipa(label, ipa, known, voice)} {PHONEME_CLOSE}"
        spoken.append((first, last, said))
    return replace(markup, spoken=tuple(spoken))
