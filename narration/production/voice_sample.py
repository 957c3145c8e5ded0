"""A voice's short sample rendered here, with no stack: `narrate voices sample NAME -o FILE`.

The voice comes from the catalogue and its engine from the registry, as a job's would, so any
family the registry can load gives samples. The sample is mastered like a job (gain to the
loudness target, the format's true-peak ceiling, the same limiter) and encoded by the same
ffmpeg encoder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import numpy as np

from narration.adapters.ffmpeg import FfmpegEncoder, decode_blocks
from narration.engines import registry
from narration.engines.catalogue import SAMPLE_TEXT, by_name
from narration.errors import InputError
from narration.pipeline import mastering
from narration.pipeline.engine import SynthesisParams
from narration.pipeline.formats import get_format
from narration.pipeline.limiter import Limiter
from narration.pipeline.loudness import LoudnessMeter
from narration.settings import Settings

CORRECTIONS: Final = 4
TOLERANCE_LU: Final = 0.2
"""The gain starts as the loudness difference; the limiter and the codec then take some off
(more for some voices and formats than others: a peaky voice gains only half a LU per dB under
the ceiling), so the encoded file is measured and the gain corrected by the response seen so
far, until it lands within this of the target."""


def spoken_sample(name: str, settings: Settings) -> tuple[np.ndarray, int]:
    """The sample as voice `name` speaks it, before mastering; InputError if no such voice."""
    voices = by_name(settings.voice_dirs)
    if name not in voices:
        raise InputError(f"unknown voice {name!r}; `narrate voices` lists them")
    voice = voices[name].voice
    engine = registry.load(
        settings.engine, voice, registry.EngineOptions(threads=settings.engine_threads)
    )
    spoken = engine.synthesize(engine.prepare_text(SAMPLE_TEXT), SynthesisParams())
    return spoken.pcm, spoken.sample_rate


def loudness(pcm: np.ndarray, sample_rate: int) -> float:
    meter = LoudnessMeter(sample_rate)
    meter.add(pcm)
    return meter.integrated_lufs()


def encode(pcm: np.ndarray, sample_rate: int, gain_db: float, path: Path, fmt: str) -> float:
    """Limit `pcm` at `gain_db` under the format's ceiling, encode it to `path`, and return the
    loudness of what was written, decoded (a codec takes some off: more at low bitrates)."""
    limiter = Limiter(sample_rate, mastering.ceiling_for(fmt), gain_db)
    with FfmpegEncoder(path, sample_rate, fmt) as encoder:
        encoder.write(limiter.process(pcm).astype(np.float32))
        encoder.write(limiter.flush().astype(np.float32))
    decoded = decode_blocks(path, sample_rate)
    return loudness(np.concatenate(list(decoded)), sample_rate)


def response(tried: list[tuple[float, float]]) -> float:
    """LU gained per dB of gain, from the last two tries (1 until there are two), kept within
    reason so one odd measurement cannot send the gain far off."""
    if len(tried) < 2:
        return 1.0
    (gain_a, lufs_a), (gain_b, lufs_b) = tried[-2:]
    if gain_a == gain_b:
        return 1.0
    return min(max((lufs_b - lufs_a) / (gain_b - gain_a), 0.2), 1.0)


def render_sample(name: str, output: Path, settings: Settings) -> Path:
    """Write the sample to `output`, in the format its suffix names, at the loudness target;
    atomically."""
    fmt = get_format(output.suffix or ".mp3").name
    pcm, sample_rate = spoken_sample(name, settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    try:
        target = settings.loudness_lufs
        gain_db = target - loudness(pcm, sample_rate)
        tried: list[tuple[float, float]] = []
        for _ in range(CORRECTIONS + 1):
            measured = encode(pcm, sample_rate, gain_db, partial, fmt)
            if abs(measured - target) <= TOLERANCE_LU:
                break
            tried.append((gain_db, measured))
            gain_db += (target - measured) / response(tried)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output
