"""The output timeline, in whole samples, from the chunks' metadata alone.

Everything placed in time (the audio, chapters, captions, speech marks, the manifest) is
computed here from the same positions, so they agree with the audio to the sample.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from narration.pipeline import captions
from narration.pipeline.chunk_meta import ChunkMeta
from narration.pipeline.chunker import split_sentences
from narration.pipeline.formats import ChapterMark
from narration.pipeline.prosody import PAUSES_S
from narration.pipeline.stitch_meta import word_timing

LEAD_IN_S: Final = 0.25
TAIL_S: Final = 0.75


@dataclass(frozen=True)
class Placed:
    """A chunk placed on the output timeline (sample positions)."""

    meta: ChunkMeta
    start: int
    end: int
    pause_after: int


@dataclass(frozen=True)
class Framing:
    """How the timeline is cut into parts (`Plan.parts`) that are encoded apart and joined.

    Each part is a whole number of the codec's `frame` samples, starts with `guard` samples of
    silence, into which the part's encoder delay falls, and ends with at least `tail` samples
    of silence, which the encoder's padding replaces (docs/OUTPUT.md, "Parts"). The guard, the
    tail and the rounding come out of the pause after each part's last chunk, so a pause
    there is at least `guard + tail` and at most one frame longer than designed. `Framing()`
    places the chunks with exactly their designed pauses.
    """

    frame: int = 1
    guard: int = 0
    tail: int = 0


@dataclass(frozen=True)
class Bookends:
    """The intro and outro (`--intro`, `--outro`), in samples, and the designed chapter pause
    that separates each from the words. The intro lies after the lead-in, before the first
    chunk; the outro after the last chunk, before the tail; both inside the first and last
    chapter's span and the first and last part."""

    intro: int = 0
    outro: int = 0
    pause: int = 0

    @classmethod
    def designed(cls, intro: int, outro: int, rate: int) -> Bookends:
        return cls(intro, outro, round(PAUSES_S["chapter"] * rate))

    @property
    def lead(self) -> int:
        """What the intro adds before the first chunk."""
        return self.intro + self.pause if self.intro else 0

    @property
    def trail(self) -> int:
        """What the outro adds after the last chunk."""
        return self.pause + self.outro if self.outro else 0

    def positions(self, placed: Sequence[Placed], first: bool, last: bool) -> tuple[int, int]:
        """Where the intro and the outro start among `placed` (a part's or the book's
        chunks), -1 for one that is not there."""
        intro = placed[0].start - self.lead if first and self.intro else -1
        outro = placed[-1].end + self.pause if last and self.outro else -1
        return intro, outro


@dataclass(frozen=True)
class Part:
    """A part's span of the timeline: its segment, where it starts and how many samples it
    holds."""

    segment: int
    start: int
    samples: int


@dataclass(frozen=True)
class Timeline:
    placed: list[Placed]
    parts: list[Part]
    total: int


def place_part(
    metas: Sequence[ChunkMeta],
    sample_rate: int,
    framing: Framing,
    first: bool,
    last: bool,
    edges: tuple[float, float] = (LEAD_IN_S, TAIL_S),
    bookends: Bookends = Bookends(),
) -> tuple[list[Placed], int]:
    """A part's chunks placed from its first sample; and the part's length.

    Depends on the part's chunks alone (and whether it opens or closes the book), so a worker
    can make a part before the parts around it exist. `edges` are the silences (s) before the
    book's first words and after its last (a mastering preset's room tone); the `bookends` lie
    inside them, next to the words.
    """
    lead_in_s, tail_s = edges
    position = framing.guard
    if first:
        position = max(round(lead_in_s * sample_rate), framing.guard) + bookends.lead
    placed = []
    for number, meta in enumerate(metas):
        end = position + meta["samples"]
        if number < len(metas) - 1:
            pause = _pause_between(meta, metas[number + 1], sample_rate)
        else:
            pause = round((tail_s if last else meta["pause_after_s"]) * sample_rate)
            pause += bookends.trail if last else 0
            if not last:
                pause = max(pause, framing.guard + framing.tail) - framing.guard
            pause += -(end + pause) % framing.frame
        placed.append(Placed(meta, position, end, pause))
        position = end + pause
    return placed, position


def _pause_between(meta: ChunkMeta, following: ChunkMeta, sample_rate: int) -> int:
    """The silence placed between two chunks of a part. After an SSML break it is the
    break's length less the zeros the next chunk starts with, so that the break is exact
    digital silence (`pipeline.render`); a break that ends a segment is placed in full, and
    the part's framing may add up to a frame to it (a part ends inside a segment only where
    no break is, `plan.tail_cut`)."""
    if "break_s" in meta:
        pad = round(float(following.get("lead_pad_s", 0.0)) * sample_rate)
        return max(0, round(meta["break_s"] * sample_rate) - pad)
    return round(meta["pause_after_s"] * sample_rate)


def place_chunks(
    metas: Sequence[ChunkMeta],
    sample_rate: int,
    framing: Framing = Framing(),
    edges: tuple[float, float] = (LEAD_IN_S, TAIL_S),
    bookends: Bookends = Bookends(),
    cuts: Collection[int] = (),
) -> Timeline:
    """Where each chunk's speech starts and ends, each part, and the total length. A part is
    a segment, or the part of one that starts at a chunk whose seq is in `cuts`
    (`Plan.cuts`)."""
    groups: list[list[ChunkMeta]] = []
    for meta in metas:
        if not groups or meta["segment"] != groups[-1][0]["segment"] or meta["seq"] in cuts:
            groups.append([])
        groups[-1].append(meta)
    placed: list[Placed] = []
    parts: list[Part] = []
    offset = 0
    for number, group in enumerate(groups):
        rows, length = place_part(
            group, sample_rate, framing, number == 0, number == len(groups) - 1, edges, bookends
        )
        placed += [replace(row, start=row.start + offset, end=row.end + offset) for row in rows]
        parts.append(Part(group[0]["segment"], offset, length))
        offset += length
    return Timeline(placed, parts, offset)


def timeline_blocks(
    placed: Sequence[Placed],
    chunk_pcm: Callable[[int], np.ndarray],
    numbers: Sequence[int] | None = None,
) -> Iterator[np.ndarray]:
    """The timeline as float blocks: the lead-in, then each chunk's speech (`chunk_pcm` of its
    number in `placed`) and the silence after it; all chunks, or only those `numbers`."""
    chosen = range(len(placed)) if numbers is None else numbers
    yield np.zeros(placed[0].start if placed else 0, dtype=np.float32)
    for number in chosen:
        yield chunk_pcm(number)
        yield np.zeros(placed[number].pause_after, dtype=np.float32)


def with_inserts(
    blocks: Iterable[np.ndarray], inserts: Sequence[tuple[int, np.ndarray]]
) -> Iterator[np.ndarray]:
    """The blocks with each insert's samples added from its position (counted from the first
    block's first sample): the intro and outro laid into the silence left for them."""
    inserts = [(start, audio) for start, audio in inserts if start >= 0 and len(audio)]
    position = 0
    for block in blocks:
        end = position + len(block)
        overlapping = [(s, a) for s, a in inserts if s < end and s + len(a) > position]
        if overlapping:
            block = block.astype(np.float32, copy=True)
            for start, audio in overlapping:
                lo, hi = max(start, position), min(start + len(audio), end)
                block[lo - position : hi - position] += audio[lo - start : hi - start]
        yield block
        position = end


def chapter_marks(titles: Sequence[str], laid: Timeline, rate: int) -> list[ChapterMark]:
    """Each chapter runs from the start of its first part (0 for the first) to the next one's.

    Segments never cross chapters, so a chapter is a run of whole parts: its mark falls in the
    silence before its first words, and a chapter file joined from its parts is exactly as
    long as the chapter.
    """
    first_chapter = {item.meta["segment"]: item.meta["chapter"] for item in reversed(laid.placed)}
    starts: dict[int, int] = {}
    for part in laid.parts:
        starts.setdefault(first_chapter[part.segment], part.start)
    ordered = sorted(starts.items(), key=lambda pair: pair[1])
    marks = []
    for number, (chapter, start) in enumerate(ordered):
        end = ordered[number + 1][1] if number + 1 < len(ordered) else laid.total
        marks.append(ChapterMark(titles[chapter], start / rate, end / rate))
    return marks


def ssml_marks(
    placed: Sequence[Placed], marks: Sequence[Sequence[tuple[int, str]]], rate: int
) -> list[tuple[float, int, str]]:
    """(time, offset in the spoken text, name) of each SSML mark; `marks[n]` are chunk n's,
    as (offset in its text, name). A mark is timed proportionally inside its chunk's speech,
    offsets counted as `timed_spans` counts them."""
    out = []
    base_char = 0
    for item, own in zip(placed, marks, strict=True):
        text = item.meta["text"]
        speech_s = item.meta["samples"] / rate
        for offset, name in own:
            out.append(
                (
                    item.start / rate + speech_s * offset / max(1, len(text)),
                    base_char + offset,
                    name,
                )
            )
        base_char += len(text) + len(_separator(item.meta["boundary_after"]))
    return out


def _separator(boundary: str) -> str:
    return "\n\n" if boundary in ("paragraph", "turn", "section", "chapter") else " "


def timed_spans(
    placed: list[Placed], rate: int
) -> tuple[str, list[captions.Span], list[captions.Span]]:
    """The spoken text, and its sentences and words placed in the final audio.

    Sentences are timed by the chunk's word timings where it has them, else proportionally to
    their characters. Offsets index the chunk texts joined by a space (inside a paragraph) or a
    blank line (between paragraphs).
    """
    text, sentences = timed_text(placed, rate)
    return text, sentences, list(timed_words(placed, rate))


def timed_text(placed: list[Placed], rate: int) -> tuple[str, list[captions.Span]]:
    """The spoken text and its sentences of `timed_spans`."""
    parts: list[str] = []
    sentences: list[captions.Span] = []
    for text, own_sentences, _ in _chunk_spans(placed, rate):
        parts.append(text)
        sentences += own_sentences
    return "".join(parts), sentences


def timed_words(placed: list[Placed], rate: int) -> Iterator[captions.Span]:
    """The words of `timed_spans`, a chunk at a time: a long book has over 100,000."""
    for _, _, words in _chunk_spans(placed, rate):
        yield from words


def _chunk_spans(
    placed: list[Placed], rate: int
) -> Iterator[tuple[str, list[captions.Span], list[captions.Span]]]:
    """Each chunk's text with the separator after it, and its sentences and words placed."""
    base_char = 0
    for item in placed:
        base_s = item.start / rate
        speech_s = item.meta["samples"] / rate
        text = item.meta["text"]
        stored = [] if item.meta.get("words_from_spoken_text") else item.meta["words"]
        own_words = [word_timing(word) for word in stored]
        speaker = item.meta.get("speaker", "")
        words = [
            captions.Span(
                base_s + start_s, base_s + end_s, base_char + start, base_char + end, speaker
            )
            for start, end, start_s, end_s in own_words
        ]
        sentences = []
        offset = 0
        for sentence in split_sentences(text):
            first = text.find(sentence, offset)
            last = first + len(sentence)
            offset = last
            inside = [w for w in own_words if first <= w[0] < last]
            if inside:
                begin, finish = inside[0][2], inside[-1][3]
            else:
                begin = speech_s * first / max(1, len(text))
                finish = speech_s * last / max(1, len(text))
            sentences.append(
                captions.Span(
                    base_s + begin, base_s + finish, base_char + first, base_char + last, speaker
                )
            )
        separator = _separator(item.meta["boundary_after"])
        yield text + separator, sentences, words
        base_char += len(text) + len(separator)
