"""Plain text in: unwrap hard-wrapped lines, find chapter headings, strip Gutenberg furniture.

Also holds the small block model every ingester feeds into `assemble`: a flat list of
`(kind, text)` blocks in reading order, where kind 1-6 is a heading level, `PARA` a paragraph,
`ITEM` one list item or table row (read as a sentence, with a list pause after it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from narration.pipeline.document import ITEM as ITEM_ROLE
from narration.pipeline.document import SECTION, TEXT, Chapter, Role

PARA = 0
ITEM = -1

Block = tuple[int, str]
REAL_TEXT_CHARS = 80
"""A heading holds real text when at least this much is read under it (not a one-line stub)."""

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_TERMINAL = frozenset(".!?:;…")
_CLOSERS = frozenset("\"'”’)]»")


def clean(text: str) -> str:
    """Collapse all whitespace to single spaces, drop invisible characters, strip."""
    if "\u00ad" in text or "\u200b" in text or "\ufeff" in text or "\u200d" in text:
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def speakable_chars(text: str) -> bool:
    """True when the text has at least one letter or digit (something a voice can say)."""
    return any(ch.isalnum() for ch in text)


def as_sentence(text: str) -> str:
    """Give a list item, table row or sub-heading a full stop so the voice pauses after it."""
    end = len(text)
    while end and text[end - 1] in _CLOSERS:
        end -= 1
    if end and text[end - 1] in _TERMINAL:
        return text
    return text + "."


def chapter_level(blocks: Sequence[Block]) -> int:
    """The heading level that best divides the document into chapters (0: no headings).

    The highest level with at least two headings that each hold real text (a manual's numbered
    sections under one page title); else the highest level present.
    """
    levels = sorted({k for k, _ in blocks if k > 0})
    for level in levels:
        held: list[int] = []
        for kind, text in blocks:
            if kind == level:
                held.append(0)
            elif 0 < kind < level:
                held.append(-1)  # text under a higher heading is not this level's
            elif kind in (PARA, ITEM) and held and held[-1] >= 0:
                held[-1] += len(text)
        if sum(1 for chars in held if chars >= REAL_TEXT_CHARS) >= 2:
            return level
    return levels[0] if levels else 0


def assemble(
    blocks: Iterable[Block],
    doc_title: str,
    *,
    doc_title_spoken: bool = True,
    split: bool = True,
) -> tuple[Chapter, ...]:
    """Turn blocks into chapters.

    Headings at `chapter_level` or above start chapters (with `split`; else none does); deeper
    headings are section titles inside the chapter. List items and table rows are items. Text
    before the first chapter heading goes into a chapter named after the document (spoken only
    when `doc_title_spoken`: not for a file name). Chapters with no paragraphs are dropped.
    """
    blocks = [b for b in blocks if b[1]]
    top = chapter_level(blocks) if split else 0
    chapters: list[Chapter] = []
    title = doc_title
    spoken = doc_title_spoken
    units: list[tuple[str, Role]] = []

    def end_chapter() -> None:
        if any(speakable_chars(text) for text, _ in units):
            paragraphs = tuple(text for text, _ in units)
            roles = tuple(role for _, role in units)
            chapters.append(Chapter(title, paragraphs, title_spoken=spoken, roles=roles))
        units.clear()

    for kind, text in blocks:
        if 0 < kind <= top:
            end_chapter()
            title, spoken = text, True
        elif kind > 0:
            units.append((as_sentence(text), SECTION))
        elif kind == ITEM:
            units.append((as_sentence(text), ITEM_ROLE))
        else:
            units.append((text, TEXT))
    end_chapter()
    return tuple(chapters)


def drop_title_heading(blocks: Sequence[Block]) -> tuple[str | None, list[Block]]:
    """If the first block is the document's only level-1 heading, it is the document title."""
    out = list(blocks)
    if out and out[0][0] == 1 and sum(1 for k, _ in out if k == 1) == 1:
        return out[0][1], out[1:]
    return None, out


# --- plain text ------------------------------------------------------------------------------

_ROMAN = r"(?:M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
_NUMBER_WORDS = (
    r"(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|THIRTEEN|FOURTEEN|"
    r"FIFTEEN|SIXTEEN|SEVENTEEN|EIGHTEEN|NINETEEN|TWENTY(?:[- ](?:ONE|TWO|THREE|FOUR|FIVE|"
    r"SIX|SEVEN|EIGHT|NINE))?|THIRTY|FORTY|FIFTY|FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|"
    r"SEVENTH|EIGHTH|NINTH|TENTH|LAST|THE\s+\w+)"
)
_NUM = rf"(?:{_ROMAN}|\d{{1,4}}|{_NUMBER_WORDS})"
_KEYWORD = r"(?:CHAPTER|PART|BOOK|VOLUME|VOL\.|ACT|SCENE|CANTO|STAVE|SECTION|LETTER)"
# "CHAPTER IV", "Chapter 12.", "Chapter 3: The Title", "PART ONE", "BOOK II. THE RETURN"
_STRICT_HEADING = re.compile(
    rf"^{_KEYWORD}\s+{_NUM}\.?(?:\s*[.:—–-]\s*(?P<title>\S.*))?$", re.IGNORECASE
)
# a line that is only one: "Chapter 1 The Beginning" (no separator) is accepted on its own line
_LOOSE_HEADING = re.compile(rf"^{_KEYWORD}\s+{_NUM}\b\.?(?:\s+(?P<title>\S.*))?$", re.IGNORECASE)
_ROMAN_LINE = re.compile(rf"^(?=[IVXLCDM])(?P<num>{_ROMAN})\.?(?:\s+[.:—–-]?\s*(?P<title>\S.*))?$")
_NAMED_SECTION = re.compile(
    r"^(?:PROLOGUE|EPILOGUE|PREFACE|FOREWORD|INTRODUCTION|AFTERWORD|CONCLUSION|POSTSCRIPT)\.?$",
    re.IGNORECASE,
)
_GUTENBERG_START = re.compile(
    r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^\n]*$", re.I | re.M
)
_GUTENBERG_END = re.compile(
    r"^\s*(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^\n]*"
    r"|End of (?:the )?Project Gutenberg'?s? .*)$",
    re.I | re.M,
)
_GUTENBERG_FIELD = re.compile(r"^(Title|Author|Language):\s*(.+)$", re.M)
_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n\s*")
_HYPHEN_WRAP = re.compile(r"(?<=[^\W\d_])-\n\s*(?=[a-z])")
_PRODUCED_BY = re.compile(
    r"^(?:Produced by|E-?text prepared by|Transcribed from|Transcriber'?s? Note)", re.I
)
_CONTENTS = re.compile(r"^(?:TABLE OF )?CONTENTS\.?$", re.I)
_SHORT_TITLE_MAX = 80
_LANGUAGES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "finnish": "fi", "swedish": "sv", "latin": "la",
}  # fmt: skip


def heading_title(line: str, *, alone: bool) -> str | None:
    """The chapter title a line announces, or None when it is not a chapter heading line."""
    if len(line) > 100:
        return None
    m = _STRICT_HEADING.match(line)
    if m is None and alone:
        m = _LOOSE_HEADING.match(line)
        sub = m.group("title") if m is not None else None
        if sub and not sub.isupper() and (not sub[0].isupper() or sub[-1] in ".!?,;"):
            m = None  # "Part two of the plan failed." is prose, not a heading
    if m is None and alone:
        m = _ROMAN_LINE.match(line)
        if m is not None and (not m.group("num") or (m.group("title") and not line.isupper())):
            m = None
    if m is None:
        return line if alone and _NAMED_SECTION.match(line) else None
    return line


def _is_subtitle(text: str) -> bool:
    if "\n" in text or len(text) > _SHORT_TITLE_MAX:
        return False
    stripped = text.rstrip("\"'”’)")
    return text.isupper() or not stripped or stripped[-1] not in ".!?,;:"


def _join_title(heading: str, subtitle: str) -> str:
    sep = " " if heading[-1] in ".:—–-" else ": "
    return heading + sep + subtitle


def gutenberg_body(text: str) -> tuple[str, dict[str, str]]:
    """Strip a Project Gutenberg header and licence footer; return the body and its fields."""
    meta: dict[str, str] = {}
    start = _GUTENBERG_START.search(text)
    if start is None:
        return text, meta
    for key, value in _GUTENBERG_FIELD.findall(text[: start.start()]):
        meta.setdefault(key.lower(), value.strip())
    if "language" in meta:
        meta["language"] = _LANGUAGES.get(meta["language"].lower(), meta["language"])
    body = text[start.end() :]
    end = _GUTENBERG_END.search(body)
    if end is not None:
        body = body[: end.start()]
    return body, meta


def parse_text(text: str, *, skip_front_matter: bool = True) -> tuple[dict[str, str], list[Block]]:
    """Plain text to metadata and blocks: blank lines separate paragraphs, lines are unwrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, meta = gutenberg_body(text)
    body = _HYPHEN_WRAP.sub("-", body)
    raw_blocks = [b.strip() for b in _BLANK_LINES.split(body)]
    raw_blocks = [b for b in raw_blocks if b]
    blocks: list[Block] = []
    seen_heading = False
    pending_heading: int | None = None  # index in blocks of a heading still open for a subtitle
    in_contents = False
    for raw in raw_blocks:
        lines = [ln.strip() for ln in raw.split("\n")]
        first = lines[0]
        title = heading_title(first, alone=len(lines) == 1)
        if title is None and len(lines) > 1 and all(heading_title(ln, alone=True) for ln in lines):
            # a table of contents: every line a heading; each becomes an (empty) chapter
            blocks.extend((1, clean(ln)) for ln in lines)
            seen_heading = True
            pending_heading = None
            continue
        if title is not None:
            in_contents = False
            rest = lines[1:]
            if len(rest) > 1 and all(heading_title(ln, alone=True) for ln in rest):
                blocks.append((1, clean(title)))
                seen_heading = True
                blocks.extend((1, clean(ln)) for ln in rest)
                pending_heading = None
                continue
            if len(rest) == 1 and _is_subtitle(rest[0]):
                title, rest = _join_title(title, rest[0]), []
            blocks.append((1, clean(title)))
            seen_heading = True
            pending_heading = len(blocks) - 1 if not rest and title == first else None
            if rest:
                blocks.append((PARA, clean(" ".join(rest))))
            continue
        if pending_heading is not None and _is_subtitle(raw):
            kind, heading = blocks[pending_heading]
            blocks[pending_heading] = (kind, clean(_join_title(heading, raw)))
            pending_heading = None
            continue
        pending_heading = None
        if skip_front_matter:
            if _CONTENTS.match(raw):
                in_contents = True
                continue
            if in_contents and all(len(ln) < _SHORT_TITLE_MAX for ln in lines):
                continue
            in_contents = False
            if not seen_heading and _PRODUCED_BY.match(raw):
                continue
        blocks.append((PARA, clean(" ".join(lines))))
    return meta, blocks
