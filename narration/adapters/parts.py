"""A segment's part of the output: encoded on its own, measured as decoded, joined by bytes.

Encoders delay their output and pad its end: a decoded MP3 starts with 1,105 samples (LAME's
576 plus the decoder's 529) before the first input sample, an AAC stream with 1,024, and both
end on a whole frame. A part is laid out on the timeline (`pipeline.timeline.Framing`) as a
whole number of frames that starts with at least `delay` samples of silence and ends with at
least half a frame of it. Its encoder is given the part without its first `delay` samples and
its last half frame, so the decoded part is exactly as long as the laid-out one and every sample
sits where the timeline puts it. The raw streams (MP3 frames without an info frame, AAC in
ADTS, PCM) then join by concatenation: the joined file decodes to the timeline, sample for
sample, with no delay or padding left to trim (tests/adapters/test_parts.py). The delay is
measured once per process by encoding a click, so a different ffmpeg build cannot shift it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from narration.adapters.ffmpeg import (
    FfmpegEncoder,
    container_options,
    decode_blocks,
    ffmpeg_exe,
    write_ffmetadata,
    write_tags_after,
)
from narration.errors import PermanentError
from narration.pipeline.compliance import LevelMeter
from narration.pipeline.formats import ChapterMark, Format, Tags
from narration.pipeline.loudness import VERIFY_OVERSAMPLE
from narration.pipeline.step_loudness import FiguresMeter
from narration.pipeline.timeline import Framing

PROBE_SAMPLES = 8000
PROBE_CLICK_AT = 3000


def frame_samples(fmt: Format, sample_rate: int) -> int:
    """Samples per coded frame: MPEG-1 Layer III above 24 kHz, MPEG-2 below; AAC; PCM."""
    if fmt.codec == "libmp3lame":
        return 1152 if sample_rate > 24000 else 576
    if fmt.codec == "aac":
        return 1024
    return 1


@functools.lru_cache(maxsize=16)
def codec_framing(fmt: Format, sample_rate: int, bitrate: str) -> Framing:
    """How `fmt`'s parts are laid out at this rate and bitrate (`Framing`), measured."""
    frame = frame_samples(fmt, sample_rate)
    if frame == 1:
        return Framing()
    probe = np.zeros(PROBE_SAMPLES, dtype=np.float32)
    probe[PROBE_CLICK_AT] = 0.5
    with tempfile.TemporaryDirectory(prefix="narration-probe-") as scratch:
        path = Path(scratch) / "probe"
        with FfmpegEncoder(path, sample_rate, fmt.name, bitrate=bitrate or None, part=True) as enc:
            enc.write(probe)
        raw = _input_format(fmt.part_muxer, sample_rate)
        decoded = np.concatenate(list(decode_blocks(path, sample_rate, raw)))
    delay = int(np.argmax(np.abs(decoded))) - PROBE_CLICK_AT
    if not 0 <= delay < 4 * frame:
        raise PermanentError(f"cannot measure the {fmt.name} encoder's delay (found {delay})")
    return Framing(frame=frame, guard=delay, tail=frame // 2)


def encode_part(
    blocks: Iterable[np.ndarray],
    path: Path,
    fmt: Format,
    sample_rate: int,
    bitrate: str,
    samples: int,
) -> None:
    """Encode a part laid out as `samples` samples (its blocks) so it decodes to exactly those."""
    framing = codec_framing(fmt, sample_rate, bitrate)
    keep = _Window(framing.guard, samples - framing.tail)
    with FfmpegEncoder(path, sample_rate, fmt.name, bitrate=bitrate or None, part=True) as enc:
        for block in blocks:
            kept = keep.take(block)
            if len(kept):
                enc.write(kept)
    if keep.position != samples:
        raise PermanentError(f"a part laid out as {samples} samples had {keep.position}")


def measure_part(path: Path, fmt: Format, sample_rate: int, samples: int) -> dict[str, Any]:
    """The decoded part's figures (step energies, true peak at 8x, the levels compliance
    checks read); checks its length."""
    meter = FiguresMeter(sample_rate, VERIFY_OVERSAMPLE)
    levels = LevelMeter(sample_rate)
    decoded = 0
    for block in decode_blocks(path, sample_rate, _input_format(fmt.part_muxer, sample_rate)):
        meter.add(block)
        levels.add(block)
        decoded += len(block)
    if decoded != samples:
        raise PermanentError(f"a {fmt.name} part of {samples} samples decodes to {decoded}")
    return {**meter.figures(), "levels": levels.figures()}


def join_parts(
    parts: Sequence[Path],
    path: Path,
    fmt: Format,
    sample_rate: int,
    tags: Tags,
    chapters: Sequence[ChapterMark],
) -> None:
    """Concatenate parts into `path` in `fmt`'s container, with its tags and chapters."""
    joined = path.with_name(path.name + ".parts")
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    if fmt.name == "mp3":
        joined.replace(path)
    else:
        _remux(joined, path, fmt, sample_rate, tags, chapters)
        joined.unlink()
    write_tags_after(path, fmt, tags, chapters)


def _remux(
    joined: Path,
    path: Path,
    fmt: Format,
    sample_rate: int,
    tags: Tags,
    chapters: Sequence[ChapterMark],
) -> None:
    """Put the joined raw stream into the format's container without re-encoding it."""
    assert fmt.part_muxer is not None
    meta = write_ffmetadata(fmt, tags, chapters)
    try:
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        cmd += [*_input_format(fmt.part_muxer, sample_rate), "-i", str(joined)]
        cmd += ["-f", "ffmetadata", "-i", str(meta)]
        cmd += ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy"]
        cmd += [*container_options(fmt.name), "-fflags", "+bitexact", "-f", fmt.muxer, str(path)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise PermanentError(f"cannot join the parts of {path.name}: {result.stderr[-500:]}")
    finally:
        meta.unlink(missing_ok=True)


def _input_format(part_muxer: str | None, sample_rate: int) -> list[str]:
    """ffmpeg's input options for a raw part stream (PCM says nothing of its own rate)."""
    if part_muxer is None:
        return []
    if part_muxer == "s16le":
        return ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1"]
    return ["-f", "aac" if part_muxer == "adts" else part_muxer]


class _Window:
    """Passes on the samples of a stream between two positions."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop
        self.position = 0

    def take(self, block: np.ndarray) -> np.ndarray:
        begin = self.position
        self.position += len(block)
        return block[max(0, self.start - begin) : max(0, self.stop - begin)]
