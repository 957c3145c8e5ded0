"""Small, pure PCM helpers: WAV bytes, silence trimming, fades, speech level.

Chunk audio is stored as 16-bit WAV: lossless for what the engine produced, and written with the
standard library in microseconds (a FLAC encode would cost a subprocess per chunk).
"""

from __future__ import annotations

import io
import wave
from typing import Final

import numpy as np

FRAME_S: Final = 0.010
SILENCE_DBFS: Final = -45.0
EDGE_MARGIN_S: Final = 0.010
FADE_S: Final = 0.005


def to_wav_bytes(pcm: np.ndarray, sample_rate: int) -> bytes:
    """float32 [-1, 1] → 16-bit mono WAV."""
    samples = np.clip(np.round(pcm * 32767.0), -32767, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.tobytes())
    return buffer.getvalue()


def from_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit mono WAV → (float32 PCM, sample rate)."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return samples.astype(np.float32) / 32767.0, rate


def frame_levels_db(pcm: np.ndarray, sample_rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """RMS level of consecutive frames in dBFS."""
    size = max(1, int(sample_rate * frame_s))
    count = len(pcm) // size
    if count == 0:
        return np.full(1, -120.0)
    frames = pcm[: count * size].reshape(count, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-6)))


def speech_bounds(
    pcm: np.ndarray, sample_rate: int, threshold_db: float = SILENCE_DBFS
) -> tuple[int, int]:
    """First and one-past-last sample of speech (frames above threshold), with a small margin."""
    levels = frame_levels_db(pcm, sample_rate)
    loud = np.flatnonzero(levels > threshold_db)
    if loud.size == 0:
        return 0, 0
    size = int(sample_rate * FRAME_S)
    margin = int(sample_rate * EDGE_MARGIN_S)
    start = max(0, int(loud[0]) * size - margin)
    end = min(len(pcm), (int(loud[-1]) + 1) * size + margin)
    return start, end


def fade_edges(pcm: np.ndarray, sample_rate: int, fade_s: float = FADE_S) -> np.ndarray:
    """Raised-cosine fade in and out so a cut never starts or ends on a step."""
    out = pcm.astype(np.float32, copy=True)
    size = min(len(out) // 2, int(sample_rate * fade_s))
    if size > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, size, dtype=np.float64))).astype(
            np.float32
        )
        out[:size] *= ramp
        out[-size:] *= ramp[::-1]
    return out


def speech_level_db(pcm: np.ndarray, sample_rate: int) -> float:
    """Mean power of the frames that carry speech, in dBFS; what loudness matching uses."""
    levels = frame_levels_db(pcm, sample_rate, 0.05)
    active = levels[levels > SILENCE_DBFS]
    if active.size == 0:
        return -120.0
    power = np.mean(10.0 ** (active / 10.0))
    return float(10.0 * np.log10(power))


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))
