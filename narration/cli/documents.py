"""Reading documents for the CLI: from a file, standard input or s3://, within the size limit."""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Final

from narration.errors import InputError
from narration.pipeline.chunker import TextChunk, chunk_document
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
        store = services.store(location.bucket)
        try:
            if store.size(location.key) > limit:
                raise InputError(f"{path} is over {limit:,} bytes (setting max_input_bytes)")
            data = store.get_bytes(location.key)
        except ObjectNotFound:
            raise InputError(f"{path} does not exist") from None
    else:
        data = _read_file(path, limit)
    if len(data) > limit:
        raise InputError(f"input is over {limit:,} bytes (setting max_input_bytes)")
    return data


def _read_file(path: str, limit: int) -> bytes:
    """At most `limit + 1` bytes of a local file, with one clear line for whatever goes wrong.

    Non-regular files are allowed (`<(cmd)`, a named pipe being written) but read bounded, and
    opened non-blocking so that a FIFO nobody writes to reads as empty instead of hanging.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path} is a directory, not a document")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise InputError(
                f"{path} is {info.st_size:,} bytes; the limit is {limit:,} "
                "(setting max_input_bytes)"
            )
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            os.set_blocking(fd, True)
            data = file.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    if not data and not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path} is not a regular file and nothing was written to it")
    return data


def read_document(
    path: str, settings: Settings, services: Any | None, *, keep_front_matter: bool = False
) -> Document:
    data = read_bytes(path, settings, services)
    return load_document(data, path, skip_front_matter=not keep_front_matter)


def skipped_lines(document: Document) -> list[str]:
    """One stderr line per thing not read aloud, so nothing goes missing unseen at submit."""
    return [
        f'skipped: {item.source} "{item.title}" ({item.reason}, {item.chars} chars)'
        for item in document.skipped
    ]


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
