"""Reading documents for the CLI: from a file, standard input or s3://, within the size limit."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from narration.errors import InputError
from narration.pipeline.chunker import chunk_document
from narration.pipeline.document import Document
from narration.pipeline.ingest import load_document
from narration.pipeline.plan import JobOptions
from narration.pipeline.storage import ObjectNotFound, parse_s3_uri
from narration.settings import Settings

CHARS_PER_SECOND: Final = 18.4
"""Measured speaking rate of en_US-joe-medium (34,404 characters → 1,871 s)."""
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
MAX_TITLE_CHARS: Final = 300


def read_bytes(path: str, settings: Settings, services: Any | None) -> bytes:
    limit = settings.max_input_bytes
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    elif path.startswith("s3://"):
        location = parse_s3_uri(path)
        if services is None:
            from narration.workers.app import configure

            services = configure(settings)
        try:
            data = services.store(location.bucket).get_bytes(location.key)
        except ObjectNotFound:
            raise InputError(f"{path} does not exist") from None
    else:
        file = Path(path)
        if not file.exists():
            raise InputError(f"{path}: no such file")
        if file.is_dir():
            raise InputError(f"{path} is a directory, not a document")
        if file.stat().st_size > limit:
            raise InputError(
                f"{path} is {file.stat().st_size:,} bytes; the limit is {limit:,} "
                "(setting max_input_bytes)"
            )
        try:
            data = file.read_bytes()
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as error:
            raise InputError(f"{path}: cannot read ({error.strerror})") from None
    if len(data) > limit:
        raise InputError(f"input is over {limit:,} bytes (setting max_input_bytes)")
    return data


def read_document(path: str, settings: Settings, services: Any | None) -> Document:
    return load_document(read_bytes(path, settings, services), path)


def describe(document: Document, with_chunks: bool) -> dict[str, Any]:
    """The `narrate inspect --json` object."""
    chunks = chunk_document(document)
    chapters = []
    for number, chapter in enumerate(document.chapters):
        own = [c for c in chunks if c.chapter == number]
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
