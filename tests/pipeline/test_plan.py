from __future__ import annotations

import pytest

from narration.adapters.object_store import parse_s3_uri
from narration.errors import InputError
from narration.pipeline.document import Chapter, Document
from narration.pipeline.plan import JobOptions, Plan, make_plan, select_chapters

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
    for segment in plan.segments:
        assert len({c.chapter for c in segment}) == 1
        assert len(segment) <= 10
        assert segment[-1].boundary_after in ("paragraph", "chapter")
        assert [c.index for c in segment] == list(range(len(segment)))


def test_plan_round_trips_through_json() -> None:
    plan = make_plan("job", BOOK, JobOptions(voice="v", format="m4b", seed=5), 16)
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
