"""One engine per voice per worker process, loaded on first use and kept."""

from __future__ import annotations

import functools
import logging

from narration.engines.base import Engine, VoiceInfo
from narration.engines.piper import PiperEngine
from narration.engines.voices import find_voice
from narration.settings import Settings

_LOGGER = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _load(voice: VoiceInfo, threads: int | None) -> Engine:
    _LOGGER.info("loading voice %s (%s)", voice.name, voice.path)
    return PiperEngine.load(voice, threads=threads)


def engine_for(voice_name: str, settings: Settings) -> Engine:
    voice = find_voice(voice_name, settings.voice_dirs)
    return _load(voice, settings.engine_threads or None)
