"""Intro and outro audio (`--intro`, `--outro`): decoded by the project's ffmpeg, levelled to
the narration's loudness, stored for the workers as float samples.

ffmpeg decodes and resamples straight to float mono at the voice's rate (pydub would need
ffprobe, which the imageio-ffmpeg wheel does not ship, and resamples with audioop, which Python
3.13 no longer has). Stored as float32 `.npy`, already gained: a peak that the gain takes over
full scale is left to the mastering's true-peak limiter rather than clipped here.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.adapters.object_store import ObjectStore
from narration.errors import InputError
from narration.pipeline.loudness import LoudnessMeter
from narration.pipeline.plan import JobOptions
from narration.pipeline.timeline import Placed

MAX_BOOKEND_S: Final = 600.0
"""The longest intro or outro taken: ten minutes is a programme, not a signature."""


@dataclass(frozen=True)
class AudioClip:
    """An audio file as given by the user (any format ffmpeg reads)."""

    data: bytes
    name: str


def decode_clip(clip: AudioClip, rate: int, what: str, level_lufs: float) -> np.ndarray:
    """The clip as float mono samples at `rate`, gained to the integrated loudness
    `level_lufs` (`mastering.bookend_lufs`: as loud as the speech once mastered)."""
    with tempfile.TemporaryDirectory(prefix="narration-bookend-") as workdir:
        source = Path(workdir) / "clip"
        source.write_bytes(clip.data)  # a file, not a pipe: some containers need to seek
        command = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(source), "-vn"]
        command += ["-ac", "1", "-ar", str(rate), "-t", str(MAX_BOOKEND_S + 1), "-f", "f32le"]
        result = subprocess.run(
            [*command, "pipe:1"],
            capture_output=True,
            check=False,
        )
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        reason = f": {lines[-1]}" if lines else ""
        raise InputError(f"--{what} {clip.name} is not audio ffmpeg can read{reason}")
    pcm = np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)
    if len(pcm) > MAX_BOOKEND_S * rate:
        raise InputError(f"--{what} {clip.name} lasts over {MAX_BOOKEND_S:.0f} s, the most taken")
    meter = LoudnessMeter(rate)
    meter.add(pcm)
    lufs = meter.integrated_lufs()
    if not np.isfinite(lufs):
        raise InputError(f"--{what} {clip.name} is empty or silent")
    return (pcm * 10.0 ** ((level_lufs - lufs) / 20.0)).astype(np.float32)


def to_npy_bytes(pcm: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, pcm.astype(np.float32), allow_pickle=False)
    return buffer.getvalue()


def load_bookend(store: ObjectStore, key: str) -> np.ndarray:
    """A stored intro or outro, as `decode_clip` made it."""
    loaded: np.ndarray = np.load(io.BytesIO(store.get_bytes(key)), allow_pickle=False)
    return loaded


def bookend_inserts(
    store: ObjectStore, options: JobOptions, placed: Sequence[Placed], first: bool, last: bool
) -> list[tuple[int, np.ndarray]]:
    """The intro and outro that fall among `placed` (the first or last segment's chunks, or
    the book's), with where they start counted from the blocks' first sample."""
    rate = int(placed[0].meta["sample_rate"])
    starts = options.bookends(rate).positions(placed, first, last)
    keys = (options.intro_key, options.outro_key)
    return [
        (start, load_bookend(store, key))
        for start, key in zip(starts, keys, strict=True)
        if start >= 0 and key
    ]
