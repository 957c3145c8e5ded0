"""Small, pure PCM helpers: WAV bytes, silence trimming, fades, speech level.

Chunk audio is stored as 16-bit WAV: lossless for what the engine produced, and written with the
standard library in microseconds (a FLAC encode would cost a subprocess per chunk).
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Final

import numpy as np

FRAME_S: Final = 0.010
SILENCE_DBFS: Final = -45.0
"""Frames below this carry no speech, for measuring a chunk's speech level."""
QUIET_BELOW_SPEECH_DB: Final = 30.0
"""A frame this far below the chunk's own speech level is heard as pause, not speech."""
TRIM_BELOW_SPEECH_DB: Final = 40.0
"""The tail is kept down to this far below the speech level. Piper's sentence tails decay
smoothly for ~100 ms to a floor ~60 dB under speech; the old cut at a fixed -45 dBFS chopped
the decay of a final "s" and left a step at the join."""
LEAD_S: Final = 0.060
"""Quiet kept before a chunk's first audible frame, so its onset is whole and a cut (and its
fade) sits only in quiet: never in a consonant's attack."""
TAIL_MIN_S: Final = 0.060
"""Quiet kept at least after a chunk's last audible frame: the same for its end."""
EDGE_MARGIN_S: Final = 0.020
FADE_S: Final = 0.010
TAIL_FADE_S: Final = 0.100
"""The fade-out across a chunk's quiet tail (all of it when shorter; the tail starts after the
last frame within `QUIET_BELOW_SPEECH_DB` of speech, so no speech is touched). The kept decay
of a final "s" is hiss at about -45 dBFS whose sample steps, up to 50 ms before the pause,
bench/seams.py counts as clicks: 2 of 27 joins with a 10 ms fade, 0 with this one, over four
sets of seeds (2, 2, 2, 1 before), pauses unchanged."""


CLICK_STEP: Final = 0.005
"""The smallest sample-to-sample step counted as a click (-46 dBFS)."""
CLICK_RATIO: Final = 10.0
"""How far a click's step stands above the RMS of the steps around it. A fricative's hiss at
-44 dBFS has steps of 0.02-0.03 (its 5 kHz content), but at most 3 times its neighbours' at
the joins of a licence read by joe; a plosive's onset after silence reached 7. A cut off the
zero line, a DC step or an unfaded edge is far more, since a step in silence stands out
without bound."""
CLICK_CONTEXT_S: Final = 0.005
"""The steps either side that a step is compared with."""


@dataclass(frozen=True)
class SpeechEdges:
    """Where to cut a chunk, in samples, and how much of what is kept is quiet at each end."""

    start: int
    end: int
    lead_quiet: int
    tail_quiet: int


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


def speech_edges(pcm: np.ndarray, sample_rate: int, max_tail_s: float | None = None) -> SpeechEdges:
    """Cut points around a chunk's speech, relative to its own speech level.

    The head keeps `LEAD_S` before the first audible frame (onsets are sharp); the tail keeps the
    natural decay down to `TRIM_BELOW_SPEECH_DB` plus `EDGE_MARGIN_S`, at least `TAIL_MIN_S` and
    at most `max_tail_s` after the last audible frame. The quiet at each end counts towards the
    pause a listener hears.
    """
    level = speech_level_db(pcm, sample_rate)
    levels = frame_levels_db(pcm, sample_rate)
    audible = np.flatnonzero(levels > level - QUIET_BELOW_SPEECH_DB)
    if audible.size == 0 or level <= -100.0:
        return SpeechEdges(0, 0, 0, 0)
    size = int(sample_rate * FRAME_S)
    first, last = int(audible[0]) * size, min(len(pcm), (int(audible[-1]) + 1) * size)
    trace = np.flatnonzero(levels > level - TRIM_BELOW_SPEECH_DB)
    end = (int(trace[-1]) + 1) * size + round(sample_rate * EDGE_MARGIN_S)
    end = min(len(pcm), max(end, last + round(sample_rate * TAIL_MIN_S)))
    if max_tail_s is not None:
        end = min(end, last + max(0, round(sample_rate * max_tail_s)))
    start = max(0, first - round(sample_rate * LEAD_S))
    return SpeechEdges(start, end, first - start, end - last)


def fade_edges(
    pcm: np.ndarray, sample_rate: int, fade_s: float = FADE_S, fade_out_s: float | None = None
) -> np.ndarray:
    """Raised-cosine fade in (`fade_s`) and out (`fade_out_s`, the same unless told) so a cut
    never starts or ends on a step."""
    out = pcm.astype(np.float32, copy=True)
    fade_in = min(len(out) // 2, int(sample_rate * fade_s))
    fade_out = min(len(out) // 2, int(sample_rate * (fade_s if fade_out_s is None else fade_out_s)))
    if fade_in > 0:
        out[:fade_in] *= _ramp(fade_in)
    if fade_out > 0:
        out[-fade_out:] *= _ramp(fade_out)[::-1]
    return out


def _ramp(size: int) -> np.ndarray:
    """0 → 1 over `size` samples, raised cosine."""
    return (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, size, dtype=np.float64))).astype(np.float32)


def speech_level_db(pcm: np.ndarray, sample_rate: int) -> float:
    """Mean power of the frames that carry speech, in dBFS; what loudness matching uses."""
    levels = frame_levels_db(pcm, sample_rate, 0.05)
    active = levels[levels > SILENCE_DBFS]
    if active.size == 0:
        return -120.0
    power = np.mean(10.0 ** (active / 10.0))
    return float(10.0 * np.log10(power))


def clicks(pcm: np.ndarray, sample_rate: int, start: int = 0, end: int | None = None) -> np.ndarray:
    """Positions of the clicks in `pcm[start:end]` (indices into `pcm`): samples whose step to
    the next is at least `CLICK_STEP` and `CLICK_RATIO` times the RMS of the steps within
    `CLICK_CONTEXT_S` around it (the step itself and its two neighbours left out, so a
    one-sample spike, which makes two steps, is found too). A discontinuity, not the
    high-frequency content of speech. The steps around are taken from all of `pcm`, so a
    position near `start` or `end` is judged by both its sides."""
    reach = max(2, round(sample_rate * CLICK_CONTEXT_S))
    stop = len(pcm) if end is None else min(end, len(pcm))
    offset = max(0, start - reach)
    steps = np.diff(pcm[offset : stop + reach].astype(np.float64))
    if steps.size == 0:
        return np.zeros(0, dtype=np.int64)
    energy = np.concatenate([[0.0], np.cumsum(steps * steps)])
    count = len(steps)
    index = np.arange(count)

    def window(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        low, high = np.clip(low, 0, count), np.clip(high, 0, count)
        return energy[high] - energy[low], high - low

    around, size = window(index - reach, index + reach + 1)
    own, own_size = window(index - 1, index + 2)
    local = np.sqrt(np.maximum(around - own, 0.0) / np.maximum(size - own_size, 1))
    size_ok = np.abs(steps) >= CLICK_STEP
    stands_out = np.abs(steps) >= CLICK_RATIO * local
    found = np.flatnonzero(size_ok & stands_out) + offset
    return found[(found >= start) & (found < stop)]


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))
