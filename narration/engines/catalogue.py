"""The one voice catalogue: every voice a job may name, from every family, described alike.

`narrate voices`, Polly's DescribeVoices, the console's voice picker and the OpenAI voice names
all read it. It only reads descriptions (a Piper voice's JSON config, which Kokoro voice files
are installed), never a model, so listing stays cheap. A name is listed once across families
(Piper's `en_US-joe-medium`, Kokoro's `af_heart` cannot meet; should a Piper voice dir hold a
Kokoro voice's name, the Piper voice is kept and the clash logged).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from narration.engines.kokoro import assets, voice_facts
from narration.engines.kokoro.voice import LANGUAGES as KOKORO_LANGUAGES
from narration.engines.voices import available_voices
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.pipeline.engine import VoiceInfo

_LOGGER = logging.getLogger(__name__)

PIPER_FAMILY: Final = "piper"
KOKORO_FAMILY: Final = assets.FAMILY
RUNTIMES: Final = {PIPER_FAMILY: ("onnx", "torch"), KOKORO_FAMILY: ("onnx", "torch")}
"""The runtimes (`--engine`) that can speak each family's voices."""
PIPER_GENDERS: Final = {DEFAULT_VOICE_NAME: "male"}
"""Piper's voice configs do not say a speaker's gender; the voices we know, we say."""
UNKNOWN_GENDER: Final = "unknown"
SAMPLE_TEXT: Final = (
    "The old lighthouse keeper climbed the stairs at dusk. "
    "Far below, the sea kept its own slow time against the rocks."
)
"""Every voice's sample (`narrate voices sample`, the console's play buttons): two sentences with
a pause between them, enough to hear a voice's tone and pacing."""


@dataclass(frozen=True)
class CatalogueVoice:
    """A voice as every surface lists it."""

    voice: VoiceInfo
    family: str
    language: str
    """BCP-47 (`en-US`, `pt-BR`, `ja`)."""
    gender: str
    grade: str | None
    """The family's own quality grade, where it gives one (Kokoro's A … F)."""

    @property
    def name(self) -> str:
        return self.voice.name

    @property
    def runtimes(self) -> tuple[str, ...]:
        """The `--engine` values that speak it: none for a Kokoro voice whose language has no
        G2P here (Japanese, Chinese), which is listed because it is installed, and refused."""
        if self.family == KOKORO_FAMILY and self.name[:1] not in KOKORO_LANGUAGES:
            return ()
        return RUNTIMES[self.family]

    def row(self) -> dict[str, Any]:
        """The voice as `narrate voices --json` prints it."""
        return {
            "name": self.name,
            "family": self.family,
            "language": self.language,
            "gender": self.gender,
            "grade": self.grade,
            "sample_rate": self.voice.sample_rate,
            "runtimes": list(self.runtimes),
            "engine": self.voice.engine,
            "path": self.voice.path,
        }


def bcp47(code: str) -> str:
    """A language code as BCP-47: Piper's `en_US` and espeak's `en-us` become `en-US`."""
    parts = [part for part in re.split(r"[-_]", code.strip()) if part]
    if not parts:
        return "und"
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 or part.isdigit():
            tag.append(part.upper())
        elif len(part) == 4:
            tag.append(part.title())
        else:
            tag.append(part.lower())
    return "-".join(tag)


def piper_voice(voice: VoiceInfo) -> CatalogueVoice:
    return CatalogueVoice(
        voice=voice,
        family=PIPER_FAMILY,
        language=bcp47(voice.language),
        gender=PIPER_GENDERS.get(voice.name, UNKNOWN_GENDER),
        grade=None,
    )


def kokoro_voice(name: str) -> CatalogueVoice:
    language = voice_facts.language(name)
    return CatalogueVoice(
        voice=VoiceInfo(
            name=name,
            language=language,
            sample_rate=voice_facts.SAMPLE_RATE,
            engine=KOKORO_FAMILY,
            path=str(assets.voice_path(name)),
        ),
        family=KOKORO_FAMILY,
        language=language,
        gender=voice_facts.gender(name),
        grade=voice_facts.grade(name),
    )


def kokoro_voices() -> list[CatalogueVoice]:
    """The installed Kokoro voices (none while the model itself is missing)."""
    if not assets.model_path().is_file():
        return []
    return [kokoro_voice(name) for name in assets.installed_voice_names()]


def catalogue(voice_dirs: Sequence[Path] = ()) -> list[CatalogueVoice]:
    """Every voice: the default first, then the Piper voices in `voice_dirs`, then Kokoro's."""
    piper = sorted(available_voices(voice_dirs), key=lambda v: v.name != DEFAULT_VOICE_NAME)
    voices = [piper_voice(voice) for voice in piper]
    taken = {voice.name for voice in voices}
    for voice in kokoro_voices():
        if voice.name in taken:
            _LOGGER.warning("Kokoro voice %s shadowed by a Piper voice of that name", voice.name)
            continue
        voices.append(voice)
    return voices


def by_name(voice_dirs: Sequence[Path] = ()) -> dict[str, CatalogueVoice]:
    return {voice.name: voice for voice in catalogue(voice_dirs)}


OPENAI_VOICES: Final = {
    "alloy": "af_alloy",
    "ash": "am_michael",
    "ballad": "bm_george",
    "cedar": "am_puck",
    "coral": "af_bella",
    "echo": "am_echo",
    "fable": "bm_fable",
    "marin": "af_heart",
    "nova": "af_nova",
    "onyx": "am_onyx",
    "sage": "af_sarah",
    "shimmer": "af_sky",
    "verse": "am_fenrir",
}
"""OpenAI's voice names → the Kokoro voice that stands in for each: its namesake where Kokoro
has one, else an English voice of the same gender and accent among Kokoro's better graded."""


def openai_voice(name: str, voices: Collection[str], default: str) -> str | None:
    """The voice an OpenAI request's `voice` means: one of ours by its own name, an OpenAI name's
    stand-in (the default voice where that is not installed), or None for anything else."""
    if name in voices:
        return name
    stand_in = OPENAI_VOICES.get(name.lower())
    if stand_in is None:
        return None
    return stand_in if stand_in in voices else default
