"""The output timeline in whole samples: placement, chapters, blocks and timed text agree."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from narration.pipeline import timeline
from narration.pipeline.chunk_meta import ChunkMeta
from tests.chunk_metas import chunk_meta

RATE = 22050

TEXTS = ("One fish. Two fish.", "Red fish.", "Blue fish swim.", "The end.")
SAMPLES = (11025, 4410, 8820, 6615)
PAUSES_S = (0.3, 0.6, 0.0, 0.3)
CHAPTERS = (0, 0, 1, 1)
BOUNDARIES = ("sentence", "chapter", "paragraph", "chapter")


def metas() -> list[ChunkMeta]:
    out = []
    for seq, text in enumerate(TEXTS):
        first_word_end = text.index(" ") if " " in text else len(text)
        out.append(
            chunk_meta(
                seq=seq,
                text=text,
                samples=SAMPLES[seq],
                pause_after_s=PAUSES_S[seq],
                chapter=CHAPTERS[seq],
                segment=CHAPTERS[seq],
                boundary_after=BOUNDARIES[seq],
                words=[
                    {
                        "text": text[:first_word_end],
                        "start": 0,
                        "end": first_word_end,
                        "start_s": 0.05,
                        "end_s": 0.2,
                    }
                ],
            )
        )
    return out


@pytest.fixture
def placed() -> tuple[list[timeline.Placed], int]:
    laid = timeline.place_chunks(metas(), RATE)
    return laid.placed, laid.total


def test_chunks_are_placed_end_to_end(placed: tuple[list[timeline.Placed], int]) -> None:
    items, total = placed
    lead = round(timeline.LEAD_IN_S * RATE)
    assert items[0].start == lead
    for item, samples in zip(items, SAMPLES, strict=True):
        assert item.end - item.start == samples
    for before, after in itertools.pairwise(items):
        assert after.start == before.end + before.pause_after
    assert [item.pause_after for item in items[:-1]] == [round(p * RATE) for p in PAUSES_S[:-1]]
    assert items[-1].pause_after == round(timeline.TAIL_S * RATE)
    assert total == items[-1].end + items[-1].pause_after
    assert total == lead + sum(SAMPLES) + sum(item.pause_after for item in items)


def test_blocks_add_up_to_the_timeline(placed: tuple[list[timeline.Placed], int]) -> None:
    items, total = placed

    def chunk_pcm(number: int) -> np.ndarray:
        return np.full(SAMPLES[number], number + 1, dtype=np.float32)

    pcm = np.concatenate(list(timeline.timeline_blocks(items, chunk_pcm)))
    assert len(pcm) == total
    for number, item in enumerate(items):
        assert np.all(pcm[item.start : item.end] == number + 1)
        assert not np.any(pcm[item.end : item.end + item.pause_after])
    assert not np.any(pcm[: items[0].start])

    chosen = [1, 3]
    subset = np.concatenate(list(timeline.timeline_blocks(items, chunk_pcm, chosen)))
    expected = items[0].start + sum(SAMPLES[n] + items[n].pause_after for n in chosen)
    assert len(subset) == expected
    assert sorted(set(subset.tolist())) == [0.0, 2.0, 4.0]


def test_chapters_cover_the_audio(placed: tuple[list[timeline.Placed], int]) -> None:
    items, total = placed
    laid = timeline.place_chunks(metas(), RATE)
    marks = timeline.chapter_marks(("First", "Second"), laid, RATE)
    assert [mark.title for mark in marks] == ["First", "Second"]
    assert marks[0].start_s == 0.0
    assert marks[0].end_s == marks[1].start_s == items[2].start / RATE
    assert marks[-1].end_s == total / RATE


def test_chapters_start_with_their_first_part() -> None:
    """In parts, a chapter mark falls at its part's start: in the guard's silence."""
    framing = timeline.Framing(frame=576, guard=1105, tail=288)
    laid = timeline.place_chunks(metas(), RATE, framing)
    marks = timeline.chapter_marks(("First", "Second"), laid, RATE)
    assert marks[1].start_s == laid.parts[1].start / RATE
    assert laid.placed[2].start - laid.parts[1].start == framing.guard
    assert marks[-1].end_s == laid.total / RATE


def test_timed_text_lies_inside_its_chunk(placed: tuple[list[timeline.Placed], int]) -> None:
    items, _ = placed
    text, sentences, words = timeline.timed_spans(items, RATE)
    assert text.split() == " ".join(TEXTS).split()
    assert "Red fish.\n\nBlue" in text  # a chapter boundary is a blank line
    spoken = [text[s.char_start : s.char_end] for s in sentences]
    assert spoken == ["One fish.", "Two fish.", "Red fish.", "Blue fish swim.", "The end."]
    assert [text[w.char_start : w.char_end] for w in words] == ["One", "Red", "Blue", "The"]
    owners = [0, 0, 1, 2, 3]
    for span, owner in zip(sentences, owners, strict=True):
        item = items[owner]
        assert item.start / RATE <= span.start_s <= span.end_s <= item.end / RATE


def test_ssml_marks_are_timed_inside_their_chunk(placed: tuple[list[timeline.Placed], int]) -> None:
    items, _ = placed
    text, _, _ = timeline.timed_spans(items, RATE)
    marks = timeline.ssml_marks(items, [[(0, "start"), (10, "two")], [], [(4, "fish")], []], RATE)
    assert [(offset, name) for _, offset, name in marks] == [
        (0, "start"),
        (10, "two"),
        (text.index("Blue") + 4, "fish"),
    ]
    assert text[10:13] == "Two" and text[marks[2][1] :].startswith(" fish swim.")
    times = [time for time, _, _ in marks]
    assert times[0] == items[0].start / RATE
    assert times[1] == pytest.approx(items[0].start / RATE + SAMPLES[0] / RATE * 10 / len(TEXTS[0]))
    assert items[2].start / RATE < times[2] < items[2].end / RATE


def test_a_break_is_exact_silence_up_to_the_next_chunks_first_sound() -> None:
    rows = metas()
    rows[0] = {**rows[0], "break_s": 2.0}
    rows[1] = {**rows[1], "lead_pad_s": 0.02}
    laid = timeline.place_chunks(rows, RATE)
    first, second = laid.placed[0], laid.placed[1]
    assert second.start + round(0.02 * RATE) - first.end == 2 * RATE


def test_edges_set_the_silence_before_the_first_and_after_the_last_words() -> None:
    laid = timeline.place_chunks(metas(), RATE, edges=(0.75, 3.0))
    assert laid.placed[0].start == round(0.75 * RATE)
    assert laid.total - laid.placed[-1].end == 3 * RATE
