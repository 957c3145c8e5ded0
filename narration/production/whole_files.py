"""Output mastered as whole files, for formats or presets without parts (Opus and Vorbis
streams do not join by bytes; per-chapter and resampling presets master each file on its
own): the gain is decided from the chunks' stored loudness steps, the timeline encoded, and
the file decoded to check it. The retail sample is made so too, whatever the format.
"""

from __future__ import annotations

from pathlib import Path

from narration.adapters.bookends import bookend_inserts
from narration.pipeline.formats import Tags
from narration.pipeline.manifest import ChapterFile, RetailSample
from narration.pipeline.timeline import LEAD_IN_S, TAIL_S, Timeline, chapter_marks, place_chunks
from narration.production.assembly import Assembled, StitchJob
from narration.production.chapter_files import ChapterSplitter, upload_chapter
from narration.production.mastered_files import (
    MasteredFile,
    chapter_runs,
    master_file,
    retail_excerpt,
)
from narration.production.parts import mastered_blocks


def deliver_files(job: StitchJob, output: Path, tags: Tags) -> Assembled:
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
    chapter_files: list[ChapterFile] = []
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
    sample = retail_sample(job, laid, tags) if options.retail_sample else None
    return Assembled(laid, whole.tries, chapter_files, report, whole.path, sample)


def retail_sample(job: StitchJob, laid: Timeline, tags: Tags) -> RetailSample:
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


def _edges(job: StitchJob) -> tuple[tuple[float, float], tuple[int, int]]:
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
