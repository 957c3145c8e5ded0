"""A voice's short sample rendered here, with no stack: `narrate voices sample NAME -o FILE`.

The voice comes from the catalogue and its engine from the registry, as a job's would, so any
family the registry can load gives samples. The sample is mastered as a job is (gain to the
loudness target, the format's true-peak limiter) and encoded by the same ffmpeg encoder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import numpy as np

from narration.adapters.ffmpeg import FfmpegEncoder
from narration.engines import registry
from narration.engines.catalogue import SAMPLE_TEXT, by_name
from narration.errors import InputError
from narration.pipeline import mastering
from narration.pipeline.engine import SynthesisParams
from narration.pipeline.formats import get_format
from narration.pipeline.limiter import Limiter
from narration.pipeline.loudness import LoudnessMeter
from narration.settings import Settings

CORRECTIONS: Final = 1
"""Limiting a few seconds of speech takes off more than a programme's calibrated make-up
allows for; one measured correction lands it within 0.2 LU."""


def sample_pcm(name: str, settings: Settings, format_name: str) -> tuple[np.ndarray, int]:
    """The sample spoken by voice `name`, mastered for `format_name` at the loudness target;
    InputError if there is no such voice."""
    voices = by_name(settings.voice_dirs)
    if name not in voices:
        raise InputError(f"unknown voice {name!r}; `narrate voices` lists them")
    voice = voices[name].voice
    engine = registry.load(
        settings.engine, voice, registry.EngineOptions(threads=settings.engine_threads)
    )
    spoken = engine.synthesize(engine.prepare_text(SAMPLE_TEXT), SynthesisParams())
    master = mastering.for_loudness(
        loudness(spoken.pcm, spoken.sample_rate), settings.loudness_lufs, format_name
    )
    gain_db = master.gain_db
    for _ in range(CORRECTIONS + 1):
        limiter = Limiter(spoken.sample_rate, master.ceiling_dbtp, gain_db)
        pcm = np.concatenate([limiter.process(spoken.pcm), limiter.flush()])
        gain_db += settings.loudness_lufs - loudness(pcm, spoken.sample_rate)
    return pcm.astype(np.float32), spoken.sample_rate


def loudness(pcm: np.ndarray, sample_rate: int) -> float:
    meter = LoudnessMeter(sample_rate)
    meter.add(pcm)
    return meter.integrated_lufs()


def render_sample(name: str, output: Path, settings: Settings) -> Path:
    """Write the sample to `output`, in the format its suffix names; atomically."""
    fmt = get_format(output.suffix or ".mp3")
    pcm, sample_rate = sample_pcm(name, settings, fmt.name)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    with FfmpegEncoder(partial, sample_rate, fmt.name) as encoder:
        encoder.write(pcm)
    os.replace(partial, output)
    return output
