"""Files mastered on their own to a preset: the whole book where it is not joined from parts, and,
for per-chapter presets (ACX), each chapter, credit and the retail sample.

Each file is the run of placed chunks it holds, with the preset's room tone before the first
and after the last, encoded at the preset's sample rate and bitrate, then decoded and measured
in the preset's own terms (RMS and sample peaks for ACX, integrated loudness and true peak
otherwise). A file that missed its target or ceiling is mastered again (`mastering.corrected`);
the last measurement is its compliance report, so the report is of the delivered bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.delivered import CODECS, measure_delivered
from narration.adapters.ffmpeg import FfmpegEncoder
from narration.pipeline import compliance, mastering
from narration.pipeline.audio import from_wav_bytes
from narration.pipeline.chunk_meta import loudness_of
from narration.pipeline.compliance import ComplianceReport, Measured, sum_of_squares
from narration.pipeline.formats import ChapterMark, Format, Tags
from narration.pipeline.limiter import Limiter
from narration.pipeline.presets import ACX_LIMITER_CEILING_DBTP, Preset
from narration.pipeline.step_loudness import StepTimeline
from narration.pipeline.timeline import Placed, with_inserts

_LOGGER = logging.getLogger(__name__)
MAX_CORRECTIONS: Final = 3
RMS_MARGIN_DB: Final = 0.5
RETAIL_SAMPLE_S: Final = 180.0
"""How much of the first narrated chapter the retail sample takes, cut at a chunk's end."""


@dataclass(frozen=True)
class FileSpec:
    """How one job's files are encoded and what they must measure."""

    preset: Preset
    target_db: float | None
    fmt: Format
    bitrate: str
    rate: int
    """The timeline's (the voice's) sample rate."""

    @property
    def output_rate(self) -> int:
        return self.preset.sample_rate or self.rate


@dataclass(frozen=True)
class MasteredFile:
    """A file made, the mastering that made it, its tries and its last measurement."""

    path: Path
    tries: list[tuple[mastering.Mastering, tuple[float, float]]]
    measured: Measured

    def compliance(self, spec: FileSpec, role: str = "programme") -> ComplianceReport:
        codec = CODECS[spec.fmt.name]
        return compliance.report(spec.preset, spec.target_db, self.measured, codec, role)


def file_blocks(
    items: Sequence[Placed], chunks: ChunkStore, head: int, tail: int
) -> Iterator[np.ndarray]:
    """`head` samples of room tone, the chunks with the pauses between them, `tail` samples."""
    yield np.zeros(head, dtype=np.float32)
    for number, item in enumerate(items):
        yield from_wav_bytes(chunks.audio(item.meta))[0]
        pause = tail if number == len(items) - 1 else item.pause_after
        yield np.zeros(pause, dtype=np.float32)


def master_file(
    spec: FileSpec,
    items: Sequence[Placed],
    chunks: ChunkStore,
    path: Path,
    edges: tuple[int, int],
    tags: Tags,
    chapters: Sequence[ChapterMark] = (),
    inserts: Sequence[tuple[int, np.ndarray]] = (),
) -> MasteredFile:
    """Encode `items` between `edges` (head and tail, in samples) into `path`, in spec, with
    the intro and outro `inserts` laid into the silence left for them."""
    head, tail = edges
    preset = spec.preset
    master = _first_guess(spec, items, chunks, edges)
    tries: list[tuple[mastering.Mastering, tuple[float, float]]] = []
    for _ in range(MAX_CORRECTIONS + 1):
        limiter = Limiter(spec.rate, master.ceiling_dbtp, gain_db=master.gain_db)
        with FfmpegEncoder(
            path,
            spec.rate,
            spec.fmt.name,
            bitrate=spec.bitrate or None,
            tags=tags,
            chapters=chapters,
            output_rate=spec.output_rate,
        ) as encoder:
            for block in with_inserts(file_blocks(items, chunks, head, tail), inserts):
                encoder.write(limiter.process(block))
            encoder.write(limiter.flush())
        measured = measure_delivered(path, with_loudness=True)
        figures = _figures(preset, measured)
        tries.append((master, figures))
        if _in_spec(spec, figures):
            break
        _LOGGER.info("%s: %.2f dB, peak %.2f dB; mastering again", path.name, *figures)
        assert spec.target_db is not None
        master = mastering.corrected(tries, spec.target_db, preset.ceiling_db)
    return MasteredFile(path, tries, measured)


def _figures(preset: Preset, measured: Measured) -> tuple[float, float]:
    """The loudness and peak in the preset's own measures."""
    assert measured.lufs is not None and measured.true_peak_dbtp is not None
    loudness = measured.levels.rms_db if preset.loudness == "rms" else measured.lufs
    peak = measured.levels.sample_peak_db if preset.peak == "sample" else measured.true_peak_dbtp
    return loudness, peak


def _first_guess(
    spec: FileSpec, items: Sequence[Placed], chunks: ChunkStore, edges: tuple[int, int]
) -> mastering.Mastering:
    """The mastering of a file's first encode.

    For a loudness target, from the chunks' stored loudness steps (as the parts are planned).
    For an RMS target, from the file's own unweighted RMS before any gain: RMS adds up as
    energy, so one pass over the chunks gives it exactly, and the gain that moves it onto the
    target lands within about 0.1 dB (the limiter, 1 dB under ACX's peak limit, barely works
    on speech at -20 dB RMS); the stored steps are K-weighted, and their relation to RMS moves
    by 5 dB between a chapter and a short credit that is mostly room tone.
    """
    head, tail = edges
    if spec.target_db is None:
        return mastering.for_preset(spec.preset, 0.0, spec.fmt.name)
    if spec.preset.loudness == "rms":
        energy, samples = 0.0, 0
        for block in file_blocks(items, chunks, head, tail):
            energy += sum_of_squares(block.astype(np.float64))
            samples += len(block)
        rms_db = compliance.to_db(energy / max(1, samples))
        return mastering.Mastering(spec.target_db - rms_db, ACX_LIMITER_CEILING_DBTP)
    steps = StepTimeline(spec.rate, head + items[-1].end - items[0].start)
    for item in items:
        steps.add(head + item.start - items[0].start, loudness_of(item.meta)["steps"])
    return mastering.for_loudness(steps.integrated_lufs(), spec.target_db, spec.fmt.name)


def _in_spec(spec: FileSpec, figures: tuple[float, float]) -> bool:
    """Whether a file needs no other encode. An RMS target is met anywhere inside the preset's
    window with `RMS_MARGIN_DB` to spare: a file that is mostly room tone (a short credit) can
    only be pushed onto -20 dB by limiting its speech hard."""
    preset, (loudness, peak) = spec.preset, figures
    if spec.target_db is None:
        return True
    window = preset.loudness_window(spec.target_db)
    if preset.loudness == "rms" and window is not None:
        inside = window[0] + RMS_MARGIN_DB <= loudness <= window[1] - RMS_MARGIN_DB
        if inside and peak <= preset.ceiling_db:
            return True
    return mastering.in_spec(loudness, peak, spec.target_db, preset.ceiling_db)


def chapter_runs(placed: Sequence[Placed]) -> list[list[Placed]]:
    """The placed chunks grouped by chapter, in order."""
    runs: list[list[Placed]] = []
    for item in placed:
        if not runs or item.meta["chapter"] != runs[-1][0].meta["chapter"]:
            runs.append([])
        runs[-1].append(item)
    return runs


def retail_excerpt(runs: Sequence[Sequence[Placed]], rate: int, skip_first: bool) -> list[Placed]:
    """The first narrated chapter's chunks that end within `RETAIL_SAMPLE_S` of its first word
    (at least one); `skip_first` passes over the opening credits."""
    chapter = runs[1] if skip_first and len(runs) > 1 else runs[0]
    limit = chapter[0].start + round(RETAIL_SAMPLE_S * rate)
    return [item for item in chapter if item.end <= limit] or [chapter[0]]
