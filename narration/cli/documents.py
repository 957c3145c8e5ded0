"""Documents for the CLI: read and parse one, describe its plan, read a cover image."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from narration.adapters.sources import read_source
from narration.connections import Services, resolve
from narration.errors import InputError
from narration.jobs import Cover
from narration.pipeline.chunker import TextChunk, chunk_document
from narration.pipeline.document import Document, Skipped
from narration.pipeline.ingest import ReadingOptions, load_document
from narration.settings import Settings

if TYPE_CHECKING:
    from narration.adapters.bookends import AudioClip

CHARS_PER_SECOND: Final = 18.4
"""Measured speaking rate of en_US-joe-medium (34,404 characters → 1,871 s)."""


def read_document(
    path: str,
    settings: Settings,
    services: Services | None,
    *,
    keep_front_matter: bool = False,
    reading: ReadingOptions | None = None,
    text_type: str = "",
) -> Document:
    """Read a document's bytes (file, stdin or s3://) and parse them."""
    objects = None
    if path.startswith("s3://"):
        objects = (services or resolve(settings)).store()
    data = read_source(path, settings.max_input_bytes, objects)
    return load_document(
        data,
        path,
        skip_front_matter=not keep_front_matter,
        options=reading,
        text_type=text_type,
    )


def skipped_lines(document: Document) -> list[str]:
    """One stderr line per kind of thing not read aloud (one per block when it is the only one
    of its kind), so nothing goes missing unseen at submit."""
    groups: dict[tuple[str, str], list[Skipped]] = {}
    for item in document.skipped:
        groups.setdefault((item.title, item.reason), []).append(item)
    lines = []
    for (title, reason), items in groups.items():
        chars = sum(item.chars for item in items)
        if len(items) == 1:
            lines.append(f'skipped: {items[0].source} "{title}" ({reason}, {chars} chars)')
        else:
            lines.append(f'skipped: {len(items)} × "{title}" ({reason}, {chars} chars)')
    return lines + [f"warning: {warning}" for warning in document.warnings]


def describe(document: Document, with_chunks: bool) -> dict[str, Any]:
    """The `narrate inspect --json` object."""
    chunks = chunk_document(document)
    by_chapter: list[list[TextChunk]] = [[] for _ in document.chapters]
    for chunk in chunks:  # one pass: a long book has thousands of chapters and 100,000s of chunks
        by_chapter[chunk.chapter].append(chunk)
    chapters = []
    for chapter, own in zip(document.chapters, by_chapter, strict=True):
        entry: dict[str, Any] = {
            "title": chapter.title,
            "chars": sum(len(c.text) for c in own),
            "chunk_count": len(own),
        }
        if with_chunks:
            entry["chunks"] = [{"text": c.text, "boundary_after": c.boundary_after} for c in own]
        chapters.append(entry)
    chars = sum(len(c.text) for c in chunks)
    return {
        "title": document.title,
        "author": document.author,
        "language": document.language,
        "chars": chars,
        "chunks_total": len(chunks),
        "est_duration_s": round(chars / CHARS_PER_SECOND, 1),
        "chapters": chapters,
        "skipped": [asdict(item) for item in document.skipped],
        "warnings": list(document.warnings),
    }


def read_cover(cover: Path | None) -> Cover | None:
    """The `--cover` image, checked to be a JPEG or PNG file."""
    if cover is None:
        return None
    if not cover.is_file():
        raise InputError(f"cover image not found: {cover}")
    try:
        return Cover.from_bytes(cover.read_bytes(), str(cover))
    except OSError as error:
        raise InputError(f"cannot read {cover}: {error.strerror or error}") from None


def read_clip(path: Path | None, what: str) -> AudioClip | None:
    """The `--intro`/`--outro` file's bytes (decoded and checked at submit)."""
    if path is None:
        return None
    if not path.is_file():
        raise InputError(f"--{what} file not found: {path}")
    from narration.adapters.bookends import AudioClip  # numpy: only for a job with a clip

    try:
        return AudioClip(path.read_bytes(), str(path))
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
