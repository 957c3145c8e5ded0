"""The manifest keeps its stored shape: `Manifest`'s keys in order, the retail sample in place."""

from __future__ import annotations

import json

from narration.pipeline.compliance import ComplianceReport
from narration.pipeline.document import Chapter, Document
from narration.pipeline.formats import ChapterMark
from narration.pipeline.manifest import (
    Delivered,
    LoudnessReport,
    Manifest,
    RetailSample,
    build_manifest,
)
from narration.pipeline.plan import JobOptions, make_plan
from narration.pipeline.timeline import place_chunks
from tests.chunk_metas import chunk_meta

RATE = 22050
PLAN = make_plan(
    "job", Document("Book", (Chapter("One", ("A line.",)),)), JobOptions(voice="v"), 10
)
REPORT: ComplianceReport = {
    "preset": "podcast",
    "checks": [{"name": "codec", "required": "mp3", "measured": "mp3", "pass": True}],
}


def _manifest(sample: RetailSample | None) -> Manifest:
    laid = place_chunks([chunk_meta(text="A line.", samples=RATE, pause_after_s=0.5)], RATE)
    loudness = LoudnessReport(-16.0, -1.5, -16.0, 3.0, -1.0)
    delivered = Delivered("s3://b/out.mp3", [], {"captions": "s3://b/c.vtt"}, REPORT, sample)
    marks = [ChapterMark("One", 0.0, 1.0)]
    return build_manifest(PLAN, laid.placed, laid.total, RATE, "mp3", marks, loudness, delivered)


def test_the_manifest_is_stored_in_the_typed_record_s_key_order() -> None:
    stored = json.loads(json.dumps(_manifest(None)))
    optional = ("retail_sample", "cast")
    assert list(stored) == [name for name in Manifest.__annotations__ if name not in optional]
    assert stored["compliance"] == REPORT


def test_a_retail_sample_follows_the_chapter_files() -> None:
    sample: RetailSample = {"uri": "s3://b/sample.mp3", "duration_s": 90.0, "compliance": REPORT}
    stored = json.loads(json.dumps(_manifest(sample)))
    assert list(stored) == [name for name in Manifest.__annotations__ if name != "cast"]
    assert stored["retail_sample"] == sample
