"""Stitch a job: join its parts (or encode the whole), upload the outputs, manifest last.

The timeline is computed from the chunk metadata alone (`pipeline.timeline`), in whole samples,
so the manifest, chapters, captions and speech marks agree with the audio to the sample.

For formats whose parts join by bytes (MP3, AAC, WAV), each segment's part was mastered,
encoded and measured by the worker that finished the segment (`workers.parts`), while the rest
of the book was still being synthesised. The stitch adds up the parts' measured loudness steps
and true peaks, which are the delivered file's own, so no audio is read or decoded again; it
re-makes only parts that are missing or, rarely, that missed the target, then downloads the
parts and concatenates them. Opus and Vorbis streams do not join that way: for them the stitch
decides the gain from the chunks' stored loudness steps and encodes the whole timeline, then
decodes the file to check it. Either way one chunk or one part is in memory at a time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.ffmpeg import FfmpegEncoder, decode_blocks
from narration.adapters.object_store import parse_s3_uri
from narration.adapters.parts import codec_framing, join_parts
from narration.pipeline import captions, mastering
from narration.pipeline.formats import ChapterMark, Format, Tags, get_format
from narration.pipeline.loudness import VERIFY_OVERSAMPLE
from narration.pipeline.manifest import Delivered, LoudnessReport, build_manifest
from narration.pipeline.plan import Plan
from narration.pipeline.step_loudness import FiguresMeter, StepTimeline
from narration.pipeline.timeline import (
    Placed,
    Timeline,
    chapter_marks,
    place_chunks,
    ssml_marks,
    timed_spans,
)
from narration.workers.chapter_files import ChapterSplitter
from narration.workers.parts import make_part, mastered_blocks

_LOGGER = logging.getLogger(__name__)
MAX_CORRECTIONS: Final = 3
"""Encodes after the first that may still be needed to bring a programme into spec."""


@dataclass(frozen=True)
class StitchResult:
    output_uri: str
    duration_s: float
    manifest: dict[str, Any]


@dataclass(frozen=True)
class _Assembled:
    """The encoded output file and what the stitch learned making it."""

    laid: Timeline
    tries: list[tuple[mastering.Mastering, tuple[float, float]]]
    chapter_files: list[dict[str, Any]]


@dataclass(frozen=True)
class _Job:
    plan: Plan
    chunks: ChunkStore
    metas: list[dict[str, Any]]
    fmt: Format
    rate: int
    bitrate: str
    workdir: Path

    def __str__(self) -> str:
        return f"job {self.plan.job_id}"

    @property
    def target(self) -> float:
        return self.plan.options.loudness_lufs

    def segment_metas(self, segment: int) -> list[dict[str, Any]]:
        return [self.metas[chunk.seq] for chunk in self.plan.segments[segment]]

    def chapter_tags(self, title: str) -> Tags:
        return Tags(title=title, album=self.plan.title, artist=self.plan.author)


def stitch_job(
    plan: Plan, chunks: ChunkStore, workdir: Path, metas: list[dict[str, Any]] | None = None
) -> StitchResult:
    """Stitch, encode and upload a job; the manifest goes up last and marks completion.

    `metas` are the chunks' metadata in order, when the caller has read them already."""
    metas = metas or [chunks.meta(c.seq) for c in plan.chunks]
    chunks.mark_used(metas)
    fmt = get_format(plan.options.format)
    job = _Job(
        plan,
        chunks,
        metas,
        fmt,
        int(metas[0]["sample_rate"]),
        plan.options.bitrate or fmt.bitrate or "",
        workdir,
    )
    output = workdir / f"output.{fmt.extension}"
    tags = Tags(
        title=plan.title,
        artist=plan.author or plan.voice_info.get("name", ""),
        album=plan.title,
        comment=f"Narrated by narration with voice {plan.options.voice}",
        language=plan.language,
        cover=_cover(plan, chunks, workdir),
    )
    if fmt.part_muxer is not None:
        assembled = _join_parts(job, output, tags)
    else:
        assembled = _encode_whole(job, output, tags)
    laid, rate = assembled.laid, job.rate
    chapters = chapter_marks(plan.chapters, laid, rate)
    delivered = Delivered(
        output_uri=_upload_output(plan, chunks, output, fmt),
        chapter_files=assembled.chapter_files,
        artifacts=_upload_artifacts(
            laid.placed,
            rate,
            chunks,
            ssml_marks(laid.placed, [c.marks for c in plan.chunks], rate),
        ),
    )
    master, measured = assembled.tries[-1]
    loudness = LoudnessReport(
        *measured, job.target, master.gain_db, master.ceiling_dbtp, len(assembled.tries)
    )
    manifest = build_manifest(
        plan, laid.placed, laid.total, rate, fmt.name, chapters, loudness, delivered
    )
    chunks.objects.put_bytes(
        chunks.keys.manifest,
        json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
        "application/json",
    )
    return StitchResult(delivered.output_uri, laid.total / rate, manifest)


def _join_parts(job: _Job, output: Path, tags: Tags) -> _Assembled:
    """Bring every part into spec from the parts' own figures, then concatenate them."""
    laid = place_chunks(job.metas, job.rate, codec_framing(job.fmt, job.rate, job.bitrate))
    master = mastering.planned(job.target, job.fmt.name)
    count = len(job.plan.segments)
    stored: list[dict[str, Any] | None] = [job.chunks.part_meta(n) for n in range(count)]
    masters = [master] * count
    tries: list[tuple[mastering.Mastering, tuple[float, float]]] = []
    for _ in range(MAX_CORRECTIONS + 1):
        made = [
            _fitting(part, laid, number, masters[number]) or _remake(job, number, masters[number])
            for number, part in enumerate(stored)
        ]
        measured = _programme(made, laid, job.rate)
        tries.append((master, measured))
        if mastering.in_spec(*measured, job.target):
            break
        _LOGGER.info("%s: %.2f LUFS, %.2f dBTP; mastering again", job, *measured)
        stored = list(made)
        if abs(measured[0] - job.target) > mastering.LOUDNESS_TOLERANCE_LU:
            master = mastering.corrected(tries, job.target)
            masters = [master] * count
        else:
            # On target but a part peaks over: only those parts are limited harder.
            masters = [
                mastering.lower_ceiling(chosen, part["true_peak_dbtp"])
                for chosen, part in zip(masters, made, strict=True)
            ]
    job.chunks.mark_used(made)
    paths = []
    for number, part in enumerate(made):
        paths.append(job.workdir / f"part-{number:05d}")
        job.chunks.download_part(part, paths[-1])
    chapters = chapter_marks(job.plan.chapters, laid, job.rate)
    join_parts(paths, output, job.fmt, job.rate, tags, chapters)
    chapter_files = []
    if job.plan.options.split_chapters:
        chapter_files = _join_chapters(job, paths, chapters)
    ceiling = min(part["ceiling_dbtp"] for part in made)
    tries[-1] = (mastering.Mastering(tries[-1][0].gain_db, ceiling), measured)
    return _Assembled(laid, tries, chapter_files)


def _fitting(
    part: dict[str, Any] | None, laid: Timeline, number: int, master: mastering.Mastering
) -> dict[str, Any] | None:
    """A stored part, if it was laid out as this timeline's and mastered as planned."""
    if part is None or part["samples"] != laid.parts[number].samples:
        return None
    if part["gain_db"] != round(master.gain_db, 4):
        return None
    return part if part["ceiling_dbtp"] == round(master.ceiling_dbtp, 4) else None


def _remake(job: _Job, number: int, master: mastering.Mastering) -> dict[str, Any]:
    """A part that a worker did not leave (it died after the segment's last chunk) or that
    must be mastered otherwise."""
    return make_part(job.plan, job.chunks, number, job.segment_metas(number), master)


def _programme(parts: list[dict[str, Any]], laid: Timeline, rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak of the joined parts, from their measured figures."""
    steps = StepTimeline(rate, laid.total)
    for part, span in zip(parts, laid.parts, strict=True):
        steps.add(span.start, part["steps"])
    return steps.integrated_lufs(), max(part["true_peak_dbtp"] for part in parts)


def _join_chapters(job: _Job, paths: list[Path], chapters: list[ChapterMark]) -> list[Any]:
    """One file per chapter: the chapter's parts joined (segments never cross chapters)."""
    by_chapter: dict[int, list[Path]] = {}
    for number, segment in enumerate(job.plan.segments):
        by_chapter.setdefault(segment[0].chapter, []).append(paths[number])
    files = []
    for number, (chapter, part_paths) in enumerate(sorted(by_chapter.items())):
        title = job.plan.chapters[chapter]
        path = job.workdir / f"chapter-{number:03d}.{job.fmt.extension}"
        join_parts(part_paths, path, job.fmt, job.rate, job.chapter_tags(title), [])
        key = job.chunks.keys.chapter_output(number + 1, job.fmt.extension)
        job.chunks.objects.upload_file(key, path, job.fmt.mime)
        files.append({"title": title, "uri": f"s3://{job.chunks.objects.bucket}/{key}"})
    assert len(files) == len(chapters)
    return files


def _encode_whole(job: _Job, output: Path, tags: Tags) -> _Assembled:
    """Formats without parts: gain from the chunks' loudness steps, one encode, checked."""
    laid = place_chunks(job.metas, job.rate)
    steps = StepTimeline(job.rate, laid.total)
    for item in laid.placed:
        steps.add(item.start, item.meta["loudness"]["steps"])
    master = mastering.for_loudness(steps.integrated_lufs(), job.target, job.fmt.name)
    chapters = chapter_marks(job.plan.chapters, laid, job.rate)
    tries: list[tuple[mastering.Mastering, tuple[float, float]]] = []
    for _ in range(MAX_CORRECTIONS + 1):
        with FfmpegEncoder(
            output,
            job.rate,
            job.fmt.name,
            bitrate=job.bitrate or None,
            tags=tags,
            chapters=chapters,
        ) as encoder:
            for block in mastered_blocks(laid.placed, job.chunks, job.rate, master):
                encoder.write(block)
        measured = _measure_file(output, job.rate)
        tries.append((master, measured))
        if mastering.in_spec(*measured, job.target):
            break
        _LOGGER.info(
            "%s: %.2f LUFS, %.2f dBTP at %+.2f dB; mastering again", job, *measured, master.gain_db
        )
        master = mastering.corrected(tries, job.target)
    master, measured = tries[-1]
    chapter_files = []
    if job.plan.options.split_chapters:
        splitter = ChapterSplitter(job.workdir, job.plan, chapters, job.rate)
        for block in mastered_blocks(laid.placed, job.chunks, job.rate, master):
            splitter.write(block)
        splitter.close()
        chapter_files = splitter.upload(job.chunks.objects, job.chunks.keys)
    return _Assembled(laid, tries, chapter_files)


def _measure_file(path: Path, rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak (8x) of an encoded file, as a decoder sees it."""
    meter = FiguresMeter(rate, VERIFY_OVERSAMPLE)
    for samples in decode_blocks(path, rate):
        meter.add(samples)
    return meter.loudness.integrated_lufs(), meter.peak.true_peak_dbtp()


def _cover(plan: Plan, chunks: ChunkStore, workdir: Path) -> str | None:
    if not plan.options.cover_key:
        return None
    path = workdir / ("cover" + Path(plan.options.cover_key).suffix)
    chunks.objects.download_file(plan.options.cover_key, path)
    return str(path)


def _upload_output(plan: Plan, chunks: ChunkStore, path: Path, fmt: Format) -> str:
    """Upload the audio to the job's prefix, or to the `--output` location the user named."""
    if plan.options.output_uri:
        target = parse_s3_uri(plan.options.output_uri)
        chunks.objects.for_bucket(target.bucket).upload_file(target.key, path, fmt.mime)
        return target.uri
    key = chunks.keys.output(fmt.extension)
    chunks.objects.upload_file(key, path, fmt.mime)
    return f"s3://{chunks.objects.bucket}/{key}"


def _upload_artifacts(
    placed: list[Placed], rate: int, chunks: ChunkStore, ssml: list[tuple[float, int, str]]
) -> dict[str, str]:
    """Captions and speech marks, timed on the same timeline as the audio."""
    text, sentence_spans, word_spans = timed_spans(placed, rate)
    cues = captions.cues_from_spans(text, sentence_spans)
    marks = captions.speech_marks(text, sentence_spans, word_spans, ssml=ssml)
    bodies = {
        "captions.vtt": (captions.to_webvtt(cues), "text/vtt"),
        "captions.srt": (captions.to_srt(cues), "text/plain"),
        "marks.json": (captions.to_jsonl(marks), "application/x-ndjson"),
    }
    uris = {}
    for name, (body, mime) in bodies.items():
        key = chunks.keys.artifact(name)
        chunks.objects.put_bytes(key, body.encode(), mime)
        uris[name] = f"s3://{chunks.objects.bucket}/{key}"
    return uris
