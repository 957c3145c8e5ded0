"""Engines by name: what a job may ask for, which queue serves it, how a worker loads it.

A voice belongs to one family (Piper's VITS voices, Kokoro-82M's), which its name picks; a job
names one engine kind, the runtime (`narrate submit --engine`: `onnx`, alias `piper`, or
`torch`), and is rendered by that family on that runtime end to end: its chunks go to the kind's
queue, and the workers there load the voice's family on that runtime. Each family brings its own
text preparation (`Engine.prepare_text`) and pause profile (the designed pauses its segments
start from). Loading is lazy, so a process that never runs an engine never imports its runtime.
To add an engine, write it against `pipeline.engine.Engine` and register an `EngineKind` here
(docs/ENGINE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Final

from narration.engines.kokoro.assets import FAMILY as KOKORO
from narration.engines.voices import ENGINE_NAME as PIPER
from narration.errors import InputError
from narration.pipeline.engine import Engine, VoiceInfo
from narration.pipeline.prosody import PAUSES_S

ONNX: Final = "onnx"
TORCH: Final = "torch"
AUTO_DEVICE: Final = "auto"
"""A worker's `--device auto`: a GPU when one is visible, else the CPU (the onnx kind: the CPU)."""
ALIASES: Final = MappingProxyType({PIPER: ONNX})
"""Older names of engine kinds, still accepted: `piper` was the onnx runtime's name when Piper
voices were the only ones."""


@dataclass(frozen=True)
class EngineOptions:
    """How a worker runs its engines: where, with how many threads, in what batches."""

    device: str = "cpu"
    threads: int | None = None
    precision: str = "fp32"
    max_batch: int = 16
    sentence_threads: int = 1
    """Threads that render a Piper chunk's sentences at once (`engines.sentence_pool`)."""
    spare_core: Callable[[], bool] | None = None
    """Whether a core is free for one more of them now (None: always)."""


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
    families: frozenset[str]
    """The voice families it speaks."""


def _check_onnx(options: EngineOptions) -> None:
    if options.device not in ("cpu", AUTO_DEVICE):
        raise InputError(
            f"the onnx engine runs on the CPU only, not {options.device!r}; "
            "use the torch engine for a GPU (docs/ENGINE.md)"
        )


def _load_onnx(voice: VoiceInfo, options: EngineOptions) -> Engine:
    _check_onnx(options)
    if voice.engine == KOKORO:
        from narration.engines.kokoro.engine import KokoroEngine

        return KokoroEngine.load(voice, threads=options.threads)
    from narration.engines.piper import PiperEngine
    from narration.engines.sentence_pool import SentencePool, always

    pool = SentencePool(options.sentence_threads - 1, options.spare_core or always)
    return PiperEngine.load(voice, threads=options.threads, sentences=pool)


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
    kind_for(TORCH, voice)
    _torch_module()
    if voice.engine == KOKORO:
        from narration.engines.kokoro_torch.engine import TorchKokoroEngine

        kokoro: Engine = TorchKokoroEngine.load(
            voice,
            device=options.device,
            precision=options.precision,
            threads=options.threads,
            max_batch=options.max_batch,
        )
        return kokoro
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
    """The registered engine called `name` (or an alias of it); InputError naming the choices
    otherwise."""
    name = ALIASES.get(name, name)
    if name not in _KINDS:
        raise InputError(f"unknown engine {name!r}; choose one of {', '.join(engine_names())}")
    return _KINDS[name]


def engine_names() -> list[str]:
    return sorted(_KINDS)


def queues() -> list[str]:
    """Every engine queue, for the Celery configuration."""
    return sorted({kind.queue for kind in _KINDS.values()})


def kind_for(name: str, voice: VoiceInfo) -> EngineKind:
    """The engine kind `name`, which must speak `voice`'s family; InputError otherwise."""
    kind = engine_kind(name)
    if voice.engine not in kind.families:
        raise InputError(
            f"the {kind.name} engine does not speak {voice.engine} voices such as {voice.name} "
            f"yet; use --engine {ONNX}"
        )
    return kind


def load(name: str, voice: VoiceInfo, options: EngineOptions) -> Engine:
    return engine_kind(name).load(voice, options)


register(
    EngineKind(
        name=ONNX,
        summary="onnxruntime on the CPU, one chunk at a time: Piper and Kokoro voices",
        queue="synth",
        batches=False,
        pauses=MappingProxyType(dict(PAUSES_S)),
        load=_load_onnx,
        check=_check_onnx,
        families=frozenset({PIPER, KOKORO}),
    )
)
register(
    EngineKind(
        name=TORCH,
        summary="our PyTorch VITS and Kokoro, batched, on a GPU or the CPU: both families",
        queue="synth-torch",
        batches=True,
        pauses=MappingProxyType(dict(PAUSES_S)),
        load=_load_torch,
        check=_check_torch,
        families=frozenset({PIPER, KOKORO}),
    )
)
