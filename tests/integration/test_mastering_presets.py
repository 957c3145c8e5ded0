"""Mastering presets through the real stack, each delivered file measured here, independently of
the code under test: numpy on ffmpeg-decoded PCM, pyloudnorm, and MP3 frame headers read here."""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
import pytest

from tests.conftest import narrate
from tests.helpers import decode

BOOK = """# The Harbour

The harbour was quiet in the early morning, and the boats rocked gently against the old stone
walls. A fisherman mended his nets while gulls circled overhead, calling to one another.

By noon the market had filled with voices, and the smell of bread drifted down from the bakery.

# The Lighthouse

The lighthouse keeper climbed the spiral stairs every evening at dusk. He polished the great lens
until it shone, then lit the lamp and watched its beam sweep across the dark water.
"""
ONE_CHAPTER = "# Night\n\nThe lamp burned low, and the keeper listened to the sea below.\n"
OPENING = "This is The Harbour, written by Ann Example, read by Joe."
CLOSING = "This has been The Harbour. The end."
MPEG1_L3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
MPEG1_RATES = (44100, 48000, 32000)


def _submit(env: dict[str, str], path: Path, *args: str) -> dict[str, Any]:
    result = narrate(env, "submit", str(path), *args, "--wait", "--json")
    record: dict[str, Any] = json.loads(result.stdout)
    return record


def _fetch(env: dict[str, str], job: str, what: str, path: Path) -> Path:
    result = narrate(env, "fetch", job, "--what", what, "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


def mp3_frames(data: bytes) -> list[tuple[int, int, int]]:
    """(bitrate kbit/s, sample rate, channel mode) of every MPEG-1 Layer III frame, tags skipped;
    the first, LAME's Info frame, is included."""
    position = 0
    if data[:3] == b"ID3":
        size = 0
        for byte in data[6:10]:
            size = size * 128 + (byte & 0x7F)
        position = 10 + size
    frames = []
    while position + 4 <= len(data):
        b0, b1, b2, b3 = data[position : position + 4]
        if b0 != 0xFF or (b1 & 0xFE) != 0xFA:  # sync, MPEG-1, Layer III
            break
        kbps, rate = MPEG1_L3_KBPS[b2 >> 4], MPEG1_RATES[(b2 >> 2) & 3]
        frames.append((kbps, rate, b3 >> 6))
        position += 144 * kbps * 1000 // rate + ((b2 >> 1) & 1)
    return frames


def acx_levels(pcm: np.ndarray, rate: int) -> dict[str, float]:
    """ACX's measures: unweighted RMS, sample peak, quietest 0.5 s window (10 ms steps), and
    the room tone before the first and after the last 10 ms window louder than -60 dB."""
    x = pcm.astype(np.float64)
    rms = 10 * np.log10(np.mean(x**2))
    peak = 20 * np.log10(np.max(np.abs(x)))
    step = rate // 100
    energy = np.square(x[: len(x) // step * step]).reshape(-1, step).mean(axis=1)
    windows = np.convolve(energy, np.ones(50) / 50, mode="valid")
    floor = 10 * np.log10(max(float(windows.min()), 1e-12))
    loud = np.flatnonzero(energy > 10 ** (-60 / 10))
    head = loud[0] * step / rate
    tail = len(x) / rate - (loud[-1] + 1) * step / rate
    return {"rms": rms, "peak": peak, "floor": floor, "head": head, "tail": tail}


@pytest.fixture(scope="module")
def acx(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("acx")
    source = work / "harbour.md"
    source.write_text(BOOK)
    record = _submit(
        stack_env, source, "--master", "acx", "--opening-credits", OPENING,
        "--closing-credits", CLOSING, "--retail-sample",
    )  # fmt: skip
    assert record["status"] == "succeeded", record
    chapters = _fetch(stack_env, record["job_id"], "chapters", work / "chapters")
    manifest = json.loads(
        _fetch(stack_env, record["job_id"], "manifest", work / "m.json").read_text()
    )
    return {"record": record, "chapters": sorted(chapters.iterdir()), "manifest": manifest}


def test_acx_delivers_credits_and_chapters_as_files_of_their_own(acx: dict[str, Any]) -> None:
    entries = acx["manifest"]["chapter_files"]
    assert [entry["role"] for entry in entries] == [
        "opening_credits", "chapter", "chapter", "closing_credits",
    ]  # fmt: skip
    assert [entry["title"] for entry in entries][1:3] == ["The Harbour", "The Lighthouse"]
    assert [path.name for path in acx["chapters"]] == ["001.mp3", "002.mp3", "003.mp3", "004.mp3"]


def test_acx_files_are_44k_192k_cbr_mp3(acx: dict[str, Any]) -> None:
    for path in acx["chapters"]:
        frames = mp3_frames(path.read_bytes())
        assert len(frames) > 20, path.name
        assert {kbps for kbps, _, _ in frames} == {192}, path.name
        assert {rate for _, rate, _ in frames} == {44100}, path.name
        assert {mode for _, _, mode in frames} == {3}, path.name  # mono


def test_acx_files_pass_every_acx_check_measured_here(acx: dict[str, Any]) -> None:
    for path, entry in zip(acx["chapters"], acx["manifest"]["chapter_files"], strict=True):
        levels = acx_levels(decode(path, 44100), 44100)
        assert -23.0 <= levels["rms"] <= -18.0, (path.name, levels)
        assert levels["peak"] <= -3.0, (path.name, levels)
        assert levels["floor"] <= -60.0, (path.name, levels)
        assert 0.5 <= levels["head"] <= 1.0, (path.name, levels)
        assert 1.0 <= levels["tail"] <= 5.0, (path.name, levels)
        checks = {check["name"]: check for check in entry["compliance"]["checks"]}
        assert entry["compliance"]["preset"] == "acx"
        assert all(check["pass"] for check in checks.values()), checks
        assert checks["rms_db"]["measured"] == pytest.approx(levels["rms"], abs=0.05)
        assert checks["sample_peak_db"]["measured"] == pytest.approx(levels["peak"], abs=0.05)
        assert checks["bitrate_kbps"]["measured"] == "192 CBR"


def test_acx_chapters_are_mastered_near_minus_20_db_rms(acx: dict[str, Any]) -> None:
    narrated = [p for p, e in zip(acx["chapters"], acx["manifest"]["chapter_files"], strict=True)
                if e["role"] == "chapter"]  # fmt: skip
    for path in narrated:
        assert acx_levels(decode(path, 44100), 44100)["rms"] == pytest.approx(-20.0, abs=0.5)


def test_a_short_retail_sample_fails_its_length_check_and_status_says_so(
    acx: dict[str, Any],
) -> None:
    sample = acx["manifest"]["retail_sample"]
    failing = [check["name"] for check in sample["compliance"]["checks"] if not check["pass"]]
    assert failing == ["duration_s"]  # the whole first chapter is under a minute
    assert acx["record"]["compliance"].startswith("fail: retail sample: duration_s")


def test_strict_fails_a_job_whose_check_fails(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "harbour.md"
    source.write_text(BOOK)
    result = narrate(
        stack_env, "submit", str(source), "--master", "acx", "--opening-credits", OPENING,
        "--closing-credits", CLOSING, "--retail-sample", "--strict", "--wait", "--json",
    )  # fmt: skip
    assert result.returncode == 1
    record = json.loads(result.stdout)
    assert record["status"] == "failed"
    assert "duration_s" in record["error"] and "--strict" in record["error"]


def test_fetch_of_a_one_chapter_acx_job_gives_the_chapter_file(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "night.md"
    source.write_text(ONE_CHAPTER)
    record = _submit(stack_env, source, "--master", "acx")
    assert record["status"] == "succeeded", record
    audio = _fetch(stack_env, record["job_id"], "audio", tmp_path / "night.mp3")
    chapters = _fetch(stack_env, record["job_id"], "chapters", tmp_path / "chapters")
    assert audio.read_bytes() == (chapters / "001.mp3").read_bytes()
    status = narrate(stack_env, "status", record["job_id"])
    assert "compliance: pass" in status.stdout


def test_podcast_default_reports_its_checks_measured_here(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "harbour.md"
    source.write_text(BOOK)
    record = _submit(stack_env, source, "--split-chapters", "--retail-sample")
    job = record["job_id"]
    manifest = json.loads(_fetch(stack_env, job, "manifest", tmp_path / "m.json").read_text())
    audio = _fetch(stack_env, job, "audio", tmp_path / "book.mp3")
    chapters = sorted(_fetch(stack_env, job, "chapters", tmp_path / "chapters").iterdir())
    reports = [manifest["compliance"]] + [e["compliance"] for e in manifest["chapter_files"]]
    for path, report in zip([audio, *chapters], reports, strict=True):
        checks = {check["name"]: check for check in report["checks"]}
        assert report["preset"] == "podcast"
        assert set(checks) == {
            "integrated_loudness_lufs", "true_peak_dbtp", "noise_floor_db", "codec",
        }  # fmt: skip
        pcm = decode(path, 22050).astype(np.float64)
        lufs = pyloudnorm.Meter(22050).integrated_loudness(pcm)
        assert checks["integrated_loudness_lufs"]["measured"] == pytest.approx(lufs, abs=0.2)
        assert checks["integrated_loudness_lufs"]["required"] == "-17..-15"
        quietest = np.convolve(np.square(pcm), np.ones(11025) / 11025, mode="valid").min()
        floor = 10 * np.log10(max(float(quietest), 1e-12))
        assert checks["noise_floor_db"]["measured"] == pytest.approx(max(floor, -120.0), abs=0.5)
        assert all(check["pass"] for check in checks.values()), checks
    sample = _fetch(stack_env, job, "sample", tmp_path / "sample.mp3")
    assert len(decode(sample, 22050)) < len(decode(audio, 22050))
    assert manifest["retail_sample"]["compliance"]["preset"] == "podcast"


def test_ebu_delivers_48k_wav_at_minus_23_lufs(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "night.md"
    source.write_text(ONE_CHAPTER)
    record = _submit(stack_env, source, "--master", "ebu")
    audio = _fetch(stack_env, record["job_id"], "audio", tmp_path / "night.wav")
    with wave.open(str(audio)) as file:
        assert file.getframerate() == 48000
    lufs = pyloudnorm.Meter(48000).integrated_loudness(decode(audio, 48000).astype(np.float64))
    assert lufs == pytest.approx(-23.0, abs=0.5)
    assert record["compliance"] == "pass"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--master", "acx", "--format", "opus"), "mp3 only"),
        (("--master", "acx", "--bitrate", "128k"), "at least 192"),
        (("--master", "acx", "--loudness", "-16"), "within -23..-18"),
        (("--master", "none", "--loudness", "-16"), "sets no loudness"),
        (("--master", "broadcast"), "unknown --master"),
    ],
)
def test_combinations_a_preset_forbids_are_refused(
    stack_env: dict[str, str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    source = tmp_path / "night.md"
    source.write_text(ONE_CHAPTER)
    result = narrate(stack_env, "submit", str(source), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
