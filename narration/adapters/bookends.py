"""Intro and outro audio (`--intro`, `--outro`): decoded with pydub through the project's
ffmpeg, levelled to the narration's loudness, stored for the workers as float samples.

Stored as float32 `.npy` at the voice's rate, already gained: a gain that takes a peak over
full scale is left to the mastering's true-peak limiter rather than clipped here.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.adapters.object_store import ObjectStore
from narration.errors import InputError
from narration.pipeline.loudness import LoudnessMeter
from narration.pipeline.mastering import CALIBRATED_LUFS
from narration.pipeline.plan import JobOptions
from narration.pipeline.timeline import Placed

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # pydub looks for ffmpeg on PATH at import
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

MAX_BOOKEND_S: Final = 600.0
"""The longest intro or outro taken: ten minutes is a programme, not a signature."""


@dataclass(frozen=True)
class AudioClip:
    """An audio file as given by the user (any format ffmpeg reads)."""

    data: bytes
    name: str


def decode_clip(clip: AudioClip, rate: int, what: str) -> np.ndarray:
    """The clip as float mono samples at `rate`, gained so that its integrated loudness is the
    narration's (`mastering.CALIBRATED_LUFS`: speech rendered at the reference level)."""
    AudioSegment.converter = ffmpeg_exe()
    try:
        segment = AudioSegment.from_file(io.BytesIO(clip.data))
    except (CouldntDecodeError, IndexError, OSError) as error:
        first = str(error).strip().splitlines()[:1]
        raise InputError(
            f"--{what} {clip.name} is not audio ffmpeg can read"
            + (f": {first[0]}" if first else "")
        ) from None
    if segment.duration_seconds > MAX_BOOKEND_S:
        raise InputError(
            f"--{what} {clip.name} lasts {segment.duration_seconds:.0f} s; "
            f"at most {MAX_BOOKEND_S:.0f} s is taken"
        )
    segment = segment.set_channels(1).set_frame_rate(rate).set_sample_width(2)
    pcm = np.array(segment.get_array_of_samples(), dtype=np.float32) / 32768.0
    meter = LoudnessMeter(rate)
    meter.add(pcm)
    lufs = meter.integrated_lufs()
    if not len(pcm) or not np.isfinite(lufs):
        raise InputError(f"--{what} {clip.name} is empty or silent")
    gain = 10.0 ** ((CALIBRATED_LUFS - lufs) / 20.0)
    return (pcm * gain).astype(np.float32)


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
