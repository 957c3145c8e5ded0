"""Documents in: .txt .md .html/.htm .epub .pdf .docx bytes to a `Document` of paragraphs.

    load_document(data, name) ─ sniff.detect   (extension, checked against the content)
                              ├ sniff.decode   (UTF-8 ± BOM, UTF-16/32 with BOM; refuse binary)
                              ├ text | markdown | html → blocks → text.assemble → chapters
                              │   (html, markdown: + a skip log → Document.skipped)
                              ├ epub → chapters (one per spine item, or by headings when the
                              │   book is one file)
                              └ pdf | docx → blocks (+ what was not read) → text.assemble

See docs/INPUTS.md for what each format reads and skips.
"""

from __future__ import annotations

from typing import Final

from narration.errors import InputError
from narration.pipeline.document import Chapter, Document, Skipped
from narration.pipeline.ingest import sniff
from narration.pipeline.ingest.policy import ReadingOptions, SkipLog
from narration.pipeline.ingest.script import is_script_name, separate_turns, with_speakers
from narration.pipeline.ingest.text import (
    Block,
    assemble,
    clean,
    drop_title_heading,
    parse_text,
    speakable_chars,
)

__all__ = ["SUPPORTED_EXTENSIONS", "ReadingOptions", "load_document"]

SUPPORTED_EXTENSIONS: Final[tuple[str, ...]] = tuple(sniff.EXTENSIONS)


def _from_blocks(
    meta: dict[str, str], blocks: list[Block], title: str | None, name: str, *, top_title: bool
) -> tuple[str, tuple[Chapter, ...]]:
    heading_title = None
    if top_title:
        heading_title, blocks = drop_title_heading(blocks)
    first_heading = next((t for k, t in blocks if k > 0 and t), None) if top_title else None
    found = meta.get("title") or heading_title
    doc_title = title or found or first_heading or sniff.stem(name)
    # the opening chapter speaks the document's own title (metadata or its top heading), not a
    # file name, a --title option or a later heading (that one is spoken where it stands)
    return doc_title, assemble(blocks, doc_title, doc_title_spoken=bool(found) and not title)


def _parse_binary(
    kind: str, data: bytes, options: ReadingOptions | None
) -> tuple[dict[str, str], list[Block], SkipLog]:
    if kind == "pdf":
        from narration.pipeline.ingest.pdf import parse_pdf

        return parse_pdf(data, options)
    from narration.pipeline.ingest.word import parse_docx

    return parse_docx(data, options or ReadingOptions())


def _ssml_document(data: bytes, name: str, label: str, title: str | None) -> Document:
    from narration.pipeline.ingest.ssml import parse_ssml, ssml_chapter

    ssml = parse_ssml(sniff.decode(data))
    if not ssml.paragraphs:
        raise InputError(f"{label} has no speakable text")
    doc_title = title or sniff.stem(name)
    return Document(
        title=doc_title,
        chapters=(ssml_chapter(doc_title, ssml),),
        extra={"format": "ssml", "source": name},
        warnings=tuple(ssml.warnings),
    )


def load_document(
    data: bytes,
    name: str,
    *,
    title: str | None = None,
    skip_front_matter: bool = True,
    options: ReadingOptions | None = None,
    text_type: str = "",
) -> Document:
    """Parse a document's bytes; `name` (file name or URI, "-" for stdin) gives its type.

    `options` says what to do with code blocks, tables and footnotes (docs/INPUTS.md).
    `text_type="ssml"` reads the input as SSML whatever its name (a `.ssml` name does too).
    `skip_front_matter` leaves out what the document's structure marks as furniture (see
    docs/INPUTS.md); whatever is found but not read is listed in `Document.skipped`.

    Raises InputError, with one line saying why, for anything that is not clearly a readable
    document: unsupported type, binary, invalid UTF-8 without a BOM, nothing speakable.
    """
    label = name if name not in ("", "-") else "the input"
    script = options.script if options and options.script is not None else is_script_name(name)
    if not data:
        raise InputError(f"{label} is empty")
    title = clean(title) if title else None
    if text_type not in ("", "text", "ssml"):
        raise InputError(f"--text-type must be text or ssml, not {text_type!r}")
    kind = "ssml" if text_type == "ssml" else sniff.detect(data, name)
    declared = sniff.EXTENSIONS.get(sniff.extension(name))
    skipped: tuple[Skipped, ...] = ()
    if kind == "ssml":
        return _ssml_document(data, name, label, title)
    if kind == "epub":
        from narration.pipeline.ingest.epub import parse_epub

        meta, chapters, skipped = parse_epub(
            data, skip_front_matter=skip_front_matter, options=options
        )
        doc_title = title or meta.get("title") or sniff.stem(name)
    elif kind in ("pdf", "docx"):
        meta, blocks, log = _parse_binary(kind, data, options)
        doc_title, chapters = _from_blocks(meta, blocks, title, name, top_title=True)
        skipped = log.records(chapters)
    else:
        text = sniff.decode(data)
        if script:
            text = separate_turns(text)
        if not speakable_chars(text):
            what = "is empty" if not text.strip() else "has no speakable text"
            raise InputError(f"{label} {what}")
        if declared is None or (declared == "html" and sniff.sniff_text(text) != "html"):
            kind = sniff.sniff_text(text)
        if kind == "html":
            from narration.pipeline.ingest.html import parse_html

            meta, blocks, log = parse_html(text, options)
            doc_title, chapters = _from_blocks(meta, blocks, title, name, top_title=True)
            skipped = log.records(chapters)
        elif kind == "markdown":
            from narration.pipeline.ingest.markdown import parse_markdown

            meta, blocks, log = parse_markdown(text, options)
            doc_title, chapters = _from_blocks(meta, blocks, title, name, top_title=True)
            skipped = log.records(chapters)
        else:
            meta, blocks, skipped = parse_text(text, skip_front_matter=skip_front_matter)
            doc_title, chapters = _from_blocks(meta, blocks, title, name, top_title=False)
    chapters = tuple(c for c in chapters if c.paragraphs)
    if not chapters:
        raise InputError(f"{label} has no speakable text")
    extra = {"format": kind, "source": name}
    document = Document(
        title=doc_title,
        chapters=chapters,
        author=meta.get("author", ""),
        language=meta.get("language") or "en",
        extra=extra,
        skipped=skipped,
    )
    return with_speakers(document) if script else document
