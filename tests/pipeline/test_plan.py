from __future__ import annotations

from dataclasses import asdict, replace

import pytest

from narration.adapters.object_store import parse_s3_uri
from narration.errors import InputError
from narration.pipeline.document import Chapter, Document, Skipped
from narration.pipeline.plan import (
    TAIL_PART_CHUNKS,
    JobOptions,
    Plan,
    PlannedChunk,
    heard_first,
    long_way_to_go,
    make_plan,
    select_chapters,
    tail_cut,
)

BOOK = Document(
    "Book",
    tuple(
        Chapter(f"Chapter {n}", tuple(f"Paragraph {n}.{p} has a sentence." for p in range(30)))
        for n in range(1, 4)
    ),
)


def test_segments_follow_chapters_and_cut_at_paragraphs() -> None:
    plan = make_plan("job", BOOK, JobOptions(voice="v"), segment_max_chunks=10)
    assert [c.seq for c in plan.chunks] == list(range(len(plan.chunks)))
    assert len(plan.segments) > len(BOOK.chapters)
    for segment in plan.segments:
        assert len({c.chapter for c in segment}) == 1
        assert len(segment) <= 20
        assert segment[-1].boundary_after in ("paragraph", "chapter")
        if segment[-1].boundary_after != "chapter":
            assert len(segment) >= 5
        assert [c.index for c in segment] == list(range(len(segment)))


def test_chunks_with_a_long_way_to_go_are_those_whose_segment_has_more_left_than_average() -> None:
    long = Chapter(
        "Long", tuple(f"A long chapter's sentence number {n} goes on." for n in range(12))
    )
    short = Chapter("Short", ("Brief.", "Done."))
    plan = make_plan("job", Document("Book", (long, short, short)), JobOptions(voice="v"), 10)
    sizes = [sum(len(c.text) for c in segment) for segment in plan.segments]
    average = sum(sizes) / len(sizes)
    ahead = long_way_to_go(plan)
    for segment, size in zip(plan.segments, sizes, strict=True):
        left = size
        for chunk in segment:
            assert (chunk.seq in ahead) == (left > average), (chunk.seq, left, average)
            left -= len(chunk.text)
    longest = max(range(len(sizes)), key=sizes.__getitem__)
    assert plan.segments[longest][0].seq in ahead
    assert plan.segments[longest][-1].seq not in ahead
    assert all(c.seq not in ahead for c in plan.segments[-1])


def test_a_listener_waits_first_for_the_first_chunk_or_with_hls_the_first_segment() -> None:
    plan = make_plan("job", BOOK, JobOptions(voice="v"), segment_max_chunks=10)
    assert heard_first(plan) == {0}
    streamed = make_plan("job", BOOK, JobOptions(voice="v", hls=True), segment_max_chunks=10)
    assert len(streamed.segments[0]) > 1
    assert heard_first(streamed) == {chunk.seq for chunk in streamed.segments[0]}


def test_segments_of_one_length_have_none_ahead() -> None:
    chapter = Chapter("Same", ("Every chapter says this.",))
    plan = make_plan(
        "job", Document("Book", (chapter, chapter, chapter)), JobOptions(voice="v"), 10
    )
    assert long_way_to_go(plan) == frozenset()


def _segment_texts(document: Document) -> list[tuple[str, ...]]:
    plan = make_plan("job", document, JobOptions(voice="v"), segment_max_chunks=10)
    return [tuple(c.text for c in segment) for segment in plan.segments]


@pytest.mark.parametrize("where", [3, 40, 77, 118])
def test_an_edit_changes_only_the_segments_next_to_it(where: int) -> None:
    paragraphs = [f"Paragraph {p} says something about the number {p * 7}." for p in range(160)]
    edited = list(paragraphs)
    edited[where] = "This paragraph was rewritten from start to end by its editor."
    before = _segment_texts(Document("Book", (Chapter("One", tuple(paragraphs)),)))
    after = _segment_texts(Document("Book", (Chapter("One", tuple(edited)),)))
    assert len(before) >= 8
    changed = [segment for segment in after if segment not in before]
    assert 1 <= len(changed) <= 2


def test_plan_round_trips_through_json() -> None:
    plan = make_plan("job", BOOK, JobOptions(voice="v", format="m4b", seed=5), 16)
    assert Plan.from_json(plan.to_json()) == plan


def test_the_plan_carries_what_was_skipped_and_the_coverage() -> None:
    lost = Skipped("notes.xhtml", "Notes", "not in the reading order", BOOK.chars // 3)
    plan = make_plan("job", replace(BOOK, skipped=(lost,)), JobOptions(voice="v"), 10)
    assert plan.skipped == (asdict(lost),)
    assert plan.coverage == pytest.approx(0.75, abs=0.01)
    assert Plan.from_json(plan.to_json()) == plan


def test_chapter_selection() -> None:
    assert [c.title for c in select_chapters(BOOK, "2-3").chapters] == ["Chapter 2", "Chapter 3"]
    assert [c.title for c in select_chapters(BOOK, "1,3").chapters] == ["Chapter 1", "Chapter 3"]
    with pytest.raises(InputError):
        select_chapters(BOOK, "4")
    with pytest.raises(InputError):
        select_chapters(BOOK, "two")


def test_bad_options_are_refused() -> None:
    with pytest.raises(InputError, match="unknown format"):
        JobOptions(voice="v", format="aiff")
    with pytest.raises(InputError, match="loudness"):
        JobOptions(voice="v", loudness_lufs=3)


@pytest.mark.parametrize(
    "uri",
    [
        "s3://b/../etc/passwd",
        "s3://bucket//abs",
        "s3://bucket/a\x00b",
        "s3://bucket/",
        "http://x/y",
        "s3://B_ad/key",
        "s3://bucket/a/./b",
    ],
)
def test_unsafe_s3_uris_are_refused(uri: str) -> None:
    with pytest.raises(InputError):
        parse_s3_uri(uri)


def test_a_long_segment_ends_in_a_short_part_of_its_own() -> None:
    plan = make_plan("job", BOOK, JobOptions(voice="v"), segment_max_chunks=10)
    assert [c for run in plan.parts for c in run] == plan.chunks
    assert len(plan.parts) > len(plan.segments)
    runs = iter(plan.parts)
    for segment in plan.segments:
        if len(segment) > 2 * TAIL_PART_CHUNKS:
            head, tail = next(runs), next(runs)
            assert head + tail == segment and len(tail) == TAIL_PART_CHUNKS
            assert tail[0].seq in plan.cuts
        else:
            assert next(runs) == segment
    assert next(runs, None) is None
    assert len(plan.cuts) == len(plan.parts) - len(plan.segments)


def _run(length: int, breaks: tuple[int, ...] = ()) -> tuple[PlannedChunk, ...]:
    return tuple(
        PlannedChunk(n, 0, n, 0, f"Sentence {n}.", "sentence", pause_s=0.5 if n in breaks else None)
        for n in range(length)
    )


def test_a_part_is_never_cut_right_after_an_ssml_break() -> None:
    assert tail_cut(_run(2 * TAIL_PART_CHUNKS)) == 0
    assert tail_cut(_run(10)) == 10 - TAIL_PART_CHUNKS
    assert tail_cut(_run(10, breaks=(6,))) == 6  # not after chunk 6: one chunk earlier
    assert tail_cut(_run(10, breaks=(6, 5))) == 5
    assert tail_cut(_run(8, breaks=(4, 3))) == 0  # the part before would be too short
