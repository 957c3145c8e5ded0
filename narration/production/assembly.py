"""A job as its stitch works on it, and the output file the stitch assembles for it: what the
two ways of making the output (`production.joined_parts`, `production.whole_files`) share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narration.adapters.chunk_store import ChunkStore
from narration.pipeline import mastering
from narration.pipeline.chunk_meta import ChunkMeta
from narration.pipeline.compliance import ComplianceReport
from narration.pipeline.formats import Format, Tags
from narration.pipeline.manifest import ChapterFile, RetailSample
from narration.pipeline.plan import Plan
from narration.pipeline.timeline import Timeline
from narration.production.mastered_files import FileSpec


@dataclass(frozen=True)
class Assembled:
    """The encoded output file and what the stitch learned making it."""

    laid: Timeline
    tries: list[tuple[mastering.Mastering, tuple[float, float]]]
    chapter_files: list[ChapterFile]
    compliance: ComplianceReport
    output_path: Path
    retail_sample: RetailSample | None = None


@dataclass(frozen=True)
class StitchJob:
    """A job's plan, chunk store and chunk metadata, and the delivery it asks for."""

    plan: Plan
    chunks: ChunkStore
    metas: list[ChunkMeta]
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

    def part_metas(self, number: int) -> list[ChunkMeta]:
        """The metadata of the chunks of part `number` (`Plan.parts`)."""
        return [self.metas[chunk.seq] for chunk in self.plan.parts[number]]

    def chapter_tags(self, title: str) -> Tags:
        return Tags(title=title, album=self.plan.title, artist=self.plan.author)
