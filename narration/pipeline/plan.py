"""A job's plan: its options, and its chapters and chunks grouped into segments.

Segments are the unit of parallelism: each runs as one Celery chain on one worker at a time,
carrying the session state from chunk to chunk; different segments run on different workers.
A segment is a chapter, cut further at paragraph breaks the text chooses, about every
`segment_max_chunks` chunks (`group_segments`). A segment's chunks are encoded as one part of
the output, or a long segment's as two (`Plan.parts`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from narration.errors import InputError
from narration.pipeline.cast import cast_chunks
from narration.pipeline.chunker import TextChunk, chunk_document
from narration.pipeline.defaults import DEFAULT_FORMAT, DEFAULT_TARGET_LUFS
from narration.pipeline.document import Document
from narration.pipeline.formats import get_format
from narration.pipeline.lexicon import Lexicon
from narration.pipeline.markup import chunk_speech
from narration.pipeline.presets import get_preset

if TYPE_CHECKING:
    from narration.pipeline.timeline import Bookends

PLAN_VERSION: Final = 1
MIN_SPEED: Final = 0.25
MAX_SPEED: Final = 4.0
PARAGRAPH_ENDS: Final = ("paragraph", "turn", "section")
"""Boundaries where a segment may end inside a chapter: the end of a paragraph or a script's
turn, before a section title."""
TAIL_PART_CHUNKS: Final = 3
"""How many chunks the last part of a long segment holds (`tail_cut`)."""


@dataclass(frozen=True)
class JobOptions:
    """What the user chose for one job."""

    voice: str
    format: str = DEFAULT_FORMAT
    title: str = ""
    author: str = ""
    output_uri: str = ""
    loudness_lufs: float = DEFAULT_TARGET_LUFS
    bitrate: str = ""
    seed: int = 0
    chapters: str = ""
    split_chapters: bool = False
    cover_key: str = ""
    lexicons: tuple[str, ...] = ()
    """Names of the stored lexicons applied, in order (`narrate submit --lexicon`)."""
    speed: float = 1.0
    """Speaking rate: 2.0 speaks twice as fast (the engine's length scale is its inverse)."""
    hls: bool = False
    """Grow an HLS playlist in the job's prefix as chunks complete (listen while it renders)."""
    engine: str = "piper"
    """The engine kind that renders every chunk (`engines.registry`)."""
    master: str = "podcast"
    """The mastering preset (`pipeline.presets`); `loudness_lufs` holds its target in the
    preset's own measure (LUFS, or dBFS RMS for acx)."""
    strict: bool = False
    """A failing compliance check fails the job."""
    opening_credits: bool = False
    """The first chapter is the opening credits (`--opening-credits`)."""
    closing_credits: bool = False
    """The last chapter is the closing credits (`--closing-credits`)."""
    retail_sample: bool = False
    """Also deliver a 1-5 minute excerpt of the first narrated chapter (`--retail-sample`)."""
    intro_key: str = ""
    """The stored intro (`--intro`, `adapters.bookends`); empty: none."""
    intro_samples: int = 0
    outro_key: str = ""
    """The stored outro (`--outro`); empty: none."""
    outro_samples: int = 0
    proof: bool = False
    """Proof every chunk by ear and render a misheard one again (`--proof`)."""
    cast: tuple[tuple[str, str], ...] = ()
    """A script's speakers and their voices, in order (`--cast`, `--narrator` as `NARRATOR`);
    empty when the document is not a script."""

    def bookends(self, rate: int) -> Bookends:
        """Where the intro and outro go on the timeline (`timeline.Bookends`; imported here,
        as the timeline's maths needs numpy and planning does not)."""
        from narration.pipeline.timeline import Bookends

        return Bookends.designed(self.intro_samples, self.outro_samples, rate)

    def __post_init__(self) -> None:
        get_format(self.format)
        get_preset(self.master)
        if not MIN_SPEED <= self.speed <= MAX_SPEED:
            raise InputError(f"speed {self.speed} is outside {MIN_SPEED}..{MAX_SPEED}")
        if not -40.0 <= self.loudness_lufs <= -5.0:
            raise InputError(f"loudness target {self.loudness_lufs} LUFS is outside -40..-5")


BREAK_RENDER_VERSION: Final = 2
"""Part of an SSML break chunk's cache key: 2, the break is placed as exact silence with the
speech edges on top (chunks made before are rendered again)."""


@dataclass(frozen=True)
class PlannedChunk:
    seq: int
    segment: int
    index: int
    chapter: int
    text: str
    boundary_after: str
    spoken: str = ""
    """What the engine is given instead of `text` when a lexicon changed it ("" when none did);
    `text` stays what captions and marks show."""
    lexicon: str = ""
    """The content hash of the job's lexicons, for a chunk they changed (its cache key)."""
    pause_s: float | None = None
    """An SSML break's silence after the chunk, in place of the pause its boundary gives."""
    rate: float = 1.0
    """An SSML `prosody rate` (2.0: twice as fast)."""
    marks: tuple[tuple[int, str], ...] = ()
    """SSML marks: (offset in `text`, name)."""
    speaker: str = ""
    """The script speaker who reads it (`JobOptions.cast`); "" when the job has no cast."""

    @property
    def variant(self) -> dict[str, object]:
        """What a lexicon or SSML changed about the chunk's sound (part of its cache key)."""
        variant: dict[str, object] = {}
        if self.spoken:
            variant.update(spoken=self.spoken, lexicon=self.lexicon)
        if self.pause_s is not None:
            variant["pause_s"] = self.pause_s
            variant["break_render"] = BREAK_RENDER_VERSION
        if self.rate != 1.0:
            variant["rate"] = self.rate
        return variant


@dataclass(frozen=True)
class Plan:
    job_id: str
    title: str
    author: str
    language: str
    options: JobOptions
    chapters: tuple[str, ...]
    segments: tuple[tuple[PlannedChunk, ...], ...]
    version: int = PLAN_VERSION
    voice_info: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[dict[str, Any], ...] = ()
    """What the document held but is not read (`Document.skipped`), for the manifest."""
    coverage: float = 1.0
    lexicon: dict[str, Any] = field(default_factory=dict)
    """The job's lexicons merged and mapped onto the voice (`Lexicon.to_dict`), with `hash`."""

    @property
    def chunks(self) -> list[PlannedChunk]:
        return [chunk for segment in self.segments for chunk in segment]

    @property
    def parts(self) -> list[tuple[PlannedChunk, ...]]:
        """The runs of chunks encoded as one part of the output each (`production.parts`), in
        order: a segment, or a long segment's chunks before its `tail_cut` and after it."""
        runs = []
        for segment in self.segments:
            cut = tail_cut(segment)
            runs += [segment[:cut], segment[cut:]] if cut else [segment]
        return runs

    @property
    def cuts(self) -> frozenset[int]:
        """The seqs of the chunks that start a part inside their segment
        (`timeline.place_chunks`)."""
        return frozenset(run[0].seq for run in self.parts if run[0].index > 0)

    def to_json(self) -> bytes:
        raw = asdict(self)
        # chunks leave out fields at their defaults: a book has 100,000s of chunks
        raw["segments"] = [
            [
                {
                    k: v
                    for k, v in chunk.items()
                    if k not in _CHUNK_DEFAULTS or v != _CHUNK_DEFAULTS[k]
                }
                for chunk in segment
            ]
            for segment in raw["segments"]
        ]
        return json.dumps(raw, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Plan:
        raw = json.loads(data)
        return cls(
            job_id=raw["job_id"],
            title=raw["title"],
            author=raw["author"],
            language=raw["language"],
            options=JobOptions(
                **{
                    **raw["options"],
                    "lexicons": tuple(raw["options"].get("lexicons", ())),
                    "cast": tuple(tuple(pair) for pair in raw["options"].get("cast", ())),
                }
            ),
            chapters=tuple(raw["chapters"]),
            segments=tuple(
                tuple(_planned(chunk) for chunk in segment) for segment in raw["segments"]
            ),
            version=raw["version"],
            voice_info=raw.get("voice_info", {}),
            skipped=tuple(raw.get("skipped", ())),
            coverage=raw.get("coverage", 1.0),
            lexicon=raw.get("lexicon", {}),
        )


_CHUNK_DEFAULTS: Final[dict[str, Any]] = {
    "spoken": "",
    "lexicon": "",
    "pause_s": None,
    "rate": 1.0,
    "marks": (),
    "speaker": "",
}


def _planned(raw: dict[str, Any]) -> PlannedChunk:
    marks = tuple((int(offset), str(name)) for offset, name in raw.pop("marks", ()))
    return PlannedChunk(**raw, marks=marks)


def group_segments(chunks: list[TextChunk], average_chunks: int) -> list[list[TextChunk]]:
    """Chapters, cut further at paragraph breaks that the text around them chooses.

    A paragraph break ends a segment when the hash of the paragraph's last chunk falls below
    the paragraph's length in chunks, out of `average_chunks` (so about one chunk in
    `average_chunks` ends a segment, whatever the paragraphs' lengths), once the segment holds
    half that many chunks; a segment that reaches twice that many ends at its next
    paragraph or sentence end. The choice depends on the text, not on counting from the start
    of the book, so an edit moves at most the cuts next to it and the segments elsewhere keep
    their chunks, their states and their cache keys.
    """
    segments: list[list[TextChunk]] = []
    current: list[TextChunk] = []
    average = max(1, average_chunks)
    minimum, maximum = max(1, average // 2), 2 * average
    paragraph_chunks = 0
    for chunk in chunks:
        current.append(chunk)
        paragraph_chunks += 1
        chosen = (
            chunk.boundary_after in PARAGRAPH_ENDS
            and len(current) >= minimum
            and _text_hash(chunk.text) % average < paragraph_chunks
        )
        forced = len(current) >= maximum and chunk.boundary_after in (*PARAGRAPH_ENDS, "sentence")
        if chunk.boundary_after == "chapter" or chosen or forced:
            segments.append(current)
            current = []
        if chunk.boundary_after in (*PARAGRAPH_ENDS, "chapter"):
            paragraph_chunks = 0
    if current:
        segments.append(current)
    return segments


def tail_cut(segment: Sequence[PlannedChunk]) -> int:
    """The index in `segment` where its last part starts, 0 when the segment is one part.

    The part made after a segment's final chunk is all that a job whose chain ends last has
    left to encode after that chunk, bar the stitch. A segment longer than twice
    `TAIL_PART_CHUNKS` ends in a part of its own of that many chunks, and the part before it
    is made while they are synthesised. The cut is never right after an SSML break: the
    pause that ends a part may grow by up to a codec frame (`timeline.Framing`), and a
    break's silence is exact.
    """
    cut = len(segment) - TAIL_PART_CHUNKS
    while cut > TAIL_PART_CHUNKS and segment[cut - 1].pause_s is not None:
        cut -= 1
    return cut if cut > TAIL_PART_CHUNKS else 0


def long_way_to_go(plan: Plan) -> frozenset[int]:
    """The chunks from which their segment still has more text to speak than this job's
    segments have on average: they are sent ahead of the rest.

    A segment is a chain, one chunk after another. Taken in arrival order, every chain moves
    at the same pace, so the longest one ends last and alone while the other workers idle;
    letting the chains with the most work left go first ends them together. Counted in
    characters, which synthesis time follows.
    """
    sizes = [sum(len(chunk.text) for chunk in segment) for segment in plan.segments]
    if not sizes:
        return frozenset()
    average = sum(sizes) / len(sizes)
    ahead: set[int] = set()
    for segment, size in zip(plan.segments, sizes, strict=True):
        left = size
        for chunk in segment:
            if left > average:
                ahead.add(chunk.seq)
            left -= len(chunk.text)
    return frozenset(ahead)


def heard_first(plan: Plan) -> frozenset[int]:
    """The chunks a listener waits for before any other: the job's first (its first audio),
    and with HLS the whole first segment, which plays while the rest is made. They are sent
    ahead too, so sending the longest chains first does not hold back the start."""
    if not plan.segments:
        return frozenset()
    first = plan.segments[0] if plan.options.hls else plan.segments[0][:1]
    return frozenset(chunk.seq for chunk in first)


def _text_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def make_plan(
    job_id: str,
    document: Document,
    options: JobOptions,
    segment_max_chunks: int,
    lexicon: Lexicon | None = None,
) -> Plan:
    chunks = cast_chunks(chunk_document(document), options.cast)
    if not chunks:
        raise InputError("the document has no text to narrate")
    segments = group_segments(chunks, segment_max_chunks)
    planned: list[tuple[PlannedChunk, ...]] = []
    lexicon_hash = lexicon.content_hash if lexicon else ""
    seq = 0
    for number, segment in enumerate(segments):
        row = []
        for index, chunk in enumerate(segment):
            speech = chunk_speech(chunk)
            spoken = lexicon.apply(speech.spoken) if lexicon else speech.spoken
            changed = spoken != chunk.text
            row.append(
                PlannedChunk(
                    seq,
                    number,
                    index,
                    chunk.chapter,
                    chunk.text,
                    chunk.boundary_after,
                    spoken=spoken if changed else "",
                    lexicon=lexicon_hash if changed else "",
                    pause_s=speech.pause_s,
                    rate=speech.rate,
                    marks=speech.marks,
                    speaker=chunk.speaker,
                )
            )
            seq += 1
        planned.append(tuple(row))
    return Plan(
        job_id=job_id,
        title=options.title or document.title,
        author=options.author or document.author,
        language=document.language,
        options=options,
        chapters=tuple(chapter.title for chapter in document.chapters),
        segments=tuple(planned),
        skipped=tuple(asdict(item) for item in document.skipped),
        coverage=document.coverage,
        lexicon={**lexicon.to_dict(), "hash": lexicon_hash} if lexicon else {},
    )


def select_chapters(document: Document, spec: str) -> Document:
    """Keep chapters named by a 1-based spec like "3-7" or "1,4,6-8"."""
    if not spec:
        return document
    wanted: set[int] = set()
    total = len(document.chapters)
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise InputError(f"--chapters: {part!r} is not a number or range like 3-7") from None
        if not 1 <= low <= high <= total:
            raise InputError(f"--chapters: {part!r} is outside 1-{total}")
        wanted.update(range(low, high + 1))
    chapters = tuple(c for n, c in enumerate(document.chapters, 1) if n in wanted)
    return replace(document, chapters=chapters)
