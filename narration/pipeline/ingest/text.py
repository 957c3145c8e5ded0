"""Plain text in: unwrap hard-wrapped lines, find chapter headings, strip Gutenberg furniture.

Also holds the small block model every ingester feeds into `assemble`: a flat list of
`(kind, text)` blocks in reading order, where kind 1-6 is a heading level, `PARA` a paragraph,
`ITEM` one list item or table row (read as a sentence, with a list pause after it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from narration.pipeline.document import ITEM as ITEM_ROLE
from narration.pipeline.document import SECTION, TEXT, Chapter, Role, Skipped

PARA = 0
ITEM = -1

Block = tuple[int, str]
REAL_TEXT_CHARS = 80
"""A heading holds real text when at least this much is read under it (not a one-line stub)."""
DOMINANT_SHARE = 0.6
"""A chapter holding more of the text than this is divided at the next heading level."""
MAX_CHAPTER_LEVEL = 3

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


def _held(blocks: Sequence[Block], level: int) -> list[int]:
    """Characters of text under each heading at `level` (-1 for the text under a higher one)."""
    held: list[int] = []
    for kind, text in blocks:
        if kind == level:
            held.append(0)
        elif 0 < kind < level:
            held.append(-1)  # text under a higher heading is not this level's
        elif kind in (PARA, ITEM) and held and held[-1] >= 0:
            held[-1] += len(text)
    return held


def _chapter_sizes(blocks: Sequence[Block], level: int) -> list[int]:
    """Characters of text in each chapter when headings at `level` or above start chapters."""
    sizes = [0]
    for kind, text in blocks:
        if 0 < kind <= level:
            sizes.append(0)
        elif kind in (PARA, ITEM):
            sizes[-1] += len(text)
    return sizes


def chapter_level(blocks: Sequence[Block]) -> int:
    """The heading level that best divides the document into chapters (0: no headings).

    The highest level with at least two headings that each hold real text (a manual's numbered
    sections under one page title); else the highest level present. Where one chapter would
    then hold most of the text (a manual's one big part beside "Changes" and "License"), the
    next level down divides it too, to at most `MAX_CHAPTER_LEVEL`.
    """
    levels = sorted({k for k, _ in blocks if k > 0})
    chosen = levels[0] if levels else 0
    for level in levels:
        if sum(1 for chars in _held(blocks, level) if chars >= REAL_TEXT_CHARS) >= 2:
            chosen = level
            break
    for level in levels:
        if level <= chosen or level > MAX_CHAPTER_LEVEL:
            continue
        sizes = _chapter_sizes(blocks, chosen)
        if max(sizes) <= DOMINANT_SHARE * sum(sizes):
            break
        if sum(1 for chars in _held(blocks, level) if chars >= REAL_TEXT_CHARS) < 2:
            break
        chosen = level
    return chosen


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
GUTENBERG_HEADER = "Project Gutenberg header"
GUTENBERG_LICENCE = "Project Gutenberg licence"
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


def gutenberg_body(text: str) -> tuple[int, int, dict[str, str]]:
    """Where a Project Gutenberg body starts and ends (0, len(text) if none), and its fields."""
    meta: dict[str, str] = {}
    start = _GUTENBERG_START.search(text)
    if start is None:
        return 0, len(text), meta
    for key, value in _GUTENBERG_FIELD.findall(text[: start.start()]):
        meta.setdefault(key.lower(), value.strip())
    if "language" in meta:
        meta["language"] = _LANGUAGES.get(meta["language"].lower(), meta["language"])
    end = _GUTENBERG_END.search(text, start.end())
    return start.end(), end.start() if end is not None else len(text), meta


def _numbered_blocks(text: str, begin: int, end: int) -> list[tuple[int, str]]:
    """The blank-line separated blocks of text[begin:end], each with its first line number."""
    out: list[tuple[int, str]] = []
    line = text.count("\n", 0, begin) + 1
    pos = begin
    for gap in [*_BLANK_LINES.finditer(text, begin, end), None]:
        stop = gap.start() if gap is not None else end
        raw = text[pos:stop]
        if raw.strip():
            lead = raw[: len(raw) - len(raw.lstrip())]
            out.append((line + lead.count("\n"), _HYPHEN_WRAP.sub("-", raw.strip())))
        if gap is not None:
            line += text.count("\n", pos, gap.end())
            pos = gap.end()
    return out


def _lines_skipped(text: str, begin: int, end: int, reason: str) -> Skipped:
    """Furniture around a Project Gutenberg body (its header or licence), by line range."""
    first = text.count("\n", 0, begin) + 1
    last = first + text.count("\n", begin, end) - text[begin:end].endswith("\n")
    chars = len(clean(text[begin:end]))
    return Skipped(_lines(first, last), "", reason, chars, body=False, kind="front_matter")


def _block_skipped(first: int, last: int, lines: list[str], reason: str) -> Skipped:
    chars = sum(len(clean(ln)) for ln in lines)
    kind = "toc" if reason == "table of contents" else "front_matter"
    excerpt = clean(" ".join(lines))[:80]
    return Skipped(_lines(first, last), "", reason, chars, False, kind, excerpt=excerpt)


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _is_contents(lines: list[str], following: str | None) -> bool:
    """A table of contents: two or more lines, each a chapter heading, followed by a heading
    (a part heading with its first chapter heading under it is followed by text instead)."""
    if len(lines) < 2 or not all(heading_title(ln, alone=True) for ln in lines):
        return False
    after = following.split("\n") if following is not None else []
    return not after or heading_title(after[0].strip(), alone=len(after) == 1) is not None


def _furniture(
    raw_blocks: list[tuple[int, str]], index: int, blocks: list[Block], *, gutenberg: bool
) -> Skipped | None:
    """The block at `index` as skipped furniture, or None when it is read.

    Rests on structure only: a contents block (with the one-line title just before it, which
    is then taken back off `blocks`), or Gutenberg's producer credit right after its START line.
    """
    line_no, raw = raw_blocks[index]
    lines = [ln.strip() for ln in raw.split("\n")]
    last = line_no + len(lines) - 1
    if gutenberg and not index and _PRODUCED_BY.match(raw):
        return _block_skipped(line_no, last, lines, GUTENBERG_HEADER)
    following = raw_blocks[index + 1][1] if index + 1 < len(raw_blocks) else None
    if not _is_contents(lines, following):
        return None
    before = raw_blocks[index - 1][1] if index else "\n"
    if _is_subtitle(before) and blocks and blocks[-1] == (PARA, clean(before)):
        blocks.pop()
        line_no, lines = raw_blocks[index - 1][0], [before, *lines]
    return _block_skipped(line_no, last, lines, "table of contents")


def parse_text(
    text: str, *, skip_front_matter: bool = True
) -> tuple[dict[str, str], list[Block], tuple[Skipped, ...]]:
    """Plain text to metadata, blocks and what was skipped; blank lines separate paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    begin, end, meta = gutenberg_body(text)
    skipped: list[Skipped] = []
    if not skip_front_matter:
        begin, end = 0, len(text)
    elif begin:
        skipped.append(_lines_skipped(text, 0, begin, GUTENBERG_HEADER))
    raw_blocks = _numbered_blocks(text, begin, end)
    blocks: list[Block] = []
    pending_heading: int | None = None  # index in blocks of a heading still open for a subtitle
    for index, (_, raw) in enumerate(raw_blocks):
        lines = [ln.strip() for ln in raw.split("\n")]
        first = lines[0]
        furniture = (
            _furniture(raw_blocks, index, blocks, gutenberg=bool(begin))
            if skip_front_matter
            else None
        )
        if furniture is not None:
            skipped.append(furniture)
            pending_heading = None
            continue
        title = heading_title(first, alone=len(lines) == 1)
        if title is None and len(lines) > 1 and all(heading_title(ln, alone=True) for ln in lines):
            # a table of contents: every line a heading; each becomes an (empty) chapter
            blocks.extend((1, clean(ln)) for ln in lines)
            pending_heading = None
            continue
        if title is not None:
            rest = lines[1:]
            if len(rest) > 1 and all(heading_title(ln, alone=True) for ln in rest):
                blocks.append((1, clean(title)))
                blocks.extend((1, clean(ln)) for ln in rest)
                pending_heading = None
                continue
            if len(rest) == 1 and _is_subtitle(rest[0]):
                title, rest = _join_title(title, rest[0]), []
            blocks.append((1, clean(title)))
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
        blocks.append((PARA, clean(" ".join(lines))))
    if end < len(text) and text[end:].strip():
        skipped.append(_lines_skipped(text, end, len(text), GUTENBERG_LICENCE))
    return meta, blocks, tuple(skipped)
