"""Engines by name: what a job may ask for, which queue serves it, how a worker loads it.

A job names one engine kind (`narrate submit --engine`) and is rendered by it end to end: its
chunks go to that kind's queue, and the workers there load that kind. Each kind brings its own
text preparation (`Engine.prepare_text`) and pause profile (the designed pauses its segments
start from). Loading is lazy, so a process that never runs an engine never imports its runtime.
To add an engine, write it against `pipeline.engine.Engine` and register an `EngineKind` here
(docs/ENGINE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType

from narration.errors import InputError
from narration.pipeline.engine import Engine, VoiceInfo
from narration.pipeline.prosody import PAUSES_S


@dataclass(frozen=True)
class EngineOptions:
    """How a worker runs its engines: where, with how many threads, in what batches."""

    device: str = "cpu"
    threads: int | None = None
    precision: str = "fp32"
    max_batch: int = 16


@dataclass(frozen=True)
class EngineKind:
    """One registered engine."""

    name: str
    summary: str
    queue: str
    """The Celery queue its chunks go to; its workers consume it."""
    batches: bool
    """Whether its workers gather concurrent chunks into device batches (a micro-batcher)."""
    pauses: Mapping[str, float]
    """Designed pause after a chunk, by boundary (see `pipeline.prosody.PAUSES_S`)."""
    load: Callable[[VoiceInfo, EngineOptions], Engine]
    check: Callable[[EngineOptions], None]
    """Refuse options this kind cannot run with (InputError), before a worker starts."""


def _check_piper(options: EngineOptions) -> None:
    if options.device != "cpu":
        raise InputError(
            f"the piper engine runs on the CPU only, not {options.device!r}; "
            "use the torch engine for a GPU (docs/ENGINE.md)"
        )


def _load_piper(voice: VoiceInfo, options: EngineOptions) -> Engine:
    from narration.engines.piper import PiperEngine

    _check_piper(options)
    return PiperEngine.load(voice, threads=options.threads)


def _torch_module() -> ModuleType:
    try:
        from narration.engines import torch_vits
    except ImportError as error:
        raise InputError(
            f"the torch engine needs PyTorch ({error}): pip install 'narration[torch]'"
        ) from None
    return torch_vits


def _check_torch(options: EngineOptions) -> None:
    _torch_module().check_options(options.device, options.precision, options.max_batch)


def _load_torch(voice: VoiceInfo, options: EngineOptions) -> Engine:
    engine: Engine = _torch_module().TorchVitsEngine.load(
        voice,
        device=options.device,
        precision=options.precision,
        threads=options.threads,
        max_batch=options.max_batch,
    )
    return engine


_KINDS: dict[str, EngineKind] = {}


def register(kind: EngineKind) -> None:
    _KINDS[kind.name] = kind


def engine_kind(name: str) -> EngineKind:
    """The registered engine called `name`; InputError naming the choices otherwise."""
    if name not in _KINDS:
        raise InputError(f"unknown engine {name!r}; choose one of {', '.join(engine_names())}")
    return _KINDS[name]


def engine_names() -> list[str]:
    return sorted(_KINDS)


def queues() -> list[str]:
    """Every engine queue, for the Celery configuration."""
    return sorted({kind.queue for kind in _KINDS.values()})


def load(name: str, voice: VoiceInfo, options: EngineOptions) -> Engine:
    return engine_kind(name).load(voice, options)


register(
    EngineKind(
        name="piper",
        summary="Piper's onnxruntime graph on the CPU, one chunk at a time",
        queue="synth",
        batches=False,
        pauses=MappingProxyType(dict(PAUSES_S)),
        load=_load_piper,
        check=_check_piper,
    )
)
register(
    EngineKind(
        name="torch",
        summary="our PyTorch VITS for Piper voices, batched, on a GPU or the CPU",
        queue="synth-torch",
        batches=True,
        pauses=MappingProxyType(dict(PAUSES_S)),
        load=_load_torch,
        check=_check_torch,
    )
)
