"""Captions (WebVTT, SRT) and speech marks (JSON lines) from timed text; pure functions.

Cues are sentences of the output audio: `Cue(start_s, end_s, text)`. Both caption writers sort
cues by start, clamp times to be non-negative and non-decreasing (an end never before its start),
and print milliseconds. WebVTT text is escaped (`&` `<` `>`, which also defuses `-->`); blank
lines inside a cue, which would end it, are collapsed in both formats.

Speech marks follow Amazon Polly's format: one JSON object per line (JSON Lines, not a JSON
array), in time order, a sentence mark before the word marks it contains:

    {"time":0,"type":"sentence","start":0,"end":23,"value":"Mary had a little lamb."}
    {"time":6,"type":"word","start":0,"end":4,"value":"Mary"}

`time` is milliseconds from the start of the audio; `start`/`end` are offsets into the document
text. Polly counts UTF-8 bytes; we count characters (Python `str` indices) by default, and
`offsets="bytes"` gives Polly's convention.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Final, Literal, Protocol

DEFAULT_LINE_WIDTH = 42  # characters per caption line (Netflix/BBC guidance for Latin text)


@dataclass(frozen=True, slots=True)
class Cue:
    """One caption: text spoken from `start_s` to `end_s` (seconds from the audio start)."""

    start_s: float
    end_s: float
    text: str
    speaker: str = ""
    """A script's speaker label: a WebVTT voice span (`<v HOST>`)."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One speech mark, as Polly writes it; `speaker` (a script's label) only where set."""

    time: int  # ms
    type: str  # "sentence" | "word"
    start: int
    end: int
    value: str
    speaker: str = ""


class TimedSpan(Protocol):
    """Anything with times and char offsets into the document (e.g. engines' `WordTiming`)."""

    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def char_start(self) -> int: ...
    @property
    def char_end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence or word: its time in the audio and its [char_start, char_end) in the text."""

    start_s: float
    end_s: float
    char_start: int
    char_end: int
    speaker: str = ""


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _clock(ms: int, sep: str) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clean(text: str, width: int) -> list[str]:
    """Lines of a cue: no blank lines (they end a cue), wrapped at `width` if width > 0."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    return textwrap.wrap(text, width) if width > 0 else [text]


def _timed(cues: Iterable[Cue]) -> list[tuple[int, int, str, str]]:
    """Cues in start order with ms times, monotonic, end >= start, with their speakers."""
    out: list[tuple[int, int, str, str]] = []
    prev_start = 0
    for cue in sorted(cues, key=lambda c: (c.start_s, c.end_s)):
        start = max(_ms(cue.start_s), prev_start)
        end = max(_ms(cue.end_s), start)
        out.append((start, end, cue.text, cue.speaker))
        prev_start = start
    return out


def _voice_tag(speaker: str) -> str:
    """A WebVTT voice span's opening tag (the annotation ends at the `>`)."""
    return f"<v {escape_vtt(speaker)}>" if speaker else ""


def escape_vtt(text: str) -> str:
    """Escape cue text for WebVTT (`&`, `<`, `>`; so `-->` cannot appear)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(cues: Iterable[Cue], *, line_width: int = DEFAULT_LINE_WIDTH) -> str:
    """A WebVTT document for `cues`."""
    parts = ["WEBVTT", ""]
    for i, (start, end, text, speaker) in enumerate(_timed(cues), 1):
        lines = [escape_vtt(line) for line in _clean(text, line_width)]
        if not lines:
            continue
        lines[0] = _voice_tag(speaker) + lines[0]
        parts += [str(i), f"{_clock(start, '.')} --> {_clock(end, '.')}", *lines, ""]
    return "\n".join(parts)


def to_srt(cues: Iterable[Cue], *, line_width: int = DEFAULT_LINE_WIDTH) -> str:
    """An SRT document for `cues` (numbered from 1, comma before the milliseconds)."""
    parts: list[str] = []
    n = 0
    for start, end, text, _ in _timed(cues):
        # SRT has no escaping; an arrow in the text could be taken for a timing line.
        lines = [line.replace("-->", "->") for line in _clean(text, line_width)]
        if not lines:
            continue
        n += 1
        parts += [str(n), f"{_clock(start, ',')} --> {_clock(end, ',')}", *lines, ""]
    return "\n".join(parts)


def cues_from_spans(text: str, sentences: Iterable[TimedSpan]) -> list[Cue]:
    """Caption cues for sentence spans over the document `text`."""
    return [
        Cue(s.start_s, s.end_s, text[s.char_start : s.char_end], getattr(s, "speaker", ""))
        for s in sentences
    ]


def speech_marks(
    text: str,
    sentences: Iterable[TimedSpan],
    words: Iterable[TimedSpan] = (),
    *,
    offsets: Literal["chars", "bytes"] = "chars",
    ssml: Sequence[tuple[float, int, str]] = (),
) -> list[Mark]:
    """Polly-style sentence and word marks, in time order (sentence first at equal times).

    `ssml` are SSML `<mark>`s as (time, offset, name): type `ssml`, start = end = the offset in
    the text where the mark stood, value its name."""
    if offsets == "bytes":
        # Map char offset -> UTF-8 byte offset once (the text is one document, not a book).
        acc = [0]
        for ch in text:
            acc.append(acc[-1] + len(ch.encode("utf-8")))

        def off(i: int) -> int:
            return acc[i]
    else:

        def off(i: int) -> int:
            return i

    marks: list[Mark] = []
    for kind, spans in (("sentence", sentences), ("word", words)):
        for s in spans:
            if not 0 <= s.char_start <= s.char_end <= len(text):
                raise ValueError(f"{kind} span {s.char_start}..{s.char_end} is outside the text")
            t = _ms(s.start_s)
            value = text[s.char_start : s.char_end]
            speaker = getattr(s, "speaker", "")
            marks.append(Mark(t, kind, off(s.char_start), off(s.char_end), value, speaker))
    for time_s, offset, name in ssml:
        t = _ms(time_s)
        marks.append(Mark(t, "ssml", off(offset), off(offset), name))
    # `off` keeps the order of offsets, so sorting by the mark's own offset sorts by the span's.
    marks.sort(key=lambda m: (m.time, _RANK[m.type], m.start))
    return marks


_RANK: Final = {"sentence": 0, "word": 1, "ssml": 2}
"""At the same time, a sentence's mark comes before its first word's, an SSML mark after."""


def jsonl_lines(marks: Iterable[Mark]) -> Iterator[str]:
    """Speech marks as JSON Lines, one compact object per line, keys in Polly's order."""
    for m in marks:
        fields = asdict(m)
        if not m.speaker:
            del fields["speaker"]
        yield json.dumps(fields, ensure_ascii=False, separators=(",", ":")) + "\n"


def to_jsonl(marks: Iterable[Mark]) -> str:
    """Speech marks as one JSON Lines document (`jsonl_lines`)."""
    return "".join(jsonl_lines(marks))
