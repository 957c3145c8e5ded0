"""A voice's sample, rendered for real by the default voice through the engine registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from narration.errors import InputError
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.pipeline.loudness import LoudnessMeter, true_peak_dbtp
from narration.production.voice_sample import render_sample
from narration.settings import Settings
from tests.conftest import narrate
from tests.helpers import decode


@pytest.mark.parametrize("name", ["joe.wav", "joe.mp3"])
def test_the_sample_is_spoken_at_the_loudness_target(tmp_path: Path, name: str) -> None:
    """Measured as a listener gets it, decoded from the file: the codec's loss included."""
    settings = Settings(home=tmp_path, loudness_lufs=-18.0)
    path = render_sample(DEFAULT_VOICE_NAME, tmp_path / name, settings)
    pcm = decode(path, 48000)
    meter = LoudnessMeter(48000)
    meter.add(pcm)
    assert 4.0 < meter.duration_s < 15.0
    assert meter.integrated_lufs() == pytest.approx(-18.0, abs=0.3)
    assert true_peak_dbtp(pcm, 48000) <= -1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_unknown_voice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown voice 'nobody'"):
        render_sample("nobody", tmp_path / "x.mp3", Settings(home=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_narrate_voices_sample_writes_an_mp3(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NARRATION_HOME": str(tmp_path)}
    result = narrate(env, "voices", "sample", DEFAULT_VOICE_NAME, "-o", str(tmp_path / "s.mp3"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s.mp3").read_bytes()[:3] in (b"ID3", b"\xff\xfb")
