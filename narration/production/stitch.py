"""Stitch a job: assemble its output, upload it and its artifacts, the manifest last.

The timeline is computed from the chunk metadata alone (`pipeline.timeline`), in whole samples,
so the manifest, chapters, captions and speech marks agree with the audio to the sample.

Formats whose parts join by bytes (MP3, AAC, WAV) are joined from the parts the workers
encoded while the book was synthesised (`production.joined_parts`); the others are mastered
and encoded as whole files (`production.whole_files`). Either way one chunk or one part is in
memory at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.object_store import parse_s3_uri
from narration.pipeline.chunk_meta import ChunkMeta
from narration.pipeline.formats import Format, Tags, get_format
from narration.pipeline.manifest import Delivered, LoudnessReport, Manifest, build_manifest
from narration.pipeline.plan import Plan
from narration.pipeline.presets import encoded_in_parts, get_preset
from narration.pipeline.stitch_meta import trim_chunk_meta
from narration.pipeline.timeline import chapter_marks, ssml_marks
from narration.production.artifacts import upload_artifacts
from narration.production.assembly import StitchJob
from narration.production.joined_parts import join_parts_in_spec
from narration.production.mastered_files import FileSpec
from narration.production.whole_files import deliver_files, retail_sample


@dataclass(frozen=True)
class StitchResult:
    output_uri: str
    duration_s: float
    manifest: Manifest


def stitch_job(
    plan: Plan, chunks: ChunkStore, workdir: Path, metas: list[ChunkMeta] | None = None
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
    job = StitchJob(plan, chunks, metas, fmt, rate, bitrate, workdir, spec)
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
        assembled = join_parts_in_spec(job, output, tags)
        if plan.options.retail_sample:
            assembled = replace(assembled, retail_sample=retail_sample(job, assembled.laid, tags))
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
