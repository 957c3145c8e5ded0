"""The manifest: what a finished job delivered, written last to mark the job complete.

Its fields are a contract (docs/OUTPUT.md); this module is the one place that shapes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, cast

from narration.pipeline.chunk_meta import ChunkMeta
from narration.pipeline.compliance import ComplianceReport
from narration.pipeline.engine import EngineFactsJson
from narration.pipeline.formats import ChapterMark
from narration.pipeline.key_order import inserted_after
from narration.pipeline.plan import Plan
from narration.pipeline.timeline import Placed


class ChapterFile(TypedDict):
    """A delivered chapter file (split chapters, per-chapter presets, credits)."""

    title: str
    role: str
    uri: str
    compliance: ComplianceReport


class RetailSample(TypedDict):
    """The retail sample delivered next to the output."""

    uri: str
    duration_s: float
    compliance: ComplianceReport


class LoudnessJson(TypedDict):
    """`LoudnessReport` as the manifest stores it."""

    measured_lufs: float
    measured_true_peak_dbtp: float
    target_lufs: float
    gain_db: float
    true_peak_ceiling_dbtp: float
    encodes: int


class ChapterJson(TypedDict):
    title: str
    start_s: float
    end_s: float


class ChunkEntry(TypedDict):
    """Where a chunk's speech lies in the output."""

    segment: int
    index: int
    seq: int
    text: str
    start_s: float
    end_s: float
    boundary_after: str


class Manifest(TypedDict):
    """The manifest (docs/OUTPUT.md), in its stored key order."""

    job_id: str
    title: str
    author: str
    language: str
    voice: str
    cast: NotRequired[dict[str, str]]
    """Only for a script: each speaker's voice, in order of appearance."""
    format: str
    sample_rate: int
    duration_s: float
    output_uri: str
    master: str
    compliance: ComplianceReport
    loudness: LoudnessJson
    engine: dict[str, Any]
    """Free-form: the engine's name, its parameters (the voice's own description) and facts."""
    chapters: list[ChapterJson]
    chapter_files: list[ChapterFile]
    retail_sample: NotRequired[RetailSample]
    skipped: list[dict[str, Any]]
    """Free-form: what the document's reader skipped, as it describes it."""
    coverage: float
    artifacts: dict[str, str]
    chunks: list[ChunkEntry]


@dataclass(frozen=True)
class LoudnessReport:
    """The delivered file's loudness as measured, and the mastering that produced it."""

    measured_lufs: float
    measured_true_peak_dbtp: float
    target_lufs: float
    gain_db: float
    true_peak_ceiling_dbtp: float
    encodes: int = 1
    """How many times the programme was mastered and encoded to land in spec."""


@dataclass(frozen=True)
class Delivered:
    """Where a job's outputs went: the audio, chapter files and the other artifacts."""

    output_uri: str
    chapter_files: list[ChapterFile]
    artifacts: dict[str, str]
    compliance: ComplianceReport
    """The output file's compliance report (`pipeline.compliance`)."""
    retail_sample: RetailSample | None = None


def engine_facts(metas: Iterable[ChunkMeta]) -> dict[str, Any]:
    """Device kind, precision and determinism of the engine that made the chunks.

    A job is rendered by one engine kind, but its chunks may come from workers on different
    devices (GPUs and CPUs serving the same queue): then `device` is `mixed` and `renderings`
    lists each combination."""
    seen: list[EngineFactsJson] = []
    for meta in metas:
        facts = meta.get("engine")
        if isinstance(facts, dict) and facts not in seen:
            seen.append(facts)
    if not seen:
        return {}
    if len(seen) == 1:
        return {key: value for key, value in seen[0].items() if key != "name"}
    return {"device": "mixed", "renderings": seen}


def build_manifest(
    plan: Plan,
    placed: Sequence[Placed],
    total_samples: int,
    rate: int,
    format_name: str,
    chapters: Sequence[ChapterMark],
    loudness: LoudnessReport,
    delivered: Delivered,
) -> Manifest:
    manifest: Manifest = {
        "job_id": plan.job_id,
        "title": plan.title,
        "author": plan.author,
        "language": plan.language,
        "voice": plan.options.voice,
        "format": format_name,
        "sample_rate": rate,
        "duration_s": round(total_samples / rate, 3),
        "output_uri": delivered.output_uri,
        "master": plan.options.master,
        "compliance": delivered.compliance,
        "loudness": {
            "measured_lufs": round(loudness.measured_lufs, 2),
            "measured_true_peak_dbtp": round(loudness.measured_true_peak_dbtp, 2),
            "target_lufs": loudness.target_lufs,
            "gain_db": round(loudness.gain_db, 2),
            "true_peak_ceiling_dbtp": loudness.true_peak_ceiling_dbtp,
            "encodes": loudness.encodes,
        },
        "engine": {
            "name": plan.options.engine,
            "params": {"seed": plan.options.seed, "voice": plan.voice_info},
            **engine_facts(item.meta for item in placed),
        },
        "chapters": [
            {"title": m.title, "start_s": round(m.start_s, 3), "end_s": round(m.end_s, 3)}
            for m in chapters
        ],
        "chapter_files": delivered.chapter_files,
        "skipped": list(plan.skipped),
        "coverage": round(plan.coverage, 4),
        "artifacts": delivered.artifacts,
        "chunks": [
            {
                "segment": item.meta["segment"],
                "index": item.meta["index"],
                "seq": item.meta["seq"],
                "text": item.meta["text"],
                "start_s": round(item.start / rate + item.meta["speech_start_s"], 3),
                "end_s": round(item.start / rate + item.meta["speech_end_s"], 3),
                "boundary_after": item.meta["boundary_after"],
            }
            for item in placed
        ],
    }
    if plan.options.cast:
        manifest = cast(
            Manifest, inserted_after(manifest, "voice", "cast", dict(plan.options.cast))
        )
    if delivered.retail_sample:
        return _with_retail_sample(manifest, delivered.retail_sample)
    return manifest


def _with_retail_sample(manifest: Manifest, sample: RetailSample) -> Manifest:
    """`manifest` with the retail sample in its stored place, after the chapter files."""
    return cast(Manifest, inserted_after(manifest, "chapter_files", "retail_sample", sample))
