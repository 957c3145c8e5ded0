"""One file per chapter (`--split-chapters`) for formats without parts: the mastered stream cut
at the chapter marks. Formats with parts join each chapter's parts instead (`workers.stitch`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from narration.adapters.chunk_store import JobKeys
from narration.adapters.ffmpeg import FfmpegEncoder
from narration.adapters.object_store import ObjectStore
from narration.pipeline.formats import ChapterMark, Tags, get_format
from narration.pipeline.plan import Plan


class ChapterSplitter:
    """Cuts the limited output stream at chapter marks into one encoded file per chapter."""

    def __init__(self, workdir: Path, plan: Plan, chapters: list[ChapterMark], rate: int) -> None:
        self._plan = plan
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
            self._paths[number], self._rate, self._fmt.name, tags=tags
        ).open()
        self._current = number

    def close(self) -> None:
        if self._encoder is not None:
            self._encoder.__exit__(None, None, None)
            self._encoder = None

    def upload(self, store: ObjectStore, keys: JobKeys) -> list[dict[str, Any]]:
        """Upload the chapter files; their titles and URIs for the manifest."""
        files = []
        for number, path in enumerate(self._paths):
            if path.exists():
                key = keys.chapter_output(number + 1, self._fmt.extension)
                store.upload_file(key, path, self._fmt.mime)
                files.append(
                    {"title": self._bounds[number][2], "uri": f"s3://{store.bucket}/{key}"}
                )
        return files
