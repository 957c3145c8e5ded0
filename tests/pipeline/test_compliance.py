"""ACX-style level measures on synthetic signals whose answers are known, and the report."""

from __future__ import annotations

import numpy as np
import pytest

from narration.pipeline.compliance import (
    SILENT_DB,
    LevelMeter,
    Measured,
    StreamFacts,
    failures,
    joined_levels,
    passed,
    report,
)
from narration.pipeline.presets import get_preset

RATE = 44100


def _programme(head_s: float, tone_s: float, tail_s: float, noise_db: float | None) -> np.ndarray:
    rng = np.random.default_rng(1)
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(round(tone_s * RATE)) / RATE)
    x = np.concatenate([np.zeros(round(head_s * RATE)), tone, np.zeros(round(tail_s * RATE))])
    if noise_db is not None:
        x += rng.standard_normal(len(x)) * 10 ** (noise_db / 20)
    return x.astype(np.float32)


def _measure(x: np.ndarray, block: int = 10_000) -> LevelMeter:
    meter = LevelMeter(RATE)
    for start in range(0, len(x), block):
        meter.add(x[start : start + block])
    return meter


def test_rms_peak_floor_and_room_tone_of_a_known_signal() -> None:
    x = _programme(0.8, 4.0, 2.5, noise_db=-70.0)
    levels = _measure(x).measured()
    expected_rms = 10 * np.log10(np.mean(x.astype(np.float64) ** 2))
    assert levels.rms_db == pytest.approx(expected_rms, abs=1e-6)
    assert levels.sample_peak_db == pytest.approx(20 * np.log10(np.max(np.abs(x))), abs=1e-6)
    assert levels.noise_floor_db == pytest.approx(-70.0, abs=0.3)
    assert levels.head_s == pytest.approx(0.8, abs=0.011)
    assert levels.tail_s == pytest.approx(2.5, abs=0.011)
    assert levels.duration_s == pytest.approx(len(x) / RATE)


def test_block_size_does_not_change_the_measures() -> None:
    x = _programme(0.6, 2.0, 1.5, noise_db=-65.0)
    one, other = _measure(x, 4096).measured(), _measure(x, 1_000_003).measured()
    assert one.noise_floor_db == pytest.approx(other.noise_floor_db, abs=1e-9)
    assert (one.head_s, one.tail_s) == (other.head_s, other.tail_s)


def test_digital_silence_reports_the_silent_floor() -> None:
    assert _measure(_programme(1.0, 1.0, 1.0, None)).measured().noise_floor_db == SILENT_DB


def test_an_acx_report_fails_a_loud_vbr_file_and_names_the_checks() -> None:
    x = _programme(0.2, 3.0, 0.5, noise_db=-50.0)
    measured = Measured(_measure(x).measured(), StreamFacts("mp3", 22050, (64, 96)))
    compliance = report(get_preset("acx"), -20.0, measured, "mp3")
    names = {check["name"] for check in compliance["checks"] if not check["pass"]}
    assert names == {
        "rms_db", "noise_floor_db", "sample_rate_hz", "bitrate_kbps", "head_room_tone_s",
        "tail_room_tone_s",
    }  # fmt: skip
    assert not passed(compliance)
    assert any(line.startswith("bitrate_kbps VBR 64/96") for line in failures(compliance))


def test_a_podcast_report_checks_loudness_around_its_target() -> None:
    x = _programme(0.25, 3.0, 0.75, noise_db=None)
    levels = _measure(x).measured()
    facts = StreamFacts("mp3", 22050, (64,))
    good = report(get_preset("podcast"), -16.0, Measured(levels, facts, -16.4, -1.2), "mp3")
    assert passed(good)
    loud = report(get_preset("podcast"), -16.0, Measured(levels, facts, -14.5, -0.5), "mp3")
    assert {c["name"] for c in loud["checks"] if not c["pass"]} == {
        "integrated_loudness_lufs", "true_peak_dbtp",
    }  # fmt: skip


def test_parts_joined_in_silence_measure_as_the_whole() -> None:
    pieces = [_programme(0.3, 1.5, 0.7, None), _programme(0.4, 2.0, 0.6, -75.0)]
    whole = _measure(np.concatenate(pieces)).measured()
    figures = [_measure(piece).figures() for piece in pieces]
    joined = joined_levels(figures, sum(len(piece) for piece in pieces), RATE)
    assert joined.rms_db == pytest.approx(whole.rms_db, abs=1e-9)
    assert joined.sample_peak_db == pytest.approx(whole.sample_peak_db, abs=1e-3)
    assert joined.noise_floor_db == pytest.approx(whole.noise_floor_db, abs=0.01)
    assert (joined.head_s, joined.tail_s) == pytest.approx((whole.head_s, whole.tail_s), abs=1e-3)
