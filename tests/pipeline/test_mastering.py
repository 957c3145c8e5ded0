"""Mastering maths on synthetic programmes: probes, the second-pass decision, the gain solver."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from narration.pipeline import mastering
from narration.pipeline.loudness import (
    DEFAULT_TARGET_LUFS,
    Limiter,
    LoudnessMeter,
    TruePeakMeter,
    gain_for_target,
)

RATE = 22050
CHUNKS = 40
CHUNK_S = 0.5
CEILING = mastering.TRUE_PEAK_CEILING_DBTP


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


def source(chunks: list[np.ndarray]) -> mastering.BlockSource:
    def blocks(numbers: list[int] | None) -> Iterator[np.ndarray]:
        chosen = range(len(chunks)) if numbers is None else numbers
        return (chunks[n] for n in chosen)

    return blocks


def limited(chunks: list[np.ndarray], gain_db: float) -> tuple[float, float]:
    """Integrated loudness and true peak of the whole programme through the limiter."""
    limiter = Limiter(RATE, CEILING, gain_db=gain_db)
    loudness, peak = LoudnessMeter(RATE), TruePeakMeter(RATE)
    for block in [*(limiter.process(chunk) for chunk in chunks), limiter.flush()]:
        loudness.add(block)
        peak.add(block)
    return loudness.integrated_lufs(), peak.true_peak_dbtp()


@pytest.mark.parametrize("count", [0, 1, 5, mastering.LIMITER_PROBE_CHUNKS])
def test_few_chunks_are_all_probed(count: int) -> None:
    assert mastering.probe_numbers(count) == list(range(count))


@pytest.mark.parametrize("count", [mastering.LIMITER_PROBE_CHUNKS + 1, 100, 10_000])
def test_many_chunks_are_probed_evenly(count: int) -> None:
    numbers = mastering.probe_numbers(count)
    assert len(numbers) == mastering.LIMITER_PROBE_CHUNKS
    assert numbers[0] == 0
    assert numbers[-1] == count - 1
    steps = np.diff(numbers)
    assert steps.min() >= 1
    assert steps.max() - steps.min() <= 1


@pytest.mark.parametrize(
    ("lufs", "peak", "again"),
    [
        (-16.0, -1.5, False),
        (-16.0 + mastering.LOUDNESS_TOLERANCE_LU - 0.01, -1.5, False),
        (-16.0 - mastering.LOUDNESS_TOLERANCE_LU - 0.01, -1.5, True),
        (-15.5, -1.5, True),
        (-16.0, CEILING, False),
        (-16.0, CEILING + 0.05, True),
    ],
)
def test_second_pass_only_when_the_file_missed(lufs: float, peak: float, again: bool) -> None:
    assert mastering.needs_second_pass(lufs, peak, -16.0) is again


def test_lossy_formats_get_a_lower_ceiling() -> None:
    assert mastering.ceiling_for("wav") == (CEILING, 0.0)
    mp3_ceiling, mp3_loss = mastering.ceiling_for("mp3")
    assert mp3_ceiling < CEILING
    assert mp3_loss > 0.0


def test_solved_gain_lands_a_limited_programme_on_target() -> None:
    chunks = peaky_programme()
    meter = LoudnessMeter(RATE)
    for chunk in chunks:
        meter.add(chunk)
    plain_gain = gain_for_target(meter.integrated_lufs(), DEFAULT_TARGET_LUFS)
    # The plain gain falls short: the limiter takes loudness away from the bursts.
    plain_lufs, _ = limited(chunks, plain_gain)
    assert plain_lufs < DEFAULT_TARGET_LUFS - mastering.LOUDNESS_TOLERANCE_LU

    gain = mastering.solve_gain(source(chunks), len(chunks), RATE, plain_gain, CEILING)
    assert gain > plain_gain
    lufs, peak = limited(chunks, gain)
    assert lufs == pytest.approx(DEFAULT_TARGET_LUFS, abs=mastering.LOUDNESS_TOLERANCE_LU)
    assert peak <= CEILING + 0.05


def test_an_unlimited_programme_needs_one_probe() -> None:
    quiet = [chunk * np.float32(0.05) for chunk in peaky_programme()]
    loss = mastering.limiter_loss(iter(quiet), RATE, 0.0, CEILING)
    assert loss == pytest.approx(0.0, abs=1e-6)
    gain = mastering.solve_gain(source(quiet), len(quiet), RATE, 3.0, CEILING)
    assert gain == pytest.approx(3.0, abs=mastering.PROBE_SKIP_LU)
