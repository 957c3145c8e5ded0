"""Documents for the CLI: read and parse one, describe its plan, check titles, upload a cover."""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Final

from narration.adapters.sources import read_source
from narration.errors import InputError
from narration.pipeline.chunker import TextChunk, chunk_document
from narration.pipeline.document import Document
from narration.pipeline.ingest import ReadingOptions, load_document
from narration.pipeline.plan import JobOptions
from narration.services import Services, resolve
from narration.settings import Settings

CHARS_PER_SECOND: Final = 18.4
"""Measured speaking rate of en_US-joe-medium (34,404 characters → 1,871 s)."""
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
MAX_TITLE_CHARS: Final = 300


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
    """One stderr line per thing not read aloud, so nothing goes missing unseen at submit."""
    return [
        f'skipped: {item.source} "{item.title}" ({item.reason}, {item.chars} chars)'
        for item in document.skipped
    ] + [f"warning: {warning}" for warning in document.warnings]


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


def check_title(value: str) -> str:
    """Titles and authors end up in tags and object metadata: no control characters."""
    if _CONTROL.search(value):
        raise InputError("--title/--author must not contain control characters")
    if len(value) > MAX_TITLE_CHARS:
        raise InputError(f"--title/--author is longer than {MAX_TITLE_CHARS} characters")
    return value.strip()


def upload_cover(options: JobOptions, cover: Path, services: Any) -> JobOptions:
    if not cover.is_file():
        raise InputError(f"cover image not found: {cover}")
    head = cover.read_bytes()[:8]
    if not (head.startswith(b"\xff\xd8") or head.startswith(b"\x89PNG")):
        raise InputError(f"cover image must be JPEG or PNG: {cover}")
    import secrets

    key = f"{services.prefix}/covers/{secrets.token_hex(8)}{cover.suffix.lower()}"
    services.store().upload_file(
        key, cover, "image/png" if head.startswith(b"\x89") else "image/jpeg"
    )
    return replace(options, cover_key=key)
