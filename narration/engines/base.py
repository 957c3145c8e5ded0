"""The one interface every TTS engine implements.

Engines are stateless about the job: the session state (rate and loudness baselines, context,
position) lives in `narration.pipeline.prosody` and reaches the engine only as `SynthesisParams`.
That keeps an engine a pure function of (text, voice, params), which is what makes a re-delivered
chunk task produce byte-identical audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class SynthesisParams:
    """Per-call knobs. `seed` fixes every random draw the model makes."""

    seed: int = 0
    length_scale: float | None = None
    noise_scale: float | None = None
    noise_w_scale: float | None = None


@dataclass(frozen=True)
class WordTiming:
    """One word of the input text and where it is spoken in the returned audio."""

    text: str
    char_start: int
    char_end: int
    start_s: float
    end_s: float


@dataclass
class Synthesis:
    """Audio for one piece of text: float32 mono PCM in [-1, 1]."""

    pcm: np.ndarray
    sample_rate: int
    words: list[WordTiming] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / self.sample_rate


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine can load, as `narrate voices` lists it."""

    name: str
    language: str
    sample_rate: int
    engine: str
    path: str


class Engine(Protocol):
    """A loaded voice. Loaded once per worker process, never per task."""

    name: str
    voice: VoiceInfo
    identity: str
    """Everything about the engine that decides its output bytes (its name and version, the
    voice model's content, device kind and precision): part of every chunk's cache key."""

    @property
    def sample_rate(self) -> int: ...

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis: ...
