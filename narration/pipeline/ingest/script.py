"""Scripts: documents whose lines start with a speaker label (`HOST: Welcome back.`).

Every line that starts `LABEL:` starts a turn, a blank line before it or not (Markdown would
otherwise join consecutive turns into one paragraph); the label is taken off the text and kept
as the paragraph's speaker (`Chapter.speakers`). A paragraph without a label continues the turn
before it; titles and headings are outside any turn (speaker ""). See docs/SCRIPTS.md.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from narration.pipeline.document import SECTION, Document

SCRIPT_SUFFIXES: Final = (".script.md", ".script.txt")
"""File names read as scripts without `--script` or `--cast`."""
LABEL: Final = re.compile(r"^[ \t]*([A-Z][A-Z0-9_-]{0,31}(?: [A-Z0-9_-]{1,31}){0,2}):[ \t]+(?=\S)")
"""A speaker label: capitals (up to three words), a colon, then the turn's text."""
_LINE_LABEL: Final = re.compile(LABEL.pattern, re.MULTILINE)


def is_script_name(name: str) -> bool:
    return name.lower().endswith(SCRIPT_SUFFIXES)


def separate_turns(text: str) -> str:
    """The text with a blank line before every labelled line, so each turn is a paragraph."""
    return _LINE_LABEL.sub(lambda match: "\n" + match.group(0), text)


def with_speakers(document: Document) -> Document:
    """The document with labels taken off its paragraphs and kept as their speakers."""
    chapters = []
    current = ""
    for chapter in document.chapters:
        paragraphs: list[str] = []
        speakers: list[str] = []
        for index, paragraph in enumerate(chapter.paragraphs):
            match = LABEL.match(paragraph)
            if chapter.role(index) == SECTION:
                speakers.append("")
                paragraphs.append(paragraph)
                continue
            if match:
                current = match.group(1)
                paragraph = paragraph[match.end() :]
            speakers.append(current)
            paragraphs.append(paragraph)
        chapters.append(replace(chapter, paragraphs=tuple(paragraphs), speakers=tuple(speakers)))
    return replace(document, chapters=tuple(chapters), extra={**document.extra, "script": "yes"})


def is_script(document: Document) -> bool:
    return document.extra.get("script") == "yes"


def speakers_of(document: Document) -> list[str]:
    """The speakers of a script, in order of their first turn."""
    found: dict[str, None] = {}
    for chapter in document.chapters:
        found.update((speaker, None) for speaker in chapter.speakers if speaker)
    return list(found)
