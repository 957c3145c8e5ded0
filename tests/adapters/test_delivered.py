"""Stream facts of real encoded files: constant and variable MP3 bitrates, codec, rate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from narration.adapters.delivered import measure_delivered, mp3_frame_bitrates, stream_facts
from narration.adapters.ffmpeg import FfmpegEncoder, ffmpeg_exe


def _speechlike(rate: int = 22050, seconds: float = 3.0) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    return (0.3 * envelope * np.sin(2 * np.pi * 220 * t * (1 + 0.2 * t))).astype(np.float32)


def test_a_44k_cbr_mp3_reads_as_one_bitrate(tmp_path: Path) -> None:
    path = tmp_path / "cbr.mp3"
    with FfmpegEncoder(path, 22050, "mp3", bitrate="192k", output_rate=44100) as encoder:
        encoder.write(_speechlike())
    facts = stream_facts(path)
    assert (facts.codec, facts.sample_rate, facts.bitrates_kbps) == ("mp3", 44100, (192,))


def test_a_vbr_mp3_reads_as_several_bitrates(tmp_path: Path) -> None:
    source, path = tmp_path / "in.wav", tmp_path / "vbr.mp3"
    with FfmpegEncoder(source, 22050, "wav") as encoder:
        encoder.write(_speechlike(seconds=6.0))
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(source), "-c:a", "libmp3lame", "-q:a", "4",
         str(path)],
        check=True,
    )  # fmt: skip
    assert len(mp3_frame_bitrates(path.read_bytes())) > 1


def test_measure_delivered_reads_the_file_at_its_own_rate(tmp_path: Path) -> None:
    path = tmp_path / "out.wav"
    with FfmpegEncoder(path, 22050, "wav", output_rate=48000) as encoder:
        encoder.write(_speechlike())
    measured = measure_delivered(path, with_loudness=True)
    assert measured.stream.sample_rate == 48000
    assert measured.levels.duration_s == pytest.approx(3.0, abs=0.01)
    assert measured.lufs is not None and measured.true_peak_dbtp is not None
