"""stitch_job on chunks rendered for real by Piper and committed to the real stack's stores.

Two short chapters are rendered once and committed to two jobs: one stitched to a single MP3,
one with --split-chapters. Each job's writes go through a log, so the manifest is seen last.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.job_records import RedisJobRecords, new_job_id
from narration.adapters.object_store import S3Store, parse_s3_uri
from narration.connections import Services
from narration.engines.piper import PiperEngine
from narration.engines.voices import default_voice
from narration.pipeline import mastering, prosody
from narration.pipeline.document import Chapter, Document
from narration.pipeline.loudness import LoudnessMeter
from narration.pipeline.manifest import Manifest
from narration.pipeline.plan import JobOptions, Plan, make_plan
from narration.pipeline.render import RenderedChunk, render_chunk
from narration.production.parts import make_part
from narration.production.stitch import StitchResult, stitch_job
from tests.helpers import decode

DOCUMENT = Document(
    "Harbour",
    (
        Chapter(
            "One",
            (
                "The tide came in slowly over the flat grey sand, and the gulls waited on the "
                "harbour wall for the boats to return.",
            ),
            title_spoken=False,
        ),
        Chapter(
            "Two",
            (
                "A small boat crossed the bay with its sails half set.",
                "Later that evening the wind dropped, and the harbour lights came on one by one.",
            ),
            title_spoken=False,
        ),
    ),
    author="A. Writer",
)
"""About 15 s of speech. Titles are not spoken: a programme of a few seconds with one-word
chunks needs so much limiting under the MP3 ceiling that the gain solver misses the target."""
TARGET_LUFS = -16.0
LOUDNESS_TOLERANCE_LU = 0.3
CEILING_DBTP = -1.0
DURATION_TOLERANCE_S = 0.001
ARTIFACTS = {"captions.vtt", "captions.srt", "marks.json"}


class WriteLog(S3Store):
    """The real store, noting the key of every object written, in order."""

    def __init__(self, services: Services) -> None:
        super().__init__(
            services.bucket,
            endpoint=services.s3_endpoint,
            region=services.s3_region,
            access_key=services.s3_access_key,
            secret_key=services.s3_secret_key,
        )
        self.written: list[str] = []

    def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        super().put_bytes(key, data, content_type)
        self.written.append(key)

    def upload_file(
        self, key: str, path: Path, content_type: str = "application/octet-stream"
    ) -> None:
        super().upload_file(key, path, content_type)
        self.written.append(key)


@dataclass(frozen=True)
class Stitched:
    plan: Plan
    chunks: ChunkStore
    log: WriteLog
    result: StitchResult
    workdir: Path

    @property
    def manifest(self) -> Manifest:
        return self.result.manifest

    def fetch(self, uri: str, name: str) -> Path:
        path = self.workdir / "fetched" / name
        path.parent.mkdir(exist_ok=True)
        self.chunks.objects.download_file(parse_s3_uri(uri).key, path)
        return path


@pytest.fixture(scope="module")
def plan() -> Plan:
    voice = default_voice().name
    return make_plan(new_job_id(), DOCUMENT, JobOptions(voice=voice, seed=11), 10)


@pytest.fixture(scope="module")
def rendered(plan: Plan) -> list[RenderedChunk]:
    engine = PiperEngine.load(default_voice(), threads=1)
    out = []
    for segment in plan.segments:
        state = prosody.initial_state(plan.options.voice, plan.options.seed)
        for chunk in segment:
            out.append(render_chunk(engine, chunk, state))
            state = out[-1].next_state
    return out


def stitch(
    services: Services, plan: Plan, rendered: list[RenderedChunk], workdir: Path
) -> Stitched:
    """Commit the rendered chunks to `plan`'s job, then stitch it through a write log."""
    records: RedisJobRecords = services.records()
    records.create(plan.job_id, {"chunks_total": len(rendered)})
    log = WriteLog(services)
    chunks = ChunkStore(log, services.keys(plan.job_id), records)
    for item in rendered:
        chunks.commit(item.meta["seq"], item.wav, item.meta)
    log.written.clear()
    result = stitch_job(plan, chunks, workdir)
    return Stitched(plan, chunks, log, result, workdir)


@pytest.fixture(scope="module")
def whole(
    services: Services,
    plan: Plan,
    rendered: list[RenderedChunk],
    tmp_path_factory: pytest.TempPathFactory,
) -> Stitched:
    return stitch(services, plan, rendered, tmp_path_factory.mktemp("stitch-whole"))


@pytest.fixture(scope="module")
def split(
    services: Services,
    plan: Plan,
    rendered: list[RenderedChunk],
    tmp_path_factory: pytest.TempPathFactory,
) -> Stitched:
    options = replace(plan.options, split_chapters=True)
    split_plan = replace(plan, job_id=new_job_id(), options=options)
    return stitch(services, split_plan, rendered, tmp_path_factory.mktemp("stitch-split"))


def test_the_manifest_is_written_last(whole: Stitched) -> None:
    keys = whole.chunks.keys
    assert whole.log.written[-1] == keys.manifest
    assert keys.output("mp3") in whole.log.written
    stored = json.loads(whole.chunks.objects.get_bytes(keys.manifest))
    assert stored == whole.manifest
    assert stored["job_id"] == whole.plan.job_id
    assert whole.result.output_uri == stored["output_uri"]


def test_the_duration_is_the_decoded_audio_s(whole: Stitched) -> None:
    rate = whole.manifest["sample_rate"]
    pcm = decode(whole.fetch(whole.result.output_uri, "output.mp3"), rate)
    decoded_s = len(pcm) / rate
    assert decoded_s == pytest.approx(whole.manifest["duration_s"], abs=DURATION_TOLERANCE_S)
    assert whole.result.duration_s == pytest.approx(decoded_s, abs=DURATION_TOLERANCE_S)
    # The manifest's loudness is the delivered file's, as a decoder sees it.
    meter = LoudnessMeter(rate)
    meter.add(pcm)
    measured = whole.manifest["loudness"]["measured_lufs"]
    assert meter.integrated_lufs() == pytest.approx(measured, abs=0.1)


def test_loudness_is_on_target_under_the_ceiling(whole: Stitched) -> None:
    loudness = whole.manifest["loudness"]
    assert loudness["target_lufs"] == TARGET_LUFS
    measured = loudness["measured_lufs"]
    assert measured == pytest.approx(TARGET_LUFS, abs=LOUDNESS_TOLERANCE_LU), loudness
    assert loudness["measured_true_peak_dbtp"] <= CEILING_DBTP, loudness


def test_chapters_cover_the_audio(whole: Stitched) -> None:
    chapters = whole.manifest["chapters"]
    assert [c["title"] for c in chapters] == ["One", "Two"]
    assert chapters[0]["start_s"] == 0.0
    for before, after in itertools.pairwise(chapters):
        assert before["end_s"] == after["start_s"]
    assert chapters[-1]["end_s"] == whole.manifest["duration_s"]
    chunks = whole.manifest["chunks"]
    assert [c["seq"] for c in chunks] == list(range(len(whole.plan.chunks)))
    for chunk in chunks:
        assert 0.0 < chunk["start_s"] < chunk["end_s"] < whole.manifest["duration_s"]
    second = next(c for c in chunks if c["text"].startswith("A small boat"))
    assert second["start_s"] >= chapters[1]["start_s"]


def test_captions_and_marks_are_stored(whole: Stitched) -> None:
    artifacts = whole.manifest["artifacts"]
    assert set(artifacts) == ARTIFACTS
    vtt = whole.fetch(artifacts["captions.vtt"], "captions.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    assert vtt.count(" --> ") == 3  # one cue per sentence
    assert "A small boat crossed the bay with its sails half set." in " ".join(vtt.split())
    srt = whole.fetch(artifacts["captions.srt"], "captions.srt").read_text()
    assert "-->" in srt
    marks = whole.fetch(artifacts["marks.json"], "marks.json").read_text().splitlines()
    words = [json.loads(line) for line in marks]
    assert any(mark.get("value") == "boat" for mark in words)
    assert whole.manifest["chapter_files"] == []


def test_split_chapters_gives_one_file_per_chapter(split: Stitched) -> None:
    files = split.manifest["chapter_files"]
    assert [f["title"] for f in files] == ["One", "Two"]
    keys = split.chunks.keys
    assert [parse_s3_uri(f["uri"]).key for f in files] == [
        keys.chapter_output(1, "mp3"),
        keys.chapter_output(2, "mp3"),
    ]
    assert split.log.written[-1] == keys.manifest
    rate = split.manifest["sample_rate"]
    lengths = []
    for number, entry in enumerate(files):
        pcm = decode(split.fetch(entry["uri"], f"chapter-{number}.mp3"), rate)
        assert np.max(np.abs(pcm)) > 0.01
        lengths.append(len(pcm) / rate)
    for length, chapter in zip(lengths, split.manifest["chapters"], strict=True):
        expected = chapter["end_s"] - chapter["start_s"]
        assert length == pytest.approx(expected, abs=0.05)


def test_a_part_that_decodes_over_the_ceiling_is_limited_harder_by_its_own_worker(
    services: Services, plan: Plan, rendered: list[RenderedChunk]
) -> None:
    """Limited hard to the delivered ceiling with no codec margin, speech through a 24 kbit/s
    MP3 decodes over it; the part's worker encodes it again, lower, before committing it."""
    job = replace(plan, job_id=new_job_id(), options=replace(plan.options, bitrate="24k"))
    records: RedisJobRecords = services.records()
    records.create(job.job_id, {"chunks_total": len(rendered)})
    chunks = ChunkStore(services.store(), services.keys(job.job_id), records)
    for item in rendered:
        chunks.commit(item.meta["seq"], item.wav, item.meta)
    metas = [chunks.meta(chunk.seq) for chunk in job.segments[0]]
    planned = mastering.planned(TARGET_LUFS, "mp3")
    at_ceiling = mastering.Mastering(planned.gain_db + 6.0, CEILING_DBTP)
    made = make_part(job, chunks, 0, metas, at_ceiling)
    assert made["ceiling_dbtp"] == CEILING_DBTP
    assert made["limited_dbtp"] < CEILING_DBTP
    assert made["true_peak_dbtp"] <= CEILING_DBTP
    assert chunks.part_meta(0) == made


def test_a_retail_sample_is_mastered_from_the_chunks_steps_beside_parts(
    services: Services,
    plan: Plan,
    rendered: list[RenderedChunk],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The book is joined from parts, the sample mastered on its own from its chunks' stored
    loudness, which the stitch must therefore keep (`pipeline.stitch_meta`)."""
    options = replace(plan.options, retail_sample=True)
    sample_plan = replace(plan, job_id=new_job_id(), options=options)
    made = stitch(services, sample_plan, rendered, tmp_path_factory.mktemp("stitch-sample"))
    sample = made.manifest["retail_sample"]
    pcm = decode(made.fetch(sample["uri"], "retail-sample.mp3"), made.manifest["sample_rate"])
    assert np.max(np.abs(pcm)) > 0.01
    assert made.manifest["loudness"]["encodes"] >= 1
