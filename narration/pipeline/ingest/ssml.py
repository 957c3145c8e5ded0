"""SSML in (the subset Polly users write most): paragraphs of text with their `Markup`.

    speak                  the root (its xml:lang and version are not needed)
    p, s                   paragraphs and sentences
    break time|strength    silence that replaces the pause where it stands (at most 10 s)
    sub alias              shown as written, said as the alias
    phoneme alphabet ph    said as IPA (mapped onto the voice's symbols at submit)
    say-as interpret-as    characters, spell-out, cardinal, ordinal, digits, date, telephone
    prosody rate           x-slow … x-fast or a percentage (20 %-200 %); pitch/volume ignored
    mark name              a named point, in the speech marks as type `ssml`
    lang                   read in the voice's language, with a warning
    voice name             its text read by that voice, in a chain of its own (a child of
                           speak, around paragraphs, or of p, which it splits)

The text a listener sees (captions, marks) is the element content; what the voice says comes
from `Markup`. Anything else is refused with its line and column: an unknown element, a
missing or bad attribute, markup inside `sub`, `phoneme` or `say-as`, a `voice` inside
another or below a sentence. Expat reads the XML, with document type declarations (and so
entity expansion) refused. A `voice` element's paragraphs carry its `name` as their speaker
(`Chapter.speakers`); `narration.job_cast` checks the names against the catalogue at submit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, NoReturn
from xml.parsers import expat

from narration.errors import InputError
from narration.pipeline.document import Chapter, Markup
from narration.pipeline.say_as import say_as

MAX_BREAK_S: Final = 10.0
BREAK_STRENGTHS: Final = {
    "none": 0.0,
    "x-weak": 0.12,
    "weak": 0.17,
    "medium": 0.35,
    "strong": 0.65,
    "x-strong": 1.0,
}
"""Seconds of silence per `strength`, on the scale of our designed pauses (clause … section)."""
RATES: Final = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "fast": 1.25, "x-fast": 1.5}
MIN_RATE, MAX_RATE = 0.2, 2.0
INLINE: Final = frozenset(("sub", "phoneme", "say-as", "prosody", "mark", "break", "lang", "s"))
VOICE_PARENTS: Final = frozenset(("speak", "p"))
"""Where a `voice` may stand: around whole paragraphs, or inside one (which it splits)."""
LEAVES: Final = frozenset(("sub", "phoneme", "say-as"))
"""Elements whose content must be plain text."""
_TIME: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")
_RATE: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_SPACE: Final = re.compile(r"\s+")


@dataclass
class _Open:
    name: str
    where: str
    start: int
    attrs: dict[str, str]


@dataclass
class _Paragraph:
    text: str = ""
    spoken: list[tuple[int, int, str]] = field(default_factory=list)
    breaks: list[tuple[int, float]] = field(default_factory=list)
    rates: list[tuple[int, int, float]] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)
    keep: list[tuple[int, int]] = field(default_factory=list)

    def add(self, data: str) -> None:
        data = _SPACE.sub(" ", data)
        if not self.text or self.text.endswith(" "):
            data = data.lstrip(" ")
        self.text += data

    @property
    def end(self) -> int:
        return len(self.text.rstrip(" "))


class _Reader:
    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.stack: list[_Open] = []
        self.paragraphs: list[tuple[str, Markup]] = []
        self.speakers: list[str] = []
        """Each paragraph's `voice` name ("" outside any)."""
        self.speaker = ""
        self.current = _Paragraph()
        self.pending_marks: list[str] = []
        self.warnings: list[str] = []

    def where(self) -> str:
        return f"line {self.parser.CurrentLineNumber}, column {self.parser.CurrentColumnNumber + 1}"

    def fail(self, message: str, where: str = "") -> NoReturn:
        raise InputError(f"invalid SSML ({where or self.where()}): {message}")

    def doctype(self, *_: object) -> NoReturn:
        self.fail("a document type declaration is not allowed")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        where = self.where()
        parent = self.stack[-1].name if self.stack else ""
        if not self.stack and name != "speak":
            self.fail(f"the root element must be <speak>, not <{name}>")
        if parent in LEAVES:
            self.fail(f"<{name}> inside <{parent}>: it holds only text")
        if name == "speak" and self.stack:
            self.fail("<speak> inside <speak>")
        elif name == "p":
            if parent != "speak" and not (parent == "voice" and self.stack[-2].name == "speak"):
                self.fail(f"<p> inside <{parent}>")
            self.finish()
        elif name == "voice":
            self._voice(parent, attrs)
        elif name not in INLINE and name != "speak":
            self.fail(f"<{name}> is not supported (speak, p, s, break, sub, phoneme, say-as, "
                      "prosody, mark, lang, voice)")  # fmt: skip
        self._check(name, attrs)
        if name == "s":
            self.current.add(" ")
        self.stack.append(_Open(name, where, len(self.current.text), dict(attrs)))
        if name == "break":
            self._break(attrs)
        elif name == "mark":
            self._mark(attrs["name"])
        elif name == "lang":
            self.warnings.append(
                f"<lang xml:lang={attrs.get('xml:lang', '')!r}> ({where}) is read in the "
                "voice's own language"
            )

    def _check(self, name: str, attrs: dict[str, str]) -> None:
        required = {"sub": "alias", "phoneme": "ph", "say-as": "interpret-as", "mark": "name"}
        if name in required and not attrs.get(required[name], "").strip():
            self.fail(f"<{name}> needs a {required[name]} attribute")
        if name == "phoneme" and attrs.get("alphabet", "ipa").lower() != "ipa":
            self.fail(f"<phoneme alphabet={attrs['alphabet']!r}>: only ipa is supported")
        if name == "prosody":
            ignored = sorted(set(attrs) - {"rate"})
            if ignored:
                self.warnings.append(f"<prosody> {', '.join(ignored)} ({self.where()}) ignored")

    def _voice(self, parent: str, attrs: dict[str, str]) -> None:
        """A voice switch: the text so far ends its paragraph, the voice's own begin."""
        if any(element.name == "voice" for element in self.stack):
            self.fail("<voice> inside <voice>")
        if parent not in VOICE_PARENTS:
            self.fail(f"<voice> inside <{parent}>: put it around paragraphs or inside a <p>")
        name = attrs.get("name", "").strip()
        if not name:
            self.fail("<voice> needs a name attribute")
        self.finish()
        self.speaker = name

    def _break(self, attrs: dict[str, str]) -> None:
        seconds = BREAK_STRENGTHS["medium"]
        if "time" in attrs:
            match = _TIME.match(attrs["time"])
            if not match:
                self.fail(f"<break time={attrs['time']!r}>: use e.g. 2s or 500ms")
            value = float(match.group(1))
            seconds = value / 1000 if match.group(2) == "ms" else value
        elif "strength" in attrs:
            if attrs["strength"] not in BREAK_STRENGTHS:
                self.fail(f"<break strength={attrs['strength']!r}>: use one of "
                          f"{', '.join(BREAK_STRENGTHS)}")  # fmt: skip
            seconds = BREAK_STRENGTHS[attrs["strength"]]
        if seconds > MAX_BREAK_S:
            self.fail(f"<break> of {seconds:g} s is longer than {MAX_BREAK_S:g} s")
        offset = self.current.end
        if offset == 0:
            self._break_before(seconds)
        else:
            self.current.breaks.append((offset, seconds))

    def _break_before(self, seconds: float) -> None:
        """A break before any text of its paragraph belongs to the end of the one before."""
        if not self.paragraphs:
            self.warnings.append(f"<break> ({self.where()}) before any text is left out")
            return
        text, markup = self.paragraphs[-1]
        breaks = (*markup.breaks, (len(text), seconds))
        self.paragraphs[-1] = (text, Markup(markup.spoken, breaks, markup.rates, markup.marks,
                                            markup.keep))  # fmt: skip

    def _mark(self, name: str) -> None:
        if self.current.end == 0:
            self.pending_marks.append(name)
        else:
            self.current.marks.append((self.current.end, name))

    def data(self, text: str) -> None:
        if not self.stack:
            return
        if self.stack[-1].name in ("break", "mark") and text.strip():
            self.fail(f"<{self.stack[-1].name}> must be empty")
        self.current.add(text)

    def end(self, name: str) -> None:
        element = self.stack.pop()
        paragraph = self.current
        start = element.start
        while start < len(paragraph.text) and paragraph.text[start] == " ":
            start += 1
        stop = paragraph.end
        content = paragraph.text[start:stop]
        if name in LEAVES and not content:
            self.fail(f"<{name}> has no text", element.where)
        if name == "sub":
            paragraph.spoken.append((start, stop, " ".join(element.attrs["alias"].split())))
        elif name == "phoneme":
            paragraph.spoken.append((start, stop, f"[[ {' '.join(element.attrs['ph'].split())} ]]"))
        elif name == "say-as":
            try:
                said = say_as(
                    content, element.attrs["interpret-as"], element.attrs.get("format", "")
                )
            except ValueError as error:
                self.fail(f"<say-as>: {error}", element.where)
            paragraph.spoken.append((start, stop, said))
        elif name == "prosody" and "rate" in element.attrs:
            paragraph.rates.append((start, stop, self._rate(element)))
        if name in LEAVES or name == "prosody":
            paragraph.keep.append((start, stop))
        if name == "s":
            paragraph.add(" ")
        elif name in ("p", "speak", "voice"):
            self.finish()
        if name == "voice":
            self.speaker = ""

    def _rate(self, element: _Open) -> float:
        value = element.attrs["rate"].strip()
        if value in RATES:
            return RATES[value]
        match = _RATE.match(value)
        rate = float(match.group(1)) / 100 if match else 0.0
        if not MIN_RATE <= rate <= MAX_RATE:
            self.fail(f"<prosody rate={value!r}>: use x-slow … x-fast or 20%-200%", element.where)
        return rate

    def finish(self) -> None:
        paragraph, self.current = self.current, _Paragraph()
        text = paragraph.text.rstrip(" ")
        if not any(ch.isalnum() for ch in text):
            for _, seconds in paragraph.breaks:
                self._break_before(seconds)
            self.pending_marks.extend(name for _, name in paragraph.marks)
            return
        marks = [(0, name) for name in self.pending_marks] + paragraph.marks
        self.pending_marks = []
        self.speakers.append(self.speaker)
        self.paragraphs.append(
            (
                text,
                Markup(
                    spoken=tuple(paragraph.spoken),
                    breaks=tuple(paragraph.breaks),
                    rates=tuple(paragraph.rates),
                    marks=tuple(marks),
                    keep=tuple(paragraph.keep),
                ),
            )
        )


@dataclass(frozen=True)
class SsmlText:
    """An SSML document's paragraphs with their markup and speakers (each paragraph's `voice`
    name, "" outside any), and its warnings."""

    paragraphs: list[tuple[str, Markup]]
    speakers: list[str]
    warnings: list[str]


def parse_ssml(text: str) -> SsmlText:
    """Paragraphs with their markup and speakers, and warnings; InputError with line and
    column."""
    reader = _Reader()
    try:
        reader.parser.Parse(text, True)
    except expat.ExpatError as error:
        message = expat.errors.messages[error.code] if error.code else str(error)
        raise InputError(
            f"invalid SSML (line {error.lineno}, column {error.offset + 1}): {message}"
        ) from None
    if reader.pending_marks and reader.paragraphs:
        text_, markup = reader.paragraphs[-1]
        marks = (*markup.marks, *((len(text_), name) for name in reader.pending_marks))
        reader.paragraphs[-1] = (text_, Markup(markup.spoken, markup.breaks, markup.rates,
                                               marks, markup.keep))  # fmt: skip
    return SsmlText(reader.paragraphs, reader.speakers, reader.warnings)


def ssml_chapter(title: str, ssml: SsmlText) -> Chapter:
    """An SSML document is one chapter; its title is not spoken (it is not in the text). Its
    paragraphs have speakers only where a `voice` element switches the voice."""
    texts = tuple(text for text, _ in ssml.paragraphs)
    markup = tuple(m for _, m in ssml.paragraphs)
    speakers = tuple(ssml.speakers) if any(ssml.speakers) else ()
    return Chapter(title, texts, title_spoken=False, markup=markup, speakers=speakers)
