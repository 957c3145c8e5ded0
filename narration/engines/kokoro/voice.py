"""Kokoro voices by name: which are Kokoro's, their language, and their files checked.

A Kokoro voice name says its language and gender in its first two letters (`af_heart`: American
English, female). Only the language matters to the engine (it picks espeak's voice). Japanese
and Chinese voices need G2P that espeak does not give (misaki's own), so they are refused.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Final, NamedTuple

from narration.engines.kokoro import assets
from narration.errors import InputError
from narration.pipeline.engine import VoiceInfo


class Language(NamedTuple):
    code: str
    """BCP-47."""
    espeak: str
    """The espeak-ng voice that phonemizes it."""


LANGUAGES: Final = {
    "a": Language("en-US", "en-us"),
    "b": Language("en-GB", "en"),
    "e": Language("es", "es"),
    "f": Language("fr", "fr"),
    "h": Language("hi", "hi"),
    "i": Language("it", "it"),
    "p": Language("pt-BR", "pt-br"),
}
"""By a voice name's first letter."""


def is_kokoro(name: str) -> bool:
    return name in assets.VOICE_SHA256


def lacks_g2p(name: str) -> bool:
    """Whether `name` is a Kokoro voice this version cannot speak (Japanese, Chinese)."""
    return is_kokoro(name) and name[:1] not in LANGUAGES


def language_of(name: str) -> Language:
    language = LANGUAGES.get(name[:1])
    if language is None:
        raise InputError(
            f"the Kokoro voice {name} needs Japanese or Chinese G2P, which this version does not "
            "have; choose an English, Spanish, French, Hindi, Italian or Portuguese voice"
        )
    return language


def kokoro_voice(name: str) -> VoiceInfo:
    """The voice `name`, its model and style file verified against their pins (InputError with
    the command that installs them otherwise)."""
    language = language_of(name)
    voice_path = assets.voice_path(name)
    _verified(assets.model_path(), assets.MODEL_SHA256)
    _verified(voice_path, assets.VOICE_SHA256[name])
    return VoiceInfo(
        name=name,
        language=language.code,
        sample_rate=24_000,
        engine=assets.FAMILY,
        path=str(voice_path.resolve()),
    )


def _verified(path: Path, sha256: str) -> None:
    """`assets.verified`, hashed once per process per file version (path, size, mtime)."""
    try:
        stat = os.stat(path)
        version = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    except OSError:
        version = (-1, -1, -1)
    _verified_once(str(path), sha256, version)


@functools.lru_cache(maxsize=128)
def _verified_once(path: str, sha256: str, version: tuple[int, int, int]) -> None:
    assets.verified(Path(path), sha256)
