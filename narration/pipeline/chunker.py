"""Cut a document into chunks of at most 300 characters, at sentence ends.

Sentences come from blingfire (≈0.03 s for 350 KB, against ≈26 s for pysbd), corrected for the
abbreviations it splits after ("Mr. Smith") and for the sentence ends it finds inside a pair of
« », ¿…? or ¡…! (`paired_punctuation`). Whole sentences are packed greedily; a sentence longer
than the limit is cut at its strongest clause punctuation, then at a word boundary (never one
that strands French spacing's "»", "?" or "«"); a run that needs several chunks is cut into
chunks of even length. Consecutive
list items are a soft boundary: they are packed together like sentences, and a chunk that ends
at an item's end gets the (shorter) list pause, so a list of short items does not become a run
of tiny chunks. The chunker is lossless: `joined_text(chunks) == spoken_text(document)`, which
the property tests hold it to.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Final, Literal

from narration.pipeline.document import ITEM, SECTION, Document, Markup, Role
from narration.pipeline.paired_punctuation import join_paired, strands_a_mark
from narration.pipeline.sentence_offsets import sentence_offsets

MAX_CHUNK_CHARS: Final = 300
PARAGRAPH_SEPARATOR: Final = "\n\n"
ITEM_SEPARATOR: Final = " "

Boundary = Literal["clause", "sentence", "list_item", "paragraph", "turn", "section", "chapter"]
"""What follows a chunk; it sets the pause the stitcher inserts. `clause` marks a cut inside a
sentence too long for one chunk; `list_item` the next item of the same list; `turn` another
speaker's paragraph in a script; `section` a section title inside the chapter."""

_ABBREVIATIONS: Final = frozenset(
    (
        "mr mrs ms dr prof st jr sr mt no vs etc e.g i.e fig vol ch gen col capt lt sgt rev hon "
        "inc ltd co corp dept approx est jan feb mar apr jun jul aug sep sept oct nov dec "
        "sra srta dra ud uds pág núm aprox avda mme mlle mm sig dott ecc pag cfr"
    ).split()
)
_CLAUSE_CUTS: Final = (re.compile(r"[;:—–](?=\s)"), re.compile(r"[,)](?=\s)"))
_MIN_CUT_FRACTION: Final = 0.3
_KEPT_SPACE: Final = "\ue000"
"""Stands in for a space inside an SSML element while cutting, so no cut falls there."""
_SENTENCE_END: Final = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class TextChunk:
    """One piece of speech: `text` is followed by `separator` in the spoken text."""

    text: str
    boundary_after: Boundary
    chapter: int
    separator: str
    markup: Markup | None = None
    """The SSML markup of the paragraph this chunk is cut from, if it has any."""
    start: int = 0
    """Where the chunk's text starts in that paragraph (set when it has markup)."""
    speaker: str = ""
    """The script speaker whose turn it is part of ("" outside a turn, or not a script)."""


@dataclass(frozen=True)
class Unit:
    """One spoken paragraph, list item or title, with its chapter index."""

    chapter: int
    text: str
    role: Role
    markup: Markup | None = None
    speaker: str = ""


def spoken_units(document: Document) -> Iterator[Unit]:
    """Units in reading order; spoken chapter titles are units too."""
    for number, chapter in enumerate(document.chapters):
        title = " ".join(chapter.title.split())
        if chapter.title_spoken and title:
            yield Unit(number, title, "text")
        for index, paragraph in enumerate(chapter.paragraphs):
            normalised = " ".join(paragraph.split())
            if normalised:
                yield Unit(
                    number,
                    normalised,
                    chapter.role(index),
                    chapter.markup_of(index),
                    chapter.speaker(index),
                )


def _soft(unit: Unit, following: Unit | None) -> bool:
    """Two items of one list: joined by a space and packed together."""
    return (
        following is not None
        and unit.role == ITEM
        and following.role == ITEM
        and unit.chapter == following.chapter
        and unit.speaker == following.speaker
    )


def _hard_boundary(unit: Unit, following: Unit | None) -> Boundary:
    if following is None or following.chapter != unit.chapter:
        return "chapter"
    if following.role == SECTION:
        return "section"
    return "turn" if following.speaker != unit.speaker else "paragraph"


def spoken_text(document: Document) -> str:
    """The normalised text the chunks re-join to."""
    units = list(spoken_units(document))
    parts: list[str] = []
    for position, unit in enumerate(units):
        following = units[position + 1] if position + 1 < len(units) else None
        parts.append(unit.text)
        if following is not None:
            parts.append(ITEM_SEPARATOR if _soft(unit, following) else PARAGRAPH_SEPARATOR)
    return "".join(parts)


def joined_text(chunks: list[TextChunk]) -> str:
    """Re-join chunks; the last separator is dropped."""
    return "".join(c.text + c.separator for c in chunks)[: -len(chunks[-1].separator) or None]


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, each stripped; joined with single spaces they give it back."""
    offsets = sentence_offsets(paragraph)
    # Only a boundary at a space can become a chunk boundary joined by " " again.
    starts = [0, *(start for start, _ in offsets[1:] if paragraph[start - 1 : start] == " ")]
    ends = [*starts[1:], len(paragraph)]
    sentences = [paragraph[a:b].strip() for a, b in zip(starts, ends, strict=True)]
    merged: list[str] = []
    for sentence in sentences:
        if merged and _ends_with_abbreviation(merged[-1]):
            merged[-1] = f"{merged[-1]} {sentence}"
        elif sentence:
            merged.append(sentence)
    return merged


def _ends_with_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(" ", 1)[-1].lower()
    return last.endswith(".") and (
        last[:-1].lstrip("(\"'“") in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last) is not None
    )


def split_long_sentence(sentence: str, limit: int = MAX_CHUNK_CHARS) -> list[tuple[str, str]]:
    """Cut a sentence longer than `limit` at clause punctuation, else at a space, else hard.

    Returns (piece, separator) pairs; the separator is "" only after a cut inside a word.
    """
    pieces: list[tuple[str, str]] = []
    rest = sentence
    while len(rest) > limit:
        cut = _best_cut(rest, limit)
        separator = " " if rest[cut - 1 : cut + 1].strip() != rest[cut - 1 : cut + 1] else ""
        pieces.append((rest[:cut].rstrip(), separator))
        rest = rest[cut:].lstrip()
    pieces.append((rest, " "))
    return pieces


def _best_cut(text: str, limit: int) -> int:
    window = text[: limit + 1]
    floor = int(limit * _MIN_CUT_FRACTION)
    for pattern in _CLAUSE_CUTS:
        ends = [m.end() for m in pattern.finditer(window) if floor <= m.end() <= limit]
        if ends:
            return ends[-1]
    space = window.rfind(" ", 1)
    while space > 0 and strands_a_mark(text, space):
        space = window.rfind(" ", 1, space)
    return space if space > 0 else limit


def chunk_document(document: Document, limit: int = MAX_CHUNK_CHARS) -> list[TextChunk]:
    """All chunks of a document, each ≤ `limit` characters, in order."""
    units = list(spoken_units(document))
    chunks: list[TextChunk] = []
    run: list[str] = []
    first = 0
    for position, unit in enumerate(units):
        following = units[position + 1] if position + 1 < len(units) else None
        run.append(unit.text)
        if _soft(unit, following):
            continue
        boundary = _hard_boundary(unit, following)
        if unit.markup is not None:
            chunks.extend(_marked_up(unit, boundary, limit))
        else:
            chunks.extend(_chunk_run(run, unit.chapter, boundary, limit))
        if unit.speaker:
            chunks[first:] = [replace(chunk, speaker=unit.speaker) for chunk in chunks[first:]]
        first = len(chunks)
        run = []
    return chunks


Piece = tuple[str, str, Boundary, bool]
"""(text, separator, what follows it, whether a chunk must end after it)."""


def _pieces(texts: list[str], limit: int) -> Iterator[Piece]:
    """The pieces of a run of softly joined texts."""
    for number, text in enumerate(texts):
        sentences = join_paired(split_sentences(text), limit)
        for index, sentence in enumerate(sentences):
            pieces = split_long_sentence(sentence, limit)
            for cut, (piece, separator) in enumerate(pieces):
                if cut < len(pieces) - 1:
                    yield piece, separator, "clause", True
                elif index < len(sentences) - 1 or number == len(texts) - 1:
                    yield piece, " ", "sentence", False
                else:
                    yield piece, ITEM_SEPARATOR, "list_item", False


def _marked_up_pieces(text: str, markup: Markup, limit: int) -> Iterator[Piece]:
    """Pieces of an SSML paragraph: a chunk ends at every break and at the edges of every
    `prosody rate` (one rate per engine call); no cut falls inside an element that fits in a
    chunk (its spaces are hidden from the cutter)."""
    cuts = {offset for offset, _ in markup.breaks}
    cuts.update(edge for first, last, _ in markup.rates for edge in (first, last))
    hidden = list(text)
    for first, last in markup.keep:
        if last - first <= limit:
            for index in range(first, last):
                if hidden[index] == " ":
                    hidden[index] = _KEPT_SPACE
    protected = "".join(hidden)
    edges = [0, *sorted(c for c in cuts if 0 < c < len(text)), len(text)]
    parts = [protected[a:b].strip(" ") for a, b in itertools.pairwise(edges)]
    parts = [part for part in parts if part]
    for number, part in enumerate(parts):
        pieces = list(_pieces([part], limit))
        for index, (piece, separator, end, forced) in enumerate(pieces):
            if index == len(pieces) - 1 and number < len(parts) - 1:
                end = "sentence" if _SENTENCE_END.search(piece) else "clause"
                forced = True
            yield piece.replace(_KEPT_SPACE, " "), separator, end, forced


def _marked_up(unit: Unit, boundary: Boundary, limit: int) -> list[TextChunk]:
    assert unit.markup is not None
    pieces = list(_marked_up_pieces(unit.text, unit.markup, limit))
    chunks = _chunks_of(pieces, unit.chapter, boundary, limit)
    placed = []
    offset = 0
    for chunk in chunks:
        start = unit.text.find(chunk.text, offset)
        offset = start + len(chunk.text)
        placed.append(replace(chunk, markup=unit.markup, start=start))
    return placed


def _chunk_run(texts: list[str], chapter: int, boundary: Boundary, limit: int) -> list[TextChunk]:
    return _chunks_of(list(_pieces(texts, limit)), chapter, boundary, limit)


def _chunks_of(
    pieces: list[Piece], chapter: int, boundary: Boundary, limit: int
) -> list[TextChunk]:
    """Pack the pieces of a run into as few chunks as greedy packing needs, evened out.

    The width is the smallest that still gives the greedy number of chunks, so a paragraph of
    320 characters becomes two chunks of about 160 rather than 300 and a 20-character tail.
    """
    count = len(_pack(pieces, limit))
    low, high = max(len(piece) for piece, _, _, _ in pieces), limit
    while low < high:
        middle = (low + high) // 2
        if len(_pack(pieces, middle)) == count:
            high = middle
        else:
            low = middle + 1
    chunks = []
    for text, end, separator in _pack(pieces, high):
        chunks.append(TextChunk(text, end, chapter, separator))
    last = chunks[-1]
    chunks[-1] = TextChunk(last.text, boundary, chapter, PARAGRAPH_SEPARATOR)
    return chunks


def _pack(pieces: list[Piece], width: int) -> list[tuple[str, Boundary, str]]:
    """Greedy packing at `width`: (text, what follows it, separator) per chunk."""
    out: list[tuple[str, Boundary, str]] = []
    current = ""
    current_end: Boundary = "sentence"
    for piece, separator, end, forced in pieces:
        if current and len(current) + 1 + len(piece) <= width:
            current = f"{current} {piece}"
        else:
            if current:
                out.append((current, current_end, " "))
            current = piece
        current_end = end
        if forced:
            out.append((current, end, separator))
            current = ""
    if current:
        out.append((current, current_end, " "))
    return out
