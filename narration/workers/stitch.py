"""Stitch a job: place its chunks, master and encode them, upload the outputs, manifest last.

The timeline is computed first from the chunk metadata alone (`pipeline.timeline`), in whole
samples, so the manifest, chapters, captions and speech marks agree with the audio to the
sample. Pass 1 reads every chunk once from the chunk store, measures integrated loudness
(ITU-R BS.1770) and spools the PCM to a local file (`adapters.pcm_spool`); the limiter probes
(`pipeline.mastering`) and the encode read that file. The encode applies one gain and a
true-peak limiter and streams into ffmpeg; the delivered file is then decoded and measured,
and encoded once more only if it missed its loudness tolerance or ceiling. Only one chunk is
in memory at a time, so a ten-hour book stitches in constant memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.ffmpeg import FfmpegEncoder, decode_blocks
from narration.adapters.object_store import parse_s3_uri
from narration.adapters.pcm_spool import PcmSpool
from narration.pipeline import captions, mastering
from narration.pipeline.formats import ChapterMark, Format, Tags, get_format
from narration.pipeline.loudness import Limiter, LoudnessMeter, TruePeakMeter, gain_for_target
from narration.pipeline.manifest import Delivered, LoudnessReport, build_manifest
from narration.pipeline.plan import Plan
from narration.pipeline.timeline import (
    Placed,
    chapter_marks,
    place_chunks,
    ssml_marks,
    timed_spans,
)
from narration.workers.chapter_files import ChapterSplitter, write_chapter_files


@dataclass(frozen=True)
class StitchResult:
    output_uri: str
    duration_s: float
    manifest: dict[str, Any]


def measure_file(path: Path, rate: int) -> tuple[float, float]:
    """Integrated loudness and true peak of an encoded file, as a listener's decoder sees it.

    Lossy codecs change both (a 64 kbit/s MP3 of limited speech decodes up to 1.5 dB above the
    PCM's true peak), so the delivered file is measured, streaming, not the PCM sent to it.
    """
    loudness, peak = LoudnessMeter(rate), TruePeakMeter(rate)
    for samples in decode_blocks(path, rate):
        loudness.add(samples)
        peak.add(samples)
    return loudness.integrated_lufs(), peak.true_peak_dbtp()


@dataclass(frozen=True)
class _Output:
    """What one encode of the whole timeline writes, and how."""

    path: Path
    rate: int
    fmt: Format
    bitrate: str
    tags: Tags
    chapters: list[ChapterMark]

    def encode(self, spool: PcmSpool, gain_db: float, ceiling: float) -> tuple[float, float]:
        """Master and encode the timeline; the delivered file's loudness and true peak."""
        limiter = Limiter(self.rate, ceiling, gain_db=gain_db)
        with FfmpegEncoder(
            self.path,
            self.rate,
            self.fmt.name,
            bitrate=self.bitrate or None,
            tags=self.tags,
            chapters=self.chapters,
        ) as encoder:
            for block in spool.blocks():
                encoder.write(limiter.process(block))
            encoder.write(limiter.flush())
        return measure_file(self.path, self.rate)


def stitch_job(plan: Plan, chunks: ChunkStore, workdir: Path) -> StitchResult:
    """Stitch, encode and upload a job; the manifest goes up last and marks completion."""
    metas = [chunks.meta(c.seq) for c in plan.chunks]
    chunks.mark_used(metas)
    rate = int(metas[0]["sample_rate"])
    placed, total = place_chunks(metas, rate)
    fmt = get_format(plan.options.format)
    chapters = chapter_marks(plan.chapters, placed, total, rate)
    tags = Tags(
        title=plan.title,
        artist=plan.author or plan.voice_info.get("name", ""),
        album=plan.title,
        comment=f"Narrated by narration with voice {plan.options.voice}",
        language=plan.language,
        cover=_cover(plan, chunks, workdir),
    )
    output = _Output(
        workdir / f"output.{fmt.extension}", rate, fmt, plan.options.bitrate, tags, chapters
    )
    ceiling, codec_loss = mastering.ceiling_for(fmt.name)
    spool = PcmSpool(workdir / "stitch-pcm.s16", placed)
    meter = LoudnessMeter(rate)
    spool.fill(chunks.audio, meter.add)
    target = plan.options.loudness_lufs
    gain_db = gain_for_target(meter.integrated_lufs(), target)
    gain_db = mastering.solve_gain(spool.blocks, len(placed), rate, gain_db + codec_loss, ceiling)
    measured = output.encode(spool, gain_db, ceiling)
    if mastering.needs_second_pass(*measured, target):
        gain_db, ceiling = mastering.second_pass(
            spool.blocks, len(placed), rate, measured, target, (gain_db, ceiling)
        )
        measured = output.encode(spool, gain_db, ceiling)
    chapter_files: list[dict[str, Any]] = []
    if plan.options.split_chapters:
        splitter = ChapterSplitter(workdir, plan, chapters, rate)
        write_chapter_files(splitter, spool.blocks(), rate, gain_db, ceiling)
        chapter_files = splitter.upload(chunks.objects, chunks.keys)
    spool.remove()

    delivered = Delivered(
        output_uri=_upload_output(plan, chunks, output.path, fmt),
        chapter_files=chapter_files,
        artifacts=_upload_artifacts(
            placed, rate, chunks, ssml_marks(placed, [c.marks for c in plan.chunks], rate)
        ),
    )
    loudness = LoudnessReport(measured[0], measured[1], target, gain_db, ceiling)
    manifest = build_manifest(plan, placed, total, rate, fmt.name, chapters, loudness, delivered)
    chunks.objects.put_bytes(
        chunks.keys.manifest,
        json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
        "application/json",
    )
    return StitchResult(delivered.output_uri, total / rate, manifest)


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
