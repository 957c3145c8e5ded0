"""One engine per (voice, engine kind) per worker process, loaded on first use and kept.

Task threads (a torch worker runs many) share it; the first to need it loads it while the others
wait. Kinds that batch get a micro-batcher in front (`engines.batching`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final, Protocol, runtime_checkable

from narration.adapters.host_cores import core_to_spare
from narration.engines import registry
from narration.engines.batching import BatchedEngine, MicroBatcher
from narration.pipeline.engine import Engine, VoiceInfo
from narration.settings import Settings

_LOGGER = logging.getLogger(__name__)


@runtime_checkable
class ReleasesMemory(Protocol):
    """An engine whose runtime can hand its working memory back between jobs (Piper's and
    Kokoro's onnxruntime sessions)."""

    def release_memory(self) -> None: ...


ENGINES_KEPT: Final = 4
_lock = threading.Lock()
_loaded: dict[tuple[VoiceInfo, str], Engine] = {}


def engine_options(settings: Settings) -> registry.EngineOptions:
    """This worker's device, threads, precision and batch size, from its settings; a Piper
    chunk's sentences go to more threads only while the host has a core to spare."""
    return registry.EngineOptions(
        device=settings.torch_device,
        threads=settings.engine_threads or None,
        precision=settings.torch_precision,
        max_batch=settings.torch_batch,
        sentence_threads=settings.engine_sentence_threads,
        spare_core=core_to_spare,
    )


def load_engine(
    voice: VoiceInfo,
    kind_name: str,
    settings: Settings,
    on_batch: Callable[[int], None] | None = None,
) -> Engine:
    """The engine, loaded once; a batching kind reports each batch's size to `on_batch`."""
    with _lock:
        key = (voice, kind_name)
        if key not in _loaded:
            kind = registry.engine_kind(kind_name)
            _LOGGER.info("loading voice %s (%s), engine %s", voice.name, voice.path, kind.name)
            engine = kind.load(voice, engine_options(settings))
            if kind.batches:
                batcher = MicroBatcher(
                    engine,
                    settings.torch_batch,
                    settings.torch_batch_wait_ms / 1000.0,
                    on_batch,
                )
                engine = BatchedEngine(engine, batcher)
            if len(_loaded) >= ENGINES_KEPT:
                _loaded.pop(next(iter(_loaded)))
            _loaded[key] = engine
        return _loaded[key]


def release_memory() -> None:
    """Let every loaded engine that can hand its runtime's working memory back
    (`production.idle_memory`)."""
    with _lock:
        engines = list(_loaded.values())
    for engine in engines:
        if isinstance(engine, ReleasesMemory):
            engine.release_memory()
