"""A voice's short sample: one fixed passage, spoken by the voice, to hear before choosing it.

The voice comes from the catalogue and its engine from the registry, as a job's would, so any
family the registry can load gives samples. The sample is brought to the job's loudness target
(integrated, as the stitcher does for a whole job) and encoded by the same ffmpeg encoder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import numpy as np

from narration.adapters.ffmpeg import FfmpegEncoder
from narration.engines import registry
from narration.engines.catalogue import by_name
from narration.errors import InputError
from narration.pipeline.engine import SynthesisParams
from narration.pipeline.formats import get_format
from narration.pipeline.loudness import LoudnessMeter, db_to_linear, gain_for_target
from narration.settings import Settings

SAMPLE_TEXT: Final = (
    "The old lighthouse keeper climbed the stairs at dusk. "
    "Far below, the sea kept its own slow time against the rocks."
)
"""Two sentences with a pause between them: enough to hear a voice's tone and pacing."""
PEAK_CEILING: Final = 0.89
"""-1 dBFS: the louder voices never clip after the gain."""


def sample_pcm(name: str, settings: Settings) -> tuple[np.ndarray, int]:
    """The sample spoken by voice `name`, at the loudness target; InputError if no such voice."""
    voices = by_name(settings.voice_dirs)
    if name not in voices:
        raise InputError(f"unknown voice {name!r}; `narrate voices` lists them")
    voice = voices[name].voice
    engine = registry.load(
        settings.engine, voice, registry.EngineOptions(threads=settings.engine_threads)
    )
    spoken = engine.synthesize(engine.prepare_text(SAMPLE_TEXT), SynthesisParams())
    meter = LoudnessMeter(spoken.sample_rate)
    meter.add(spoken.pcm)
    gain_db = gain_for_target(meter.integrated_lufs(), settings.loudness_lufs)
    pcm = spoken.pcm * db_to_linear(gain_db)
    peak = float(np.max(np.abs(pcm))) if len(pcm) else 0.0
    if peak > PEAK_CEILING:
        pcm = pcm * (PEAK_CEILING / peak)
    return pcm.astype(np.float32), spoken.sample_rate


def render_sample(name: str, output: Path, settings: Settings) -> Path:
    """Write the sample to `output`, in the format its suffix names; atomically."""
    fmt = get_format(output.suffix or ".mp3")
    pcm, sample_rate = sample_pcm(name, settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    with FfmpegEncoder(partial, sample_rate, fmt.name) as encoder:
        encoder.write(pcm)
    os.replace(partial, output)
    return output
