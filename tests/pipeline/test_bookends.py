"""The intro and outro on the timeline: placed with the chapter pause inside the first and last
chapter, and everything timed after them moves by their length."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest

from narration.pipeline import timeline
from narration.pipeline.plan import JobOptions
from narration.pipeline.prosody import PAUSES_S
from tests.pipeline.test_timeline import RATE, SAMPLES, metas

INTRO = 33075
OUTRO = 17000
BOOKENDS = timeline.Bookends.designed(INTRO, OUTRO, RATE)
PAUSE = round(PAUSES_S["chapter"] * RATE)


def test_everything_timed_moves_by_the_intro_and_its_pause() -> None:
    plain = timeline.place_chunks(metas(), RATE)
    framed = timeline.place_chunks(metas(), RATE, bookends=BOOKENDS)
    lead = INTRO + PAUSE
    assert [p.start - lead for p in framed.placed] == [p.start for p in plain.placed]
    assert framed.total == plain.total + lead + PAUSE + OUTRO
    _, plain_sentences, plain_words = timeline.timed_spans(plain.placed, RATE)
    _, sentences, words = timeline.timed_spans(framed.placed, RATE)
    for before, after in zip(plain_sentences + plain_words, sentences + words, strict=True):
        assert abs(after.start_s - before.start_s - lead / RATE) < 1e-9
        assert after.start_s > (round(timeline.LEAD_IN_S * RATE) + INTRO) / RATE
    marks = timeline.ssml_marks(framed.placed, [[(0, "a")], [], [], [(2, "b")]], RATE)
    plain_marks = timeline.ssml_marks(plain.placed, [[(0, "a")], [], [], [(2, "b")]], RATE)
    assert [round(m[0] - p[0], 9) for m, p in zip(marks, plain_marks, strict=True)] == [
        round(lead / RATE, 9)
    ] * 2


def test_the_first_and_last_chapters_hold_the_intro_and_outro() -> None:
    plain = timeline.place_chunks(metas(), RATE)
    framed = timeline.place_chunks(metas(), RATE, bookends=BOOKENDS)
    titles = ["One", "Two"]
    before = timeline.chapter_marks(titles, plain, RATE)
    after = timeline.chapter_marks(titles, framed, RATE)
    assert after[0].start_s == 0.0
    assert after[0].end_s == pytest.approx(before[0].end_s + (INTRO + PAUSE) / RATE, abs=1e-9)
    assert after[1].end_s == framed.total / RATE
    grown = (after[1].end_s - after[1].start_s) - (before[1].end_s - before[1].start_s)
    assert grown == pytest.approx((PAUSE + OUTRO) / RATE, abs=1e-9)


def test_parts_stay_whole_frames_with_the_bookends_in_the_first_and_last() -> None:
    framing = timeline.Framing(frame=1152, guard=1105, tail=1152)
    plain = timeline.place_chunks(metas(), RATE, framing)
    framed = timeline.place_chunks(metas(), RATE, framing, bookends=BOOKENDS)
    assert all(part.samples % 1152 == 0 for part in framed.parts)
    grown = [new.samples - old.samples for new, old in zip(framed.parts, plain.parts, strict=True)]
    assert abs(grown[0] - (INTRO + PAUSE)) < 1152
    assert abs(grown[1] - (PAUSE + OUTRO)) < 1152


def test_the_audio_lies_in_the_silence_left_for_it() -> None:
    laid = timeline.place_chunks(metas(), RATE, bookends=BOOKENDS)
    intro_at, outro_at = BOOKENDS.positions(laid.placed, True, True)
    assert intro_at == round(timeline.LEAD_IN_S * RATE)
    assert laid.placed[0].start - (intro_at + INTRO) == PAUSE
    assert outro_at - laid.placed[-1].end == PAUSE
    assert laid.total - (outro_at + OUTRO) == round(timeline.TAIL_S * RATE)
    intro, outro = np.full(INTRO, 0.25, np.float32), np.full(OUTRO, -0.5, np.float32)
    speech = [np.full(n, 0.125, np.float32) for n in SAMPLES]
    blocks = timeline.timeline_blocks(laid.placed, lambda number: speech[number])
    audio = np.concatenate(
        list(timeline.with_inserts(blocks, [(intro_at, intro), (outro_at, outro)]))
    )
    assert len(audio) == laid.total
    assert np.all(audio[intro_at : intro_at + INTRO] == 0.25)
    assert np.all(audio[outro_at : outro_at + OUTRO] == -0.5)
    assert not audio[:intro_at].any()
    assert not audio[intro_at + INTRO : laid.placed[0].start].any()
    assert not audio[laid.placed[-1].end : outro_at].any()
    assert not audio[outro_at + OUTRO :].any()
    assert np.count_nonzero(audio == 0.125) == sum(SAMPLES)


def test_a_segment_alone_has_only_its_own_bookend() -> None:
    placed, _ = timeline.place_part(
        metas()[2:], RATE, timeline.Framing(), False, True, bookends=BOOKENDS
    )
    intro_at, outro_at = BOOKENDS.positions(placed, False, True)
    assert intro_at == -1
    assert outro_at == placed[-1].end + PAUSE


def test_a_plan_without_bookends_reads_as_none() -> None:
    old = asdict(JobOptions(voice="v"))
    for name in ("intro_key", "intro_samples", "outro_key", "outro_samples"):
        del old[name]
    bookends = JobOptions(**old).bookends(RATE)
    assert (bookends.lead, bookends.trail) == (0, 0)
    laid = timeline.place_chunks(metas(), RATE, bookends=bookends)
    assert laid == timeline.place_chunks(metas(), RATE)
