"""Mastering decisions on synthetic programmes: the planned gain, the spec check, corrections."""

from __future__ import annotations

import numpy as np
import pytest

from narration.pipeline import mastering
from narration.pipeline.limiter import Limiter
from narration.pipeline.loudness import LoudnessMeter, TruePeakMeter

RATE = 22050
CHUNKS = 40
CHUNK_S = 0.5
CEILING = mastering.TRUE_PEAK_CEILING_DBTP
TARGET = -16.0


def peaky_programme() -> list[np.ndarray]:
    """A 220 Hz sine in sharp syllable-like swells (4 a second), louder in every fourth chunk:
    a crest factor like speech's, so bringing it to -16 LUFS pushes the swells into the
    limiter, which then takes most of a loudness unit away."""
    t = np.arange(int(CHUNK_S * RATE)) / RATE
    chunks = []
    for number in range(CHUNKS):
        swells = np.maximum(0.0, np.sin(2 * np.pi * 4 * t + number)) ** 8
        level = 0.05 * (1 + number % 4)
        chunks.append((level * np.sin(2 * np.pi * 220 * t) * swells).astype(np.float32))
    return chunks


def master(chunks: list[np.ndarray], chosen: mastering.Mastering) -> tuple[float, float]:
    """Integrated loudness and true peak of the programme through gain and limiter."""
    limiter = Limiter(RATE, chosen.ceiling_dbtp, gain_db=chosen.gain_db)
    loudness, peak = LoudnessMeter(RATE), TruePeakMeter(RATE, 8)
    for block in [*(limiter.process(chunk) for chunk in chunks), limiter.flush()]:
        loudness.add(block)
        peak.add(block)
    return loudness.integrated_lufs(), peak.true_peak_dbtp()


@pytest.mark.parametrize(
    ("lufs", "peak", "ok"),
    [
        (-16.0, -1.5, True),
        (-16.0 + mastering.LOUDNESS_TOLERANCE_LU - 0.01, -1.5, True),
        (-16.0 - mastering.LOUDNESS_TOLERANCE_LU - 0.01, -1.5, False),
        (-15.5, -1.5, False),
        (-16.0, CEILING, True),
        (-16.0, CEILING + 0.05, False),
    ],
)
def test_in_spec_only_within_tolerance_and_ceiling(lufs: float, peak: float, ok: bool) -> None:
    assert mastering.in_spec(lufs, peak, TARGET) is ok


def test_lossy_formats_get_a_lower_ceiling_and_more_gain() -> None:
    assert mastering.ceiling_for("wav") == CEILING
    assert mastering.ceiling_for("mp3") < mastering.ceiling_for("m4b") < CEILING
    wav, mp3 = mastering.planned(TARGET, "wav"), mastering.planned(TARGET, "mp3")
    assert mp3.gain_db - wav.gain_db == pytest.approx(
        mastering.MAKEUP_DB["mp3"] - mastering.DEFAULT_MAKEUP_DB
    )
    assert wav.gain_db == pytest.approx(
        TARGET - mastering.CALIBRATED_LUFS + mastering.DEFAULT_MAKEUP_DB
    )
    assert (wav.ceiling_dbtp, mp3.ceiling_dbtp) == (CEILING, mastering.ceiling_for("mp3"))


def test_planned_gain_follows_the_target() -> None:
    quiet, loud = mastering.planned(-23.0, "mp3"), mastering.planned(-14.0, "mp3")
    assert loud.gain_db - quiet.gain_db == pytest.approx(9.0)
    assert loud.ceiling_dbtp == quiet.ceiling_dbtp


def test_corrections_bring_a_limited_programme_into_spec() -> None:
    chunks = peaky_programme()
    meter = LoudnessMeter(RATE)
    for chunk in chunks:
        meter.add(chunk)
    chosen = mastering.for_loudness(meter.integrated_lufs(), TARGET, "wav")
    measured = master(chunks, chosen)
    # The first guess falls short: the limiter takes loudness away from the swells.
    assert not mastering.in_spec(*measured, TARGET)
    tries = [(chosen, measured)]
    for _ in range(3):
        chosen = mastering.corrected(tries, TARGET)
        tries.append((chosen, master(chunks, chosen)))
        if mastering.in_spec(*tries[-1][1], TARGET):
            break
    assert mastering.in_spec(*tries[-1][1], TARGET)
    # The second correction knows how much the limiter takes per dB and steps further.
    assert len(tries) <= 3


def test_a_peak_over_the_ceiling_lowers_it() -> None:
    first = mastering.Mastering(5.0, -1.7)
    again = mastering.corrected([(first, (-16.0, -0.6))], TARGET)
    assert again.gain_db == pytest.approx(5.0)
    assert again.ceiling_dbtp == pytest.approx(-1.7 - 0.4 - mastering.TRUE_PEAK_RETRY_MARGIN_DB)
    louder = mastering.corrected([(first, (-16.5, -2.0))], TARGET)
    assert louder == mastering.Mastering(5.5, -1.7)


def test_a_secant_step_follows_a_limiter_that_takes_half_of_each_db() -> None:
    first, second = mastering.Mastering(5.0, -1.7), mastering.Mastering(6.0, -1.7)
    tries = [(first, (-17.0, -2.0)), (second, (-16.5, -2.0))]
    assert mastering.corrected(tries, TARGET).gain_db == pytest.approx(7.0)
