"""Stitch a job: join its parts (or encode the whole), upload the outputs, manifest last.

The timeline is computed from the chunk metadata alone (`pipeline.timeline`), in whole samples,
so the manifest, chapters, captions and speech marks agree with the audio to the sample.

For formats whose parts join by bytes (MP3, AAC, WAV), each part (a segment, or a piece of a
long one: `Plan.parts`) was mastered, encoded and measured by the worker that finished its
chunks (`production.parts`), while the rest of the book was still being synthesised. The stitch
adds up the parts' measured loudness steps and true peaks, which are the delivered file's own,
so no audio is read or decoded again; it re-makes only parts that are missing or, rarely, that
missed the target, then downloads the parts and concatenates them. Opus and Vorbis streams do
not join that way: for them the stitch decides the gain from the chunks' stored loudness steps
and encodes the whole timeline, then decodes the file to check it. Either way one chunk or one
part is in memory at a time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from narration.adapters.bookends import bookend_inserts
from narration.adapters.chunk_store import ChunkStore
from narration.adapters.delivered import CODECS, measure_delivered, stream_facts
from narration.adapters.object_store import parse_s3_uri
from narration.adapters.part_encoding import codec_framing, join_parts
from narration.pipeline import compliance, mastering
from narration.pipeline.compliance import Measured
from narration.pipeline.formats import ChapterMark, Format, Tags, get_format
from narration.pipeline.manifest import Delivered, LoudnessReport, build_manifest
from narration.pipeline.plan import Plan
from narration.pipeline.presets import encoded_in_parts, get_preset
from narration.pipeline.step_loudness import StepTimeline
from narration.pipeline.stitch_meta import trim_chunk_meta, trim_part_meta
from narration.pipeline.timeline import (
    LEAD_IN_S,
    TAIL_S,
    Part,
    Timeline,
    chapter_marks,
    place_chunks,
    ssml_marks,
)
from narration.production.artifacts import upload_artifacts
from narration.production.chapter_files import ChapterSplitter, upload_chapter
from narration.production.mastered_files import (
    FileSpec,
    MasteredFile,
    chapter_runs,
    master_file,
    retail_excerpt,
)
from narration.production.parts import make_part, mastered_blocks

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
    compliance: dict[str, Any]
    output_path: Path
    retail_sample: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Job:
    plan: Plan
    chunks: ChunkStore
    metas: list[dict[str, Any]]
    fmt: Format
    rate: int
    bitrate: str
    workdir: Path
    spec: FileSpec

    def __str__(self) -> str:
        return f"job {self.plan.job_id}"

    @property
    def target(self) -> float:
        return self.plan.options.loudness_lufs

    def part_metas(self, number: int) -> list[dict[str, Any]]:
        """The metadata of the chunks of part `number` (`Plan.parts`)."""
        return [self.metas[chunk.seq] for chunk in self.plan.parts[number]]

    def chapter_tags(self, title: str) -> Tags:
        return Tags(title=title, album=self.plan.title, artist=self.plan.author)


def stitch_job(
    plan: Plan, chunks: ChunkStore, workdir: Path, metas: list[dict[str, Any]] | None = None
) -> StitchResult:
    """Stitch, encode and upload a job; the manifest goes up last and marks completion.

    `metas` are the chunks' metadata in order, when the caller has read them already; they
    are trimmed in place to what the stitch reads (`pipeline.stitch_meta`), as it reads them."""
    keep = reads_chunk_loudness(plan)
    if metas:
        metas = [trim_chunk_meta(meta, keep) for meta in metas]
    else:
        metas = [trim_chunk_meta(chunks.meta(c.seq), keep) for c in plan.chunks]
    chunks.mark_used(metas)
    fmt = get_format(plan.options.format)
    rate = int(metas[0]["sample_rate"])
    bitrate = plan.options.bitrate or fmt.bitrate or ""
    preset = get_preset(plan.options.master)
    target = None if preset.target_db is None else plan.options.loudness_lufs
    spec = FileSpec(preset, target, fmt, bitrate, rate)
    job = _Job(plan, chunks, metas, fmt, rate, bitrate, workdir, spec)
    output = workdir / f"output.{fmt.extension}"
    tags = Tags(
        title=plan.title,
        artist=plan.author or plan.voice_info.get("name", ""),
        album=plan.title,
        comment=f"Narrated by narration with voice {plan.options.voice}",
        language=plan.language,
        cover=_cover(plan, chunks, workdir),
    )
    if encoded_in_parts(fmt.name, preset.name):
        assembled = _join_parts(job, output, tags)
        if plan.options.retail_sample:
            assembled = replace(assembled, retail_sample=_retail_sample(job, assembled.laid, tags))
    else:
        assembled = deliver_files(job, output, tags)
    laid = assembled.laid
    chapters = chapter_marks(plan.chapters, laid, rate)
    delivered = Delivered(
        output_uri=_upload_output(plan, chunks, assembled.output_path, fmt),
        chapter_files=assembled.chapter_files,
        compliance=assembled.compliance,
        retail_sample=assembled.retail_sample,
        artifacts=upload_artifacts(
            laid.placed,
            rate,
            chunks,
            ssml_marks(laid.placed, [c.marks for c in plan.chunks], rate),
            workdir,
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


def reads_chunk_loudness(plan: Plan) -> bool:
    """Whether the stitch reads the chunks' loudness steps (`pipeline.stitch_meta`): files
    mastered whole (Opus, resampling presets, a retail sample) start from them; parts do not."""
    options = plan.options
    return options.retail_sample or not encoded_in_parts(options.format, options.master)


def _join_parts(job: _Job, output: Path, tags: Tags) -> _Assembled:
    """Bring every part into spec from the parts' own figures, then concatenate them."""
    laid = place_chunks(
        job.metas,
        job.rate,
        codec_framing(job.fmt, job.rate, job.bitrate),
        bookends=job.plan.options.bookends(job.rate),
        cuts=job.plan.cuts,
    )
    master = mastering.for_preset(job.spec.preset, job.target, job.fmt.name)
    count = len(job.plan.parts)
    stored = job.chunks.part_metas(count)
    masters = [master] * count
    tries: list[tuple[mastering.Mastering, tuple[float, float]]] = []
    for _ in range(MAX_CORRECTIONS + 1):
        made = [
            _fitting(part, laid, number, masters[number]) or _remake(job, number, masters[number])
            for number, part in enumerate(stored)
        ]
        measured = _programme(made, laid, job.rate)
        tries.append((master, measured))
        if job.spec.target_db is None or mastering.in_spec(*measured, job.target):
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
    paths = [job.workdir / f"part-{number:05d}" for number in range(len(made))]
    job.chunks.download_parts(made, paths)
    chapters = chapter_marks(job.plan.chapters, laid, job.rate)
    join_parts(paths, output, job.fmt, job.rate, tags, chapters)
    chapter_files = []
    if job.plan.options.split_chapters:
        chapter_files = _join_chapters(job, paths, made, laid, chapters)
    ceiling = min(part.get("limited_dbtp", part["ceiling_dbtp"]) for part in made)
    tries[-1] = (mastering.Mastering(tries[-1][0].gain_db, ceiling), measured)
    report = _report(job, _joined(job, made, laid.parts, output))
    return _Assembled(laid, tries, chapter_files, report, output)


def _report(job: _Job, measured: Measured) -> dict[str, Any]:
    return compliance.report(job.spec.preset, job.spec.target_db, measured, CODECS[job.fmt.name])


def _joined(job: _Job, parts: list[dict[str, Any]], spans: list[Part], path: Path) -> Measured:
    """The measures of a file joined from `parts` (laid out as `spans`). The parts' figures are
    its own (it decodes to them sample for sample), so it is not decoded again; parts cached
    before parts kept their levels are made up for by decoding the file once."""
    facts = stream_facts(path, frames=job.spec.preset.min_bitrate_kbps > 0)
    total = sum(span.samples for span in spans)
    steps = StepTimeline(job.rate, total)
    for part, span in zip(parts, spans, strict=True):
        steps.add(span.start - spans[0].start, part["steps"])
    lufs, peak = steps.integrated_lufs(), max(part["true_peak_dbtp"] for part in parts)
    if all("levels" in part for part in parts):
        levels = compliance.joined_levels([part["levels"] for part in parts], total, job.rate)
        return Measured(levels, facts, lufs, peak)
    return replace(measure_delivered(path, with_loudness=False), lufs=lufs, true_peak_dbtp=peak)


def _fitting(
    part: dict[str, Any] | None, laid: Timeline, number: int, master: mastering.Mastering
) -> dict[str, Any] | None:
    """A stored part, if it was laid out as this timeline's and mastered as planned."""
    if part is None or part["samples"] != laid.parts[number].samples:
        return None
    if part["gain_db"] != round(master.gain_db, 4):
        return None
    return trim_part_meta(part) if part["ceiling_dbtp"] == round(master.ceiling_dbtp, 4) else None


def _remake(job: _Job, number: int, master: mastering.Mastering) -> dict[str, Any]:
    """A part that a worker did not leave (it died after the part's last chunk) or that
    must be mastered otherwise."""
    metas = job.part_metas(number)
    return trim_part_meta(make_part(job.plan, job.chunks, number, metas, master))


def _programme(parts: list[dict[str, Any]], laid: Timeline, rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak of the joined parts, from their measured figures."""
    steps = StepTimeline(rate, laid.total)
    for part, span in zip(parts, laid.parts, strict=True):
        steps.add(span.start, part["steps"])
    return steps.integrated_lufs(), max(part["true_peak_dbtp"] for part in parts)


def _join_chapters(
    job: _Job,
    paths: list[Path],
    made: list[dict[str, Any]],
    laid: Timeline,
    chapters: list[ChapterMark],
) -> list[Any]:
    """One file per chapter: the chapter's parts joined (segments never cross chapters)."""
    by_chapter: dict[int, list[int]] = {}
    for number, run in enumerate(job.plan.parts):
        by_chapter.setdefault(run[0].chapter, []).append(number)
    files = []
    store, keys = job.chunks.objects, job.chunks.keys
    for number, (chapter, numbers) in enumerate(sorted(by_chapter.items())):
        title = job.plan.chapters[chapter]
        path = job.workdir / f"chapter-{number:03d}.{job.fmt.extension}"
        join_parts(
            [paths[n] for n in numbers], path, job.fmt, job.rate, job.chapter_tags(title), []
        )
        measured = _joined(job, [made[n] for n in numbers], [laid.parts[n] for n in numbers], path)
        files.append(
            upload_chapter(store, keys, job.fmt, number, path, title, _report(job, measured))
        )
    assert len(files) == len(chapters)
    return files


def deliver_files(job: _Job, output: Path, tags: Tags) -> _Assembled:
    """Formats or presets without parts: each file mastered on its own and measured
    (`production.mastered_files`); for a per-chapter preset, every chapter and credit is a file of
    its own, and the whole book is made too unless it is that one chapter."""
    preset, options, store, keys = (
        job.spec.preset,
        job.plan.options,
        job.chunks.objects,
        job.chunks.keys,
    )
    edges_s, edges = _edges(job)
    laid = place_chunks(
        job.metas,
        job.rate,
        edges=edges_s,
        bookends=job.plan.options.bookends(job.rate),
        cuts=job.plan.cuts,
    )
    inserts = bookend_inserts(job.chunks.objects, options, laid.placed, True, True)
    chapters = chapter_marks(job.plan.chapters, laid, job.rate)
    runs = chapter_runs(laid.placed)
    chapter_files: list[dict[str, Any]] = []
    made: list[MasteredFile] = []
    if preset.per_chapter:
        for number, run in enumerate(runs):
            title = job.plan.chapters[run[0].meta["chapter"]]
            path = job.workdir / f"chapter-{number:03d}.{job.fmt.extension}"
            made.append(
                master_file(job.spec, run, job.chunks, path, edges, job.chapter_tags(title))
            )
            report = made[-1].compliance(job.spec)
            role = _role(options.opening_credits, options.closing_credits, number, len(runs))
            chapter_files.append(
                upload_chapter(store, keys, job.fmt, number, path, title, report, role)
            )
    if preset.per_chapter and len(runs) == 1:
        whole = made[0]
        report = chapter_files[0]["compliance"]
    else:
        book_edges = (laid.placed[0].start, laid.placed[-1].pause_after)
        whole = master_file(
            job.spec, laid.placed, job.chunks, output, book_edges, tags, chapters, inserts
        )
        report = whole.compliance(job.spec, "book" if preset.per_chapter else "programme")
    if options.split_chapters and not preset.per_chapter:
        splitter = ChapterSplitter(job.workdir, job.plan, chapters, job.rate, job.spec)
        master = whole.tries[-1][0]
        for block in mastered_blocks(laid.placed, job.chunks, job.rate, master, inserts):
            splitter.write(block)
        splitter.close()
        chapter_files = splitter.upload(store, keys)
    sample = _retail_sample(job, laid, tags) if options.retail_sample else None
    return _Assembled(laid, whole.tries, chapter_files, report, whole.path, sample)


def _retail_sample(job: _Job, laid: Timeline, tags: Tags) -> dict[str, Any]:
    """The retail sample: the opening of the first narrated chapter, mastered as a file of its
    own with the preset's room tone, uploaded next to the output."""
    items = retail_excerpt(chapter_runs(laid.placed), job.rate, job.plan.options.opening_credits)
    path = job.workdir / f"retail-sample.{job.fmt.extension}"
    excerpt = master_file(job.spec, items, job.chunks, path, _edges(job)[1], tags)
    key = job.chunks.keys.artifact(path.name)
    job.chunks.objects.upload_file(key, path, job.fmt.mime)
    return {
        "uri": f"s3://{job.chunks.objects.bucket}/{key}",
        "duration_s": round(excerpt.measured.levels.duration_s, 3),
        "compliance": excerpt.compliance(job.spec, "retail_sample"),
    }


def _edges(job: _Job) -> tuple[tuple[float, float], tuple[int, int]]:
    """The room tone before the first and after the last words of a file, in seconds and in
    samples: the preset's, else the timeline's lead-in and tail."""
    preset = job.spec.preset
    seconds = (
        LEAD_IN_S if preset.head_s is None else preset.head_s,
        TAIL_S if preset.tail_s is None else preset.tail_s,
    )
    return seconds, (round(seconds[0] * job.rate), round(seconds[1] * job.rate))


def _role(opening: bool, closing: bool, number: int, count: int) -> str:
    if opening and number == 0:
        return "opening_credits"
    if closing and number == count - 1:
        return "closing_credits"
    return "chapter"


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
