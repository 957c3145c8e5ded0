"""Streaming loudness meter against pyloudnorm, true peak and the limiter."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from narration.pipeline.limiter import Limiter
from narration.pipeline.loudness import (
    VERIFY_OVERSAMPLE,
    LoudnessMeter,
    Oversampler,
    TruePeakMeter,
    gain_for_target,
    peaks_between,
    true_peak_dbtp,
    window_max,
)

SR = 22050
ODD_SIZES = [1, 7, 333, 4097, 2205, 10_000, 2]


def speech_like(seconds: float, seed: int = 0, sr: int = SR) -> np.ndarray:
    """Voiced harmonics with a gliding pitch, syllable envelope, pauses and a noise floor."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    syllables = np.clip(np.sin(2 * np.pi * 3.1 * t), 0, None)
    pauses = np.sin(2 * np.pi * 0.4 * t) > -0.5
    x = 0.2 * voiced * syllables * pauses + 0.003 * rng.standard_normal(len(t))
    return x.astype(np.float32)


def feed_odd(meter: LoudnessMeter | TruePeakMeter, x: np.ndarray) -> None:
    i = k = 0
    while i < len(x):
        n = ODD_SIZES[k % len(ODD_SIZES)]
        meter.add(x[i : i + n])
        i += n
        k += 1


def limit(lim: Limiter, x: np.ndarray, block: int) -> np.ndarray:
    parts = [lim.process(x[i : i + block]) for i in range(0, len(x), block)]
    return np.concatenate([*parts, lim.flush()])


@pytest.mark.parametrize("kind", ["noise", "speech", "speech48k"])
def test_meter_matches_pyloudnorm(kind: str) -> None:
    sr = 48000 if kind == "speech48k" else SR
    if kind == "noise":
        x = (0.05 * np.random.default_rng(3).standard_normal(sr * 12)).astype(np.float32)
    else:
        x = speech_like(15, seed=1, sr=sr)
    ref = pyloudnorm.Meter(sr).integrated_loudness(x.astype(np.float64))
    meter = LoudnessMeter(sr)
    feed_odd(meter, x)
    assert meter.samples == len(x)
    assert abs(meter.integrated_lufs() - ref) < 0.1


def test_meter_int16_and_silence() -> None:
    x = speech_like(5)
    a, b = LoudnessMeter(SR), LoudnessMeter(SR)
    a.add(x)
    b.add(np.round(x * 32768).astype(np.int16))
    assert abs(a.integrated_lufs() - b.integrated_lufs()) < 0.01
    silent = LoudnessMeter(SR)
    silent.add(np.zeros(SR * 2, dtype=np.float32))
    assert silent.integrated_lufs() == -math.inf
    assert gain_for_target(-math.inf, -16) == 0.0
    assert gain_for_target(-20.0, -16.0) == pytest.approx(4.0)


def test_true_peak_finds_intersample_peak() -> None:
    # A sine at fs/4 sampled 45 degrees off its crest: samples reach 0.707, the wave 1.0.
    t = np.arange(SR) / SR
    x = np.sin(2 * np.pi * SR / 4 * t + np.pi / 4).astype(np.float32)
    assert 20 * math.log10(float(np.abs(x).max())) == pytest.approx(-3.01, abs=0.01)
    meter = TruePeakMeter(SR)
    feed_odd(meter, x)
    assert meter.true_peak_dbtp() == pytest.approx(0.0, abs=0.3)
    assert true_peak_dbtp(x, SR) == pytest.approx(meter.true_peak_dbtp(), abs=1e-9)


def test_limiter_keeps_true_peak_under_ceiling() -> None:
    x = speech_like(10, seed=2)
    meter = LoudnessMeter(SR)
    meter.add(x)
    gain = gain_for_target(meter.integrated_lufs(), -9.0)  # far too hot for -1 dBTP
    assert true_peak_dbtp(x, SR) + gain > 3.0
    lim = Limiter(SR, ceiling_dbtp=-1.0, gain_db=gain)
    out = limit(lim, x, 3001)
    assert len(out) == len(x)
    assert true_peak_dbtp(out, SR) <= -1.0
    assert lim.reduction_db < -3.0
    # Where the limiter is idle the output is the gained input, in step with it.
    quiet = np.abs(x) * 10 ** (gain / 20) < 0.2
    assert np.median(np.abs(out[quiet] - x[quiet] * 10 ** (gain / 20))) < 1e-3


def test_limiter_hot_sine_all_block_sizes() -> None:
    t = np.arange(SR * 2) / SR
    x = (0.9 * np.sin(2 * np.pi * 3000 * t + 0.3)).astype(np.float32)
    for block in (37, 100, 4096, len(x)):
        lim = Limiter(SR, ceiling_dbtp=-1.0, gain_db=6.0)
        out = limit(lim, x, block)
        assert len(out) == len(x)
        assert true_peak_dbtp(out, SR) <= -1.0


def test_limiter_leaves_quiet_signal_untouched() -> None:
    x = 0.25 * speech_like(6, seed=4)
    assert true_peak_dbtp(x, SR) < -6
    lim = Limiter(SR, ceiling_dbtp=-1.0, gain_db=0.0)
    out = limit(lim, x, 999)
    assert lim.latency > 0
    np.testing.assert_array_equal(out, x)
    assert lim.reduction_db == 0.0
    # Gain alone, no limiting needed: exact scaling.
    lim = Limiter(SR, ceiling_dbtp=-1.0, gain_db=3.0)
    out = limit(lim, x, 4410)
    np.testing.assert_allclose(out, x * 10 ** (3 / 20), rtol=1e-6, atol=1e-7)


def test_limiter_short_stream_flushes_everything() -> None:
    x = np.linspace(-0.1, 0.1, 50, dtype=np.float32)
    lim = Limiter(SR)
    out = limit(lim, x, 7)
    np.testing.assert_array_equal(out, x)


def test_peaks_between_equals_the_matrix_product_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    ext = rng.standard_normal(400)
    rows = np.sort(rng.choice(400 - 12, size=150, replace=False))
    matrix = rng.standard_normal((12, 8))
    windows = ext[rows[:, None] + np.arange(12)]
    assert np.allclose(
        peaks_between(ext, rows, matrix), np.abs(windows @ matrix).max(axis=1), rtol=0, atol=1e-12
    )
    # The same sums in the same order as a row at a time: no last-bit differences.
    one_by_one = [
        np.abs(np.einsum("ij,jk->ik", windows[i : i + 1], matrix)).max() for i in range(150)
    ]
    np.testing.assert_array_equal(peaks_between(ext, rows, matrix), one_by_one)


def test_window_max() -> None:
    a = np.random.default_rng(8).random(200)
    for width in (1, 2, 3, 5, 8, 12, 13):
        expected = np.lib.stride_tricks.sliding_window_view(a, width).max(axis=1)
        np.testing.assert_array_equal(window_max(a, width), expected)


def every_row_peak(x: np.ndarray, oversample: int) -> float:
    """The brute-force true peak: every row interpolated, the stream flushed."""
    over = Oversampler(oversample)
    return float(over.abs_peaks(np.concatenate([x, np.zeros(over.delay)])).max())


def worst_case_window(oversample: int, amplitude: float) -> np.ndarray:
    """Samples whose signs follow the phase with the largest L1 norm: its point reaches
    `amplitude` times that norm, the most any window of this amplitude can overshoot."""
    matrix = Oversampler(oversample).matrix
    phase = int(np.abs(matrix).sum(axis=0).argmax())
    return amplitude * np.sign(matrix[:, phase])


@pytest.mark.parametrize("oversample", [4, VERIFY_OVERSAMPLE])
def test_true_peak_skips_only_rows_that_cannot_raise_it(oversample: int) -> None:
    meter = TruePeakMeter(SR, oversample)
    matrix = Oversampler(oversample).matrix
    gain = float(np.abs(matrix).sum(axis=0).max())
    window = worst_case_window(oversample, 1.0)
    assert float(np.abs(window @ matrix).max()) == pytest.approx(gain)
    # The bound holds for any window: random ones and the worst case.
    windows = np.random.default_rng(9).uniform(-1, 1, (2000, 12))
    peaks = np.abs(np.vstack([windows, window]) @ matrix).max(axis=1)
    assert np.all(peaks <= meter.bound_gain * np.abs(np.vstack([windows, window])).max(axis=1))
    # A worst-case window 3.8 dB under an earlier sample peak: both its samples stay under
    # any margin short of the full bound (a 3.5 dB margin would skip it), its true peak is over.
    spike = 0.5
    amplitude = spike * 10 ** (-3.8 / 20)
    x = np.zeros(3000)
    x[100] = spike
    x[2000:2012] = worst_case_window(oversample, amplitude)
    assert amplitude * gain > spike
    feed_odd(meter, x.astype(np.float64))
    brute = every_row_peak(x, oversample)
    assert brute > spike * 10 ** (0.05 / 20)
    assert 10 ** (meter.true_peak_dbtp() / 20) == pytest.approx(brute, rel=1e-12)


def test_true_peak_equals_every_row_interpolated_on_speech() -> None:
    x = speech_like(8, seed=6)
    for oversample in (4, VERIFY_OVERSAMPLE):
        meter = TruePeakMeter(SR, oversample)
        feed_odd(meter, x)
        peak = 10 ** (meter.true_peak_dbtp() / 20)
        assert peak == pytest.approx(every_row_peak(x.astype(np.float64), oversample), rel=1e-12)
