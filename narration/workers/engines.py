"""One engine per voice per worker process, loaded on first use and kept."""

from __future__ import annotations

import functools
import logging

from narration.engines.base import Engine, VoiceInfo
from narration.engines.piper import PiperEngine

_LOGGER = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def load_engine(voice: VoiceInfo, threads: int | None) -> Engine:
    _LOGGER.info("loading voice %s (%s)", voice.name, voice.path)
    return PiperEngine.load(voice, threads=threads)
