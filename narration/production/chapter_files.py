"""One file per chapter (`--split-chapters`) for formats without parts: the mastered stream cut
at the chapter marks. Formats with parts join each chapter's parts instead
(`production.joined_parts`); per-chapter presets master each chapter on its own
(`production.mastered_files`). Every chapter file is measured as delivered and carries its
compliance report."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from narration.adapters.chunk_store import JobKeys
from narration.adapters.delivered import CODECS, measure_delivered
from narration.adapters.ffmpeg import FfmpegEncoder
from narration.adapters.object_store import ObjectStore
from narration.pipeline import compliance
from narration.pipeline.compliance import ComplianceReport
from narration.pipeline.formats import ChapterMark, Format, Tags, get_format
from narration.pipeline.manifest import ChapterFile
from narration.pipeline.plan import Plan
from narration.production.mastered_files import FileSpec


class ChapterSplitter:
    """Cuts the limited output stream at chapter marks into one encoded file per chapter."""

    def __init__(
        self, workdir: Path, plan: Plan, chapters: list[ChapterMark], rate: int, spec: FileSpec
    ) -> None:
        self._plan = plan
        self._spec = spec
        self._fmt = get_format(plan.options.format)
        self._rate = rate
        self._bounds = [(round(m.start_s * rate), round(m.end_s * rate), m.title) for m in chapters]
        self._paths = [
            workdir / f"chapter-{n:03d}.{self._fmt.extension}" for n in range(len(chapters))
        ]
        self._position = 0
        self._current = -1
        self._encoder: FfmpegEncoder | None = None

    def write(self, block: np.ndarray) -> None:
        offset = 0
        while offset < len(block):
            number = self._chapter_at(self._position)
            if number != self._current:
                self._switch(number)
            end = self._bounds[number][1]
            take = min(len(block) - offset, end - self._position)
            assert self._encoder is not None
            self._encoder.write(block[offset : offset + take])
            offset += take
            self._position += take

    def _chapter_at(self, position: int) -> int:
        for number, (_, end, _) in enumerate(self._bounds):
            if position < end:
                return number
        return len(self._bounds) - 1

    def _switch(self, number: int) -> None:
        if self._encoder is not None:
            self._encoder.__exit__(None, None, None)
        title = self._bounds[number][2]
        tags = Tags(title=title, album=self._plan.title, artist=self._plan.author)
        self._encoder = FfmpegEncoder(
            self._paths[number],
            self._rate,
            self._fmt.name,
            bitrate=self._spec.bitrate or None,
            tags=tags,
            output_rate=self._spec.output_rate,
        ).open()
        self._current = number

    def close(self) -> None:
        if self._encoder is not None:
            self._encoder.__exit__(None, None, None)
            self._encoder = None

    def upload(self, store: ObjectStore, keys: JobKeys) -> list[ChapterFile]:
        """Upload the chapter files; their titles, URIs and compliance for the manifest."""
        files = []
        for number, path in enumerate(self._paths):
            if path.exists():
                title = self._bounds[number][2]
                report = measured_report(self._spec, path)
                files.append(upload_chapter(store, keys, self._fmt, number, path, title, report))
        return files


def measured_report(spec: FileSpec, path: Path, role: str = "programme") -> ComplianceReport:
    """The compliance report of a delivered file, measured on its decoded samples."""
    measured = measure_delivered(path, with_loudness=True)
    return compliance.report(spec.preset, spec.target_db, measured, CODECS[spec.fmt.name], role)


def upload_chapter(
    store: ObjectStore,
    keys: JobKeys,
    fmt: Format,
    number: int,
    path: Path,
    title: str,
    report: ComplianceReport,
    role: str = "chapter",
) -> ChapterFile:
    """Upload chapter file `number` (from 0); its manifest entry."""
    key = keys.chapter_output(number + 1, fmt.extension)
    store.upload_file(key, path, fmt.mime)
    return {
        "title": title,
        "role": role,
        "uri": f"s3://{store.bucket}/{key}",
        "compliance": report,
    }
