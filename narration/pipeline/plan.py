"""A job's plan: its options, and its chapters and chunks grouped into segments.

Segments are the unit of parallelism: each runs as one Celery chain on one worker at a time,
carrying the session state from chunk to chunk; different segments run on different workers.
A segment is a chapter, cut further at paragraph breaks the text chooses, about every
`segment_max_chunks` chunks (`group_segments`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

from narration.errors import InputError
from narration.pipeline.chunker import TextChunk, chunk_document
from narration.pipeline.document import Document
from narration.pipeline.formats import DEFAULT_FORMAT, get_format
from narration.pipeline.loudness import DEFAULT_TARGET_LUFS

PLAN_VERSION: Final = 1
PARAGRAPH_ENDS: Final = ("paragraph", "section")
"""Boundaries where a segment may end inside a chapter: the end of a paragraph, before a
section title."""


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
    engine: str = "piper"
    """The engine kind that renders every chunk (`engines.registry`)."""

    def __post_init__(self) -> None:
        get_format(self.format)
        if not -40.0 <= self.loudness_lufs <= -5.0:
            raise InputError(f"loudness target {self.loudness_lufs} LUFS is outside -40..-5")


@dataclass(frozen=True)
class PlannedChunk:
    seq: int
    segment: int
    index: int
    chapter: int
    text: str
    boundary_after: str


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

    @property
    def chunks(self) -> list[PlannedChunk]:
        return [chunk for segment in self.segments for chunk in segment]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Plan:
        raw = json.loads(data)
        return cls(
            job_id=raw["job_id"],
            title=raw["title"],
            author=raw["author"],
            language=raw["language"],
            options=JobOptions(**raw["options"]),
            chapters=tuple(raw["chapters"]),
            segments=tuple(
                tuple(PlannedChunk(**chunk) for chunk in segment) for segment in raw["segments"]
            ),
            version=raw["version"],
            voice_info=raw.get("voice_info", {}),
            skipped=tuple(raw.get("skipped", ())),
            coverage=raw.get("coverage", 1.0),
        )


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


def _text_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def make_plan(
    job_id: str, document: Document, options: JobOptions, segment_max_chunks: int
) -> Plan:
    chunks = chunk_document(document)
    if not chunks:
        raise InputError("the document has no text to narrate")
    segments = group_segments(chunks, segment_max_chunks)
    planned: list[tuple[PlannedChunk, ...]] = []
    seq = 0
    for number, segment in enumerate(segments):
        row = []
        for index, chunk in enumerate(segment):
            row.append(
                PlannedChunk(seq, number, index, chunk.chapter, chunk.text, chunk.boundary_after)
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
