"""Kokoro voices by name: the family, the language, and files refused with the install command."""

from __future__ import annotations

from pathlib import Path

import pytest

from narration.engines.kokoro import assets
from narration.engines.kokoro.voice import is_kokoro, kokoro_voice, language_of
from narration.errors import InputError


def test_kokoro_names_and_their_languages() -> None:
    assert is_kokoro("af_heart") and is_kokoro("bm_george")
    assert not is_kokoro("en_US-joe-medium")
    assert language_of("af_heart") == ("en-US", "en-us")
    assert language_of("bf_emma") == ("en-GB", "en")
    assert language_of("ef_dora").espeak == "es"


def test_a_missing_file_names_itself_and_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NARRATION_DATA_DIR", str(tmp_path))
    with pytest.raises(InputError) as missing:
        kokoro_voice("am_michael")
    expected = f"Kokoro file missing: {tmp_path / 'kokoro' / assets.MODEL_FILE}; install it with"
    assert str(missing.value).startswith(expected)
    assert str(missing.value).endswith(assets.INSTALL_COMMAND)


def test_a_corrupt_voice_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not assets.model_path().is_file():
        pytest.skip("Kokoro is not installed")
    kokoro = tmp_path / "kokoro"
    (kokoro / "voices").mkdir(parents=True)
    (kokoro / assets.MODEL_FILE).symlink_to(assets.model_path())
    (kokoro / "voices" / "am_michael.bin").write_bytes(b"\0" * 1024)
    monkeypatch.setenv("NARRATION_DATA_DIR", str(tmp_path))
    with pytest.raises(InputError, match=r"Kokoro file corrupt \(sha256 mismatch\): .*am_michael"):
        kokoro_voice("am_michael")
