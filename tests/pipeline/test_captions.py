"""WebVTT, SRT and speech-mark output."""

from __future__ import annotations

import html
import json
import re

import pytest

from narration.pipeline.captions import (
    Cue,
    Mark,
    Span,
    cues_from_spans,
    escape_vtt,
    speech_marks,
    to_jsonl,
    to_srt,
    to_webvtt,
)

VTT_TIME = r"(\d{2}):(\d{2}):(\d{2})\.(\d{3})"
SRT_TIME = r"(\d{2}):(\d{2}):(\d{2}),(\d{3})"

CUES = [
    Cue(0.0, 1.2345, "Hello & welcome."),
    Cue(1.2345, 3.5, "A <b>bold</b> claim --> maybe."),
    Cue(3.5, 3600 * 1.5 + 0.0004, "Line one.\n\nStill the same cue."),
    Cue(2.0, 2.5, "Out of order."),
    Cue(5.0, 4.0, "End before start."),
]


def ms(groups: tuple[str, ...]) -> int:
    h, m, s, f = map(int, groups)
    return ((h * 60 + m) * 60 + s) * 1000 + f


def parse_blocks(doc: str, time_re: str) -> list[tuple[int, int, list[str]]]:
    blocks = [b for b in doc.strip("\n").split("\n\n") if b]
    out = []
    for block in blocks:
        lines = block.split("\n")
        assert re.fullmatch(r"\d+", lines[0]), block
        m = re.fullmatch(f"{time_re} --> {time_re}", lines[1])
        assert m, lines[1]
        text = lines[2:]
        assert text and all(line.strip() for line in text)
        out.append((ms(m.groups()[:4]), ms(m.groups()[4:]), text))
    return out


def check_monotonic(cues: list[tuple[int, int, list[str]]]) -> None:
    starts = [s for s, _, _ in cues]
    assert starts == sorted(starts)
    assert all(e >= s for s, e, _ in cues)


def test_webvtt_syntax_and_escaping() -> None:
    doc = to_webvtt(CUES)
    assert doc.startswith("WEBVTT\n\n")
    cues = parse_blocks(doc.split("\n\n", 1)[1], VTT_TIME)
    assert len(cues) == len(CUES)
    check_monotonic(cues)
    body = "\n".join("\n".join(t) for _, _, t in cues)
    assert "-->" not in body and "<" not in body
    assert "Hello &amp; welcome." in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    assert [c[:2] for c in cues] == [
        (0, 1234),
        (1234, 3500),
        (2000, 2500),
        (3500, 5_400_000),
        (5000, 5000),  # an end before its start is clamped to the start
    ]
    assert cues[3][2] == ["Line one. Still the same cue."]
    assert all(len(html.unescape(line)) <= 42 for _, _, t in cues for line in t)


def test_srt_syntax() -> None:
    doc = to_srt(CUES)
    cues = parse_blocks(doc, SRT_TIME)
    assert [int(b.split("\n")[0]) for b in doc.strip().split("\n\n")] == list(range(1, 6))
    check_monotonic(cues)
    assert cues[1] == (1234, 3500, ["A <b>bold</b> claim -> maybe."])
    assert cues[2] == (2000, 2500, ["Out of order."])
    assert all("-->" not in line for _, _, t in cues for line in t)


def test_empty_and_blank_cues() -> None:
    assert to_webvtt([]) == "WEBVTT\n"
    assert to_srt([Cue(0, 1, "  \n ")]) == ""
    assert escape_vtt("a-->b") == "a--&gt;b"


TEXT = "Mary had a little lamb. Its fleece was white — as snow."


def spans() -> tuple[list[Span], list[Span]]:
    sentences = [Span(0.0, 1.6, 0, 23), Span(1.9, 4.0, 24, len(TEXT))]
    words: list[Span] = []
    t = 0.0
    for m in re.finditer(r"\w+", TEXT):
        t += 0.006 if not words else 0.25
        words.append(Span(t, t + 0.2, m.start(), m.end()))
    return sentences, words


def test_speech_marks_shape_and_order() -> None:
    sentences, words = spans()
    marks = speech_marks(TEXT, sentences, words)
    assert len(marks) == len(sentences) + len(words)
    assert marks[0] == Mark(0, "sentence", 0, 23, "Mary had a little lamb.")
    assert marks[1] == Mark(6, "word", 0, 4, "Mary")
    times = [m.time for m in marks]
    assert times == sorted(times)
    assert all(TEXT[m.start : m.end] == m.value for m in marks)
    lines = to_jsonl(marks).splitlines()
    assert len(lines) == len(marks)
    for line, mark in zip(lines, marks, strict=True):
        obj = json.loads(line)
        assert list(obj) == ["time", "type", "start", "end", "value"]
        assert obj["type"] in ("sentence", "word") and obj["value"] == mark.value


def test_speech_marks_byte_offsets_and_cues() -> None:
    sentences, words = spans()
    marks = speech_marks(TEXT, sentences, words, offsets="bytes")
    raw = TEXT.encode("utf-8")
    assert all(raw[m.start : m.end].decode("utf-8") == m.value for m in marks)
    last_sentence = [m for m in marks if m.type == "sentence"][-1]
    assert last_sentence.end == len(raw) > len(TEXT)
    cues = cues_from_spans(TEXT, sentences)
    assert [c.text for c in cues] == ["Mary had a little lamb.", TEXT[24:]]
    with pytest.raises(ValueError):
        speech_marks(TEXT, [Span(0, 1, 0, 999)])


def test_ssml_marks_join_the_speech_marks_in_time_order() -> None:
    sentences, words = spans()
    marks = speech_marks(TEXT, sentences, words, ssml=[(0.5, 9, "here")])
    (mark,) = [m for m in marks if m.type == "ssml"]
    assert mark == Mark(500, "ssml", 9, 9, "here")
    times = [m.time for m in marks]
    assert times == sorted(times)
