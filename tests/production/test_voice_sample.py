"""A voice's sample, rendered for real by the default voice through the engine registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narration.errors import InputError
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.pipeline.loudness import LoudnessMeter
from narration.production.voice_sample import render_sample
from narration.settings import Settings
from tests.conftest import narrate
from tests.helpers import decode


def test_the_sample_is_spoken_at_the_loudness_target(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, loudness_lufs=-18.0)
    path = render_sample(DEFAULT_VOICE_NAME, tmp_path / "joe.wav", settings)
    pcm = decode(path)
    meter = LoudnessMeter(22050)
    meter.add(pcm)
    assert 4.0 < meter.duration_s < 15.0
    assert meter.integrated_lufs() == pytest.approx(-18.0, abs=0.3)
    assert float(np.max(np.abs(pcm))) <= 0.9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["joe.wav"]


def test_an_unknown_voice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown voice 'nobody'"):
        render_sample("nobody", tmp_path / "x.mp3", Settings(home=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_narrate_voices_sample_writes_an_mp3(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NARRATION_HOME": str(tmp_path)}
    result = narrate(env, "voices", "sample", DEFAULT_VOICE_NAME, "-o", str(tmp_path / "s.mp3"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s.mp3").read_bytes()[:3] in (b"ID3", b"\xff\xfb")
