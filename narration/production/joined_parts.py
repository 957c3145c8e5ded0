"""Output joined from encoded parts (MP3, AAC, WAV): each part (a segment, or a piece of a
long one: `Plan.parts`) was mastered, encoded and measured by the worker that finished its
chunks (`production.parts`), while the rest of the book was still being synthesised.

The programme's loudness steps and true peak are added up from the parts' measured figures,
which are the delivered file's own, so no audio is read or decoded again; only parts that are
missing or, rarely, that missed the target are made again, then the parts are downloaded and
concatenated.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Final

from narration.adapters.delivered import CODECS, measure_delivered, stream_facts
from narration.adapters.part_encoding import codec_framing, join_parts
from narration.pipeline import compliance, mastering
from narration.pipeline.chunk_meta import PartMeta
from narration.pipeline.compliance import ComplianceReport, Measured
from narration.pipeline.formats import ChapterMark, Tags
from narration.pipeline.manifest import ChapterFile
from narration.pipeline.step_loudness import StepTimeline
from narration.pipeline.stitch_meta import trim_part_meta
from narration.pipeline.timeline import Part, Timeline, chapter_marks, place_chunks
from narration.production.assembly import Assembled, StitchJob
from narration.production.chapter_files import upload_chapter
from narration.production.parts import make_part

_LOGGER = logging.getLogger(__name__)
MAX_CORRECTIONS: Final = 3
"""Encodes after the first that may still be needed to bring a programme into spec."""


def join_parts_in_spec(job: StitchJob, output: Path, tags: Tags) -> Assembled:
    """The output joined from the parts: every part brought into spec from the parts' own
    figures, then concatenated."""
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
    return Assembled(laid, tries, chapter_files, report, output)


def _report(job: StitchJob, measured: Measured) -> ComplianceReport:
    return compliance.report(job.spec.preset, job.spec.target_db, measured, CODECS[job.fmt.name])


def _joined(job: StitchJob, parts: list[PartMeta], spans: list[Part], path: Path) -> Measured:
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
    part: PartMeta | None, laid: Timeline, number: int, master: mastering.Mastering
) -> PartMeta | None:
    """A stored part, if it was laid out as this timeline's and mastered as planned."""
    if part is None or part["samples"] != laid.parts[number].samples:
        return None
    if part["gain_db"] != round(master.gain_db, 4):
        return None
    return trim_part_meta(part) if part["ceiling_dbtp"] == round(master.ceiling_dbtp, 4) else None


def _remake(job: StitchJob, number: int, master: mastering.Mastering) -> PartMeta:
    """A part that a worker did not leave (it died after the part's last chunk) or that
    must be mastered otherwise."""
    metas = job.part_metas(number)
    return trim_part_meta(make_part(job.plan, job.chunks, number, metas, master))


def _programme(parts: list[PartMeta], laid: Timeline, rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak of the joined parts, from their measured figures."""
    steps = StepTimeline(rate, laid.total)
    for part, span in zip(parts, laid.parts, strict=True):
        steps.add(span.start, part["steps"])
    return steps.integrated_lufs(), max(part["true_peak_dbtp"] for part in parts)


def _join_chapters(
    job: StitchJob,
    paths: list[Path],
    made: list[PartMeta],
    laid: Timeline,
    chapters: list[ChapterMark],
) -> list[ChapterFile]:
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
