"""The one interface every TTS engine implements.

Engines are stateless about the job: the session state (rate and loudness baselines, context,
position) lives in `narration.pipeline.prosody` and reaches the engine only as `SynthesisParams`.
That keeps an engine a pure function of (text, voice, params), which is what makes a re-delivered
chunk task produce byte-identical audio.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

if TYPE_CHECKING:  # in annotations only: planning a job (`narrate submit`) needs no numpy
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

    def for_plan(self, engine: str) -> dict[str, Any]:
        """The voice as a job's plan records it, spoken by `engine` (the runtime), of its family."""
        return {
            "name": self.name,
            "language": self.language,
            "sample_rate": self.sample_rate,
            "engine": engine,
            "family": self.engine,
        }


@dataclass(frozen=True)
class SynthesisRequest:
    """One text to speak in a batch (`Engine.synthesize_many`)."""

    text: str
    params: SynthesisParams


class EngineFactsJson(TypedDict):
    """`EngineFacts` as a chunk's metadata stores them (`pipeline.chunk_meta`)."""

    name: str
    device: str
    precision: str
    determinism: str


@dataclass(frozen=True)
class EngineFacts:
    """What a chunk records about the engine that made it (and the manifest, about a job)."""

    name: str
    device: str
    """The device kind: `cpu`, or `cuda` with its compute capability (`cuda-sm90`)."""
    precision: str
    """`fp32`, or the decoder's `fp16` / `bf16`."""
    determinism: str
    """What the engine promises about repeating a chunk's bytes, in words."""

    def to_dict(self) -> EngineFactsJson:
        return {
            "name": self.name,
            "device": self.device,
            "precision": self.precision,
            "determinism": self.determinism,
        }


class Engine(Protocol):
    """A loaded voice. Loaded once per worker process, never per task."""

    name: str
    voice: VoiceInfo
    identity: str
    """Everything about the engine that decides its output bytes (its name and version, the
    voice model's content, device kind and precision): part of every chunk's cache key."""
    facts: EngineFacts

    @property
    def sample_rate(self) -> int: ...

    def prepare_text(self, text: str) -> str:
        """The text as this engine should be given it (numbers, symbols, abbreviations)."""
        ...

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis: ...

    def synthesize_many(self, requests: Sequence[SynthesisRequest]) -> list[Synthesis]:
        """Each request's synthesis, in order; the same bytes as one `synthesize` call each."""
        ...


class OneAtATime(ABC):
    """The loop fallback for `synthesize_many`, for engines that gain nothing from batches."""

    @abstractmethod
    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis: ...

    def synthesize_many(self, requests: Sequence[SynthesisRequest]) -> list[Synthesis]:
        return [self.synthesize(request.text, request.params) for request in requests]
