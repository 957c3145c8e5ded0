"""`--intro` and `--outro` through the real stack: the same book with and without them, the
delivered audio decoded and measured here (numpy, pyloudnorm), not by the code under test."""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyloudnorm
import pytest

from narration.pipeline.prosody import PAUSES_S
from tests.conftest import narrate
from tests.helpers import decode
from tests.integration.test_mastering_presets import BOOK

RATE: Final = 22050
TONE_S: Final = 1.5
LEAD_IN_S: Final = 0.25
TAIL_S: Final = 0.75
MP3_FRAME_S: Final = 1152 / RATE


def tone_wav(path: Path, seconds: float = TONE_S, rate: int = 44100) -> Path:
    """A 440 Hz tone, stereo at 44.1 kHz (not the voice's format), quiet: levelling must lift it."""
    t = np.arange(round(seconds * rate)) / rate
    wave_samples = (0.05 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as file:
        file.setnchannels(2)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(np.repeat(wave_samples, 2).tobytes())
    return path


def _job(env: dict[str, str], work: Path, name: str, *args: str) -> dict[str, Any]:
    source = work / "harbour.md"
    source.write_text(BOOK)
    result = narrate(env, "submit", str(source), *args, "--wait", "--json")
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)["job_id"]
    got: dict[str, Any] = {}
    for what in ("audio", "manifest", "marks"):
        path = work / f"{name}.{what}"
        fetched = narrate(env, "fetch", job, "--what", what, "-o", str(path))
        assert fetched.returncode == 0, fetched.stderr
        got[what] = path
    got["pcm"] = decode(got["audio"], RATE).astype(np.float64)
    got["manifest"] = json.loads(got["manifest"].read_text())
    got["marks"] = [json.loads(line) for line in got["marks"].read_text().splitlines()]
    return got


@pytest.fixture(scope="module")
def jobs(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("bookends")
    tone = tone_wav(work / "tone.wav")
    return {
        "plain": _job(stack_env, work, "plain"),
        "framed": _job(stack_env, work, "framed", "--intro", str(tone), "--outro", str(tone)),
        "flac": _job(stack_env, work, "flac", "--intro", str(tone), "--format", "flac"),
    }


def test_the_output_is_longer_by_the_intro_the_outro_and_their_pauses(
    jobs: dict[str, Any],
) -> None:
    added = (len(jobs["framed"]["pcm"]) - len(jobs["plain"]["pcm"])) / RATE
    # The first and last parts each round to whole MP3 frames.
    assert added == pytest.approx(2 * (TONE_S + PAUSES_S["chapter"]), abs=2 * MP3_FRAME_S)
    manifest_added = (
        jobs["framed"]["manifest"]["duration_s"] - jobs["plain"]["manifest"]["duration_s"]
    )
    assert manifest_added == pytest.approx(added, abs=0.002)


def test_the_intro_and_outro_are_as_loud_as_the_speech(jobs: dict[str, Any]) -> None:
    pcm = jobs["framed"]["pcm"]
    meter = pyloudnorm.Meter(RATE)
    at = round(LEAD_IN_S * RATE)
    tone_len = round(TONE_S * RATE)
    pause = round(PAUSES_S["chapter"] * RATE)
    outro_end = len(pcm) - round(TAIL_S * RATE)
    margin = round(0.05 * RATE)
    intro = meter.integrated_loudness(pcm[at + margin : at + tone_len - margin])
    outro = meter.integrated_loudness(pcm[outro_end - tone_len + margin : outro_end - margin])
    speech = meter.integrated_loudness(pcm[at + tone_len + pause : outro_end - tone_len - pause])
    assert intro == pytest.approx(speech, abs=1.0)
    assert outro == pytest.approx(speech, abs=1.0)
    silence_before = pcm[at + tone_len + margin : at + tone_len + pause - margin]
    assert np.max(np.abs(silence_before)) < 0.01


def test_a_whole_file_encode_carries_the_intro_too(jobs: dict[str, Any]) -> None:
    """FLAC is encoded whole (`mastered_files`), not joined from parts: the same placement."""
    pcm, manifest = jobs["flac"]["pcm"], jobs["flac"]["manifest"]
    assert len(pcm) / RATE == pytest.approx(manifest["duration_s"], abs=0.002)
    at, tone_len, margin = round(LEAD_IN_S * RATE), round(TONE_S * RATE), round(0.05 * RATE)
    pause = round(PAUSES_S["chapter"] * RATE)
    meter = pyloudnorm.Meter(RATE)
    intro = meter.integrated_loudness(pcm[at + margin : at + tone_len - margin])
    speech = meter.integrated_loudness(pcm[at + tone_len + pause :])
    assert intro == pytest.approx(speech, abs=1.0)
    assert not np.any(pcm[: at - margin])
    assert np.max(np.abs(pcm[at + tone_len + margin : at + tone_len + pause - margin])) < 0.01
    plain_start = jobs["plain"]["marks"][0]["time"]
    assert jobs["flac"]["marks"][0]["time"] - plain_start == pytest.approx(
        (TONE_S + PAUSES_S["chapter"]) * 1000, abs=2
    )


def test_captions_marks_and_chapters_move_by_the_intro(jobs: dict[str, Any]) -> None:
    plain, framed = jobs["plain"], jobs["framed"]
    shift_ms = (TONE_S + PAUSES_S["chapter"]) * 1000
    assert framed["marks"][0]["time"] >= (LEAD_IN_S + TONE_S + PAUSES_S["chapter"]) * 1000
    assert len(framed["marks"]) == len(plain["marks"])
    before_chapters = plain["manifest"]["chapters"]
    chapters = framed["manifest"]["chapters"]
    assert [c["title"] for c in chapters] == [c["title"] for c in before_chapters]
    assert chapters[0]["start_s"] == 0.0
    first_grew = chapters[0]["end_s"] - before_chapters[0]["end_s"]
    assert first_grew == pytest.approx(TONE_S + PAUSES_S["chapter"], abs=MP3_FRAME_S)
    # Inside the first part everything moves by the intro and its pause; after it, by what the
    # first part grew (the same, rounded to whole MP3 frames).
    for before, after in zip(plain["marks"], framed["marks"], strict=True):
        in_first = before["time"] < before_chapters[0]["end_s"] * 1000
        expected = shift_ms if in_first else first_grew * 1000
        assert after["time"] - before["time"] == pytest.approx(expected, abs=2)
    last_grew = (chapters[-1]["end_s"] - chapters[-1]["start_s"]) - (
        before_chapters[-1]["end_s"] - before_chapters[-1]["start_s"]
    )
    assert last_grew == pytest.approx(TONE_S + PAUSES_S["chapter"], abs=MP3_FRAME_S)
    assert chapters[-1]["end_s"] == framed["manifest"]["duration_s"]


@pytest.mark.parametrize(
    ("kind", "args", "message"),
    [
        ("text", (), "not audio ffmpeg can read"),
        ("empty", (), "empty or silent"),
        ("long", (), "lasts over 600 s"),
        ("tone", ("--master", "acx"), "do not go with --master acx"),
    ],
)
def test_an_unusable_intro_is_refused(
    stack_env: dict[str, str], tmp_path: Path, kind: str, args: tuple[str, ...], message: str
) -> None:
    source = tmp_path / "night.md"
    source.write_text("# Night\n\nThe lamp burned low.\n")
    bad = tmp_path / "intro.wav"
    if kind == "text":
        bad.write_bytes(b"this is not audio at all\n" * 20)
    else:
        seconds = {"empty": 0.0, "long": 601.0, "tone": TONE_S}[kind]
        tone_wav(bad, seconds=seconds, rate=8000)
    result = narrate(stack_env, "submit", str(source), "--intro", str(bad), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_a_missing_outro_is_refused(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "night.md"
    source.write_text("# Night\n\nThe lamp burned low.\n")
    missing = narrate(stack_env, "submit", str(source), "--outro", str(tmp_path / "none.wav"))
    assert missing.returncode == 2
    assert "--outro file not found" in missing.stderr
