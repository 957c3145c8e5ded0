"""What the parsers read, replace with a note, or skip, and the log of what they skipped.

Nothing is dropped silently: every block a parser does not read is counted here by kind, and
each kind becomes one `Skipped` record (with its character count) in `Document.skipped`, which
`narrate inspect --json` prints. A rule that drops text rests on structure (an element, a class
or attribute, a list of in-page links), never on a word appearing in the prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from narration.pipeline.document import Chapter, Skipped
from narration.pipeline.ingest.text import ITEM, PARA, Block, as_sentence, clean

CODE_NOTE: Final = "Code sample omitted."
_SENTENCE_END: Final = frozenset(".!?…:;")
_CLOSERS: Final = "\"'”’)]»"
_SENTENCE_STOP: Final = re.compile(r"[.!?…][\"'”’)\]»]*(?=\s|$)")
_SPOKEN_WORD: Final = re.compile(
    r"^-{0,2}[^\W\d][\w'’]*(?:[-.][\w'’]+)*(?: [^\W\d][\w'’]*(?:-[\w'’]+)*){0,3}$"
)
"""A code span a listener can hear as words: a name, a dotted name, an option, a term of up to
four plain words ("virtual environment"); not a path, an assignment, a substitution or a
command with options."""
TOC_LEAD_IN_CHARS: Final = 60
EXCERPT_CHARS: Final = 80
PLACE_KEY_CHARS: Final = 40
DEFAULT_TABLE_MAX_ROWS: Final = 12
DEFAULT_TABLE_MAX_COLUMNS: Final = 6


@dataclass(frozen=True)
class ReadingOptions:
    """Per-document choices for blocks that are not prose (docs/INPUTS.md)."""

    code: Literal["note", "skip", "read"] = "note"
    """Code blocks: a short spoken note in their place, nothing, or read as text."""
    table_max_rows: int = DEFAULT_TABLE_MAX_ROWS
    table_max_columns: int = DEFAULT_TABLE_MAX_COLUMNS
    """Tables up to this size are read row by row ("header: value"); larger ones are skipped."""
    footnotes: Literal["skip", "read"] = "skip"
    """Footnote and endnote bodies: not read, or read where the document puts them."""
    tables: Literal["note", "skip", "read"] = "note"
    """Tables over the size limits: a note, nothing, or read row by row all the same."""
    toc: Literal["skip", "read"] = "skip"
    """A document's own table of contents (the chapters are read either way)."""
    index: Literal["skip", "read"] = "skip"
    """A book's index (terms and page numbers)."""
    script: bool | None = None
    """Read as a script with speakers (`ingest.script`); None: when the name says so."""


KINDS: Final = {
    "permalink": ("permalink anchors", "heading anchors (¶, #) that only link to themselves"),
    "skip_link": ("skip links", "in-page links that jump to the main content"),
    "edit_link": ("edit links", "links to edit the page's source"),
    "breadcrumbs": ("breadcrumbs", "the page's place in the site"),
    "pagination": ("previous/next links", "links to the neighbouring pages"),
    "cookie": ("cookie banner", "a consent notice"),
    "navigation": ("navigation", "site menus and sidebars"),
    "footer": ("footers", "page and article footers"),
    "comments": ("comments", "readers' comments"),
    "promo": ("related and promotional blocks", "related posts, sharing, newsletter, adverts"),
    "outside": ("outside the main content", "site header and other page furniture"),
    "toc": ("table of contents", "a list of entries into the document; the chapters are read"),
    "index": ("index", "terms and page numbers"),
    "code": ("code blocks", "not read"),
    "inline_code": ("inline code", "commands, paths and expressions inside a sentence"),
    "table": ("large tables", "too large to read row by row; a note is read instead"),
    "footnotes": ("footnotes", "not read inline"),
}


class SkipLog:
    """The blocks a reader skipped, in document order; `records()` gives one `Skipped` each.

    `after` is the text of the last block read before the skipped one (`last_text`), so
    `records(chapters)` can tell the chapter and paragraph it stood at."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._found: list[tuple[str, str, str, str]] = []
        self._made: list[Skipped] = []

    def add(self, kind: str, text: str, where: str = "", after: str = "") -> None:
        self._found.append((kind, clean(text), where, after))

    def keep(self, records: Iterable[Skipped]) -> None:
        """Records a reader made itself (page furniture, note parts), listed as they are."""
        self._made.extend(records)

    def kinds(self) -> set[str]:
        return {kind for kind, *_ in self._found}

    def records(self, chapters: Sequence[Chapter] = ()) -> tuple[Skipped, ...]:
        places = _Places(chapters)
        out = list(self._made)
        for kind, text, where, after in self._found:
            title, reason = KINDS[kind]
            at = places.after(after) if chapters else None
            chapter, position = at if at else (None, None)
            out.append(
                Skipped(where or self.source, title, reason, len(text), kind=kind,
                        chapter=chapter, position=position, excerpt=_excerpt(text))
            )  # fmt: skip
        return tuple(out)


class _Places:
    """Finds the paragraph a text was read as: its start, less the last character (a code
    note may have ended "Run this:" as "Run this. Code sample omitted.")."""

    def __init__(self, chapters: Sequence[Chapter]) -> None:
        self.starts: dict[str, tuple[int, int]] = {}
        self.paragraphs = [
            (paragraph, (number, position + 1))
            for number, chapter in enumerate(chapters)
            for position, paragraph in enumerate(chapter.paragraphs)
        ]
        for paragraph, place in self.paragraphs:
            self.starts.setdefault(paragraph[: PLACE_KEY_CHARS - 1], place)

    def after(self, text: str) -> tuple[int, int] | None:
        """(chapter, paragraph) right after the one read from `text`; (0, 0) for no text."""
        if not text:
            return (0, 0)
        if len(text) >= PLACE_KEY_CHARS:
            return self.starts.get(text[: PLACE_KEY_CHARS - 1])
        key = text[:-1]
        return next((place for p, place in self.paragraphs if p.startswith(key)), None)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def last_text(blocks: Sequence[Block]) -> str:
    """The text of the last block read (what a skipped block stands after)."""
    return next((text for kind, text in reversed(blocks) if kind <= 0 and text), "")


def add_code(
    blocks: list[Block], code: str, options: ReadingOptions, log: SkipLog, where: str
) -> None:
    """A code block: read, skipped, or (default) a note finishing the sentence before it."""
    if options.code == "read":
        if clean(code):
            blocks.append((PARA, clean(code)))
        return
    log.add("code", code, where, last_text(blocks))
    if options.code == "skip":
        return
    last = blocks[-1] if blocks else None
    if last is not None and last[1].endswith(CODE_NOTE):
        return  # one note for a run of samples
    if last is not None and last[0] in (PARA, ITEM) and not _mid_sentence(last[1]):
        # "Run this:" then the sample: the sentence that introduced it ends, then the note
        lead_in = last[1][:-1] if last[1].endswith(":") else last[1]
        blocks[-1] = (last[0], f"{as_sentence(lead_in)} {CODE_NOTE}")
    else:
        # in the middle of a sentence: `settle_code_notes` puts it after the sentence's end
        blocks.append((PARA, CODE_NOTE))


def _mid_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END


def settle_code_notes(blocks: list[Block]) -> list[Block]:
    """A code note that stands inside a sentence ("use the" CODE "function to…") moves after
    that sentence's end, and the sentence is read whole: a note never splits one."""
    out: list[Block] = []
    skip_next = False
    for index, block in enumerate(blocks):
        if skip_next:
            skip_next = False
            continue
        previous = out[-1] if out else None
        if block != (PARA, CODE_NOTE) or previous is None or previous[0] not in (PARA, ITEM):
            out.append(block)
            continue
        if not _mid_sentence(previous[1]):
            out.append(block)
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and following[0] == PARA and following[1][:1].islower():
            text = f"{previous[1]} {following[1]}"
            end = _SENTENCE_STOP.search(text, len(previous[1]) + 1)
            cut = end.end() if end else len(text)
            head = text[:cut] if end else as_sentence(text)
            out[-1] = (previous[0], f"{head} {CODE_NOTE}{text[cut:]}")
            skip_next = True
        else:
            out[-1] = (previous[0], f"{as_sentence(previous[1])} {CODE_NOTE}")
    return out


def inline_code(
    text: str, options: ReadingOptions, log: SkipLog, where: str, blocks: Sequence[Block] = ()
) -> str:
    """What is said for a code span inside a sentence: a word or a few plain words as written;
    a command, a path, a substitution or an assignment is left out (`code="read"` reads it)."""
    if options.code == "read" or _SPOKEN_WORD.match(clean(text)) or not clean(text):
        return text
    log.add("inline_code", text, where, last_text(blocks))
    return ""


def pop_toc_title(blocks: list[Block]) -> str:
    """The title of a table of contents just found: the heading right before it, or a short
    lead-in paragraph ending in a colon ("Table of contents:"), taken out of the blocks."""
    if not blocks:
        return ""
    kind, text = blocks[-1]
    lead_in = kind == PARA and len(text) <= TOC_LEAD_IN_CHARS and text.endswith(":")
    if kind > 0 or lead_in:
        blocks.pop()
        return text
    return ""
