"""Measuring real audio in tests: decode any format with the wheel's ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from narration.adapters.ffmpeg import ffmpeg_exe


def decode(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Decode to mono float32 PCM at `sample_rate`."""
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            str(sample_rate),
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(result.stdout, dtype=np.float32)
