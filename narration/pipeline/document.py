"""The document model every ingester produces and the chunker consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

Role = Literal["text", "section", "item"]
"""What a paragraph is: running text, a section title inside a chapter, or one list item (or
table row). It decides the pause around it: a section title is preceded by a section pause,
consecutive items are joined by a list pause and may share a chunk."""
TEXT: Final = "text"
SECTION: Final = "section"
ITEM: Final = "item"


@dataclass(frozen=True)
class Markup:
    """What SSML adds to one paragraph, as character offsets into its (normalised) text."""

    spoken: tuple[tuple[int, int, str], ...] = ()
    """[start, end) is said as this text instead (`sub`, `say-as`; `phoneme` as `[[ … ]]`)."""
    breaks: tuple[tuple[int, float], ...] = ()
    """Silence of so many seconds at this offset (`break`); it replaces the pause there."""
    rates: tuple[tuple[int, int, float], ...] = ()
    """[start, end) is spoken at this rate (1.0 normal, 2.0 twice as fast; `prosody rate`)."""
    marks: tuple[tuple[int, str], ...] = ()
    """A named point at this offset (`mark`), reported in the speech marks as type `ssml`."""
    keep: tuple[tuple[int, int], ...] = ()
    """Element spans a chunk must not be cut inside."""


@dataclass(frozen=True)
class Chapter:
    """A titled run of paragraphs; paragraphs are plain, speech-ready text."""

    title: str
    paragraphs: tuple[str, ...]
    title_spoken: bool = True
    """False when the title was made up (file name, "Chapter 3") rather than read in the text."""
    roles: tuple[Role, ...] = ()
    """One role per paragraph; empty means all are running text (older callers)."""
    markup: tuple[Markup | None, ...] = ()
    """One per paragraph for SSML documents (None where a paragraph has none); else empty."""
    speakers: tuple[str, ...] = ()
    """One per paragraph of a script: the label of the turn it belongs to, "" outside a turn
    (`ingest.script`) or the SSML `voice` name that reads it (`ingest.ssml`); empty for a
    document with neither."""

    def role(self, index: int) -> Role:
        return self.roles[index] if self.roles else "text"

    def markup_of(self, index: int) -> Markup | None:
        return self.markup[index] if self.markup else None

    def speaker(self, index: int) -> str:
        return self.speakers[index] if self.speakers else ""


@dataclass(frozen=True)
class Skipped:
    """Text found in the document but not read aloud, and why (`narrate inspect --json`)."""

    source: str
    """Where it was: a spine item, an element or a line range."""
    title: str
    reason: str
    chars: int
    """Characters of text, measured as paragraphs are (`Document.chars`)."""
    body: bool = True
    """False for furniture around the work (cover, contents, copyright page, licence): it does
    not count against `Document.coverage`. True unless a rule knows better, so an unknown loss
    lowers coverage instead of hiding."""
    kind: str = ""
    """What it is, one word: code, inline_code, table, toc, index, footnotes, navigation,
    front_matter, running_header, page_numbers… (`policy.KINDS` and the readers' own)."""
    chapter: int | None = None
    """The chapter (0-based, as read) it stood in or just before; None where unknown."""
    position: int | None = None
    """The paragraph of that chapter it stood before (0-based); None where unknown."""
    excerpt: str = ""
    """Its first words, so a listener can find it in the document."""


@dataclass(frozen=True)
class Document:
    """What a document says, in reading order, with its metadata."""

    title: str
    chapters: tuple[Chapter, ...]
    author: str = ""
    language: str = "en"
    extra: dict[str, str] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    """Read, but not as written (an SSML `lang` the voice cannot switch to)."""

    @property
    def chars(self) -> int:
        return sum(len(p) for c in self.chapters for p in c.paragraphs)

    @property
    def skipped_chars(self) -> int:
        return sum(item.chars for item in self.skipped)

    @property
    def coverage(self) -> float:
        """Characters spoken ÷ characters of body text found (spoken + skipped body text)."""
        lost = sum(item.chars for item in self.skipped if item.body)
        spoken = self.chars
        return spoken / (spoken + lost) if spoken + lost else 1.0
