"""Streaming loudness and true-peak measurement (ITU-R BS.1770-4).

Workers measure each chunk and each part as it is made (`LoudnessMeter`, `TruePeakMeter`); the
gain and true-peak limiting that use the same interpolator are in `pipeline.limiter`. Every
class here keeps only its filter state and a few hundred samples of history between `add`
calls, so memory does not grow with the book (the loudness meter keeps one float per 100 ms
gating step: about 3 MB for 10 hours, which is what makes the relative gate exact).

The K-weighting biquads use the same RBJ-cookbook design pyloudnorm uses (shelf +4 dB at 1500 Hz,
Q 1/sqrt(2); high-pass at 38 Hz, Q 0.5) so that a streamed measurement agrees with
`pyloudnorm.Meter.integrated_loudness` on the whole signal; at 48 kHz these are the BS.1770
coefficients to within 1e-4.

scipy's filters are imported where they run: scipy.signal takes about a second to import, and
`narrate submit` loads this module (through the plan and the bookends) without measuring.
"""

from __future__ import annotations

import math
from array import array
from typing import Final

import numpy as np

from narration.pipeline.defaults import DEFAULT_TARGET_LUFS

ABSOLUTE_GATE_LUFS: Final = -70.0
RELATIVE_GATE_LU: Final = -10.0
BLOCK_S: Final = 0.4
STEP_S: Final = 0.1  # 75 % overlap: four steps per gating block

DEFAULT_CEILING_DBTP: Final = -1.0

OVERSAMPLE: Final = 4
VERIFY_OVERSAMPLE: Final = 8
TP_TAPS_PER_PHASE: Final = 12  # 48-tap interpolator, as in BS.1770-4 Annex 2
# The limiter's fast path: where both neighbouring samples stay this far under the ceiling,
# the true peak between them is assumed to stay under too and the interpolator is skipped: a
# tone at fs/4 overshoots its samples by 3.01 dB at most, speech by well under 1 dB. Only
# content near Nyquist could slip through, and the meters that verify a part do not assume
# it (`TruePeakMeter` skips only rows that provably cannot raise the peak).
FAST_PATH_MARGIN_DB: Final = 3.5


def _rbj_biquad(kind: str, gain_db: float, q: float, fc: float, rate: float) -> np.ndarray:
    a_ = 10 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * fc / rate
    cw, alpha = math.cos(w0), math.sin(w0) / (2.0 * q)
    if kind == "high_shelf":
        sa = 2 * math.sqrt(a_) * alpha
        b = [
            a_ * ((a_ + 1) + (a_ - 1) * cw + sa),
            -2 * a_ * ((a_ - 1) + (a_ + 1) * cw),
            a_ * ((a_ + 1) + (a_ - 1) * cw - sa),
        ]
        a = [
            (a_ + 1) - (a_ - 1) * cw + sa,
            2 * ((a_ - 1) - (a_ + 1) * cw),
            (a_ + 1) - (a_ - 1) * cw - sa,
        ]
    else:  # high_pass
        b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    return np.array([*(x / a[0] for x in b), *(x / a[0] for x in a)])


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """Second-order sections of the BS.1770 K-weighting pre-filter for `sample_rate`."""
    return np.vstack(
        [
            _rbj_biquad("high_shelf", 4.0, 1 / math.sqrt(2), 1500.0, sample_rate),
            _rbj_biquad("high_pass", 0.0, 0.5, 38.0, sample_rate),
        ]
    )


def as_float(block: np.ndarray) -> np.ndarray:
    """float64 mono samples in [-1, 1] from a float or int16 block."""
    x = np.asarray(block)
    if x.ndim != 1:
        raise ValueError(f"expected a mono 1-D block, got shape {x.shape}")
    if x.dtype == np.int16:
        return x.astype(np.float64) / 32768.0
    return x.astype(np.float64, copy=False)


class LoudnessMeter:
    """Integrated loudness (LUFS) of a mono stream fed in blocks of any size.

    It keeps the K-weighted energy of every 100 ms step (`steps`): the gating blocks are sums of
    four of them, and a piece's steps are what the stitcher adds up (`pipeline.step_loudness`).
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._sos = k_weighting_sos(sample_rate)
        self._zi = np.zeros((self._sos.shape[0], 2))
        self.hop = round(sample_rate * STEP_S)
        self._acc = 0.0  # energy of the current, incomplete 100 ms step
        self._acc_n = 0
        self._steps = array("d")  # energy (sum of squares) of every complete 100 ms step
        self.samples = 0

    def add(self, block: np.ndarray) -> None:
        """Feed the next block (float in [-1, 1] or int16)."""
        x = as_float(block)
        if not len(x):
            return
        self.samples += len(x)
        from scipy.signal import sosfilt

        y, self._zi = sosfilt(self._sos, x, zi=self._zi)
        sq = y * y
        hop = self.hop
        need = hop - self._acc_n
        if len(sq) < need:
            self._acc += float(sq.sum())
            self._acc_n += len(sq)
            return
        first = self._acc + float(sq[:need].sum())
        rest = sq[need:]
        whole = len(rest) // hop
        self._steps.append(first)
        self._steps.extend(rest[: whole * hop].reshape(whole, hop).sum(axis=1))
        tail = rest[whole * hop :]
        self._acc, self._acc_n = float(tail.sum()), len(tail)

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate

    def steps(self) -> np.ndarray:
        """Energy of every 100 ms step so far, the last one partial (a copy)."""
        complete = np.frombuffer(self._steps, dtype=np.float64)
        return np.append(complete, self._acc) if self._acc_n else complete.copy()

    def integrated_lufs(self) -> float:
        """Gated integrated loudness so far; -inf when nothing passes the gates."""
        return steps_lufs(np.frombuffer(self._steps, dtype=np.float64), self.hop)


def steps_lufs(steps: np.ndarray, hop: int) -> float:
    """Gated integrated loudness of a stream from its 100 ms step energies (`hop` samples each).

    The 400 ms gating blocks overlap by 75 %: each is the sum of four consecutive steps.
    """
    if len(steps) < 4:
        return -math.inf
    z = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10.0 * np.log10(z)
    z = z[lk >= ABSOLUTE_GATE_LUFS]
    lk = lk[lk >= ABSOLUTE_GATE_LUFS]
    if not len(z):
        return -math.inf
    rel = -0.691 + 10.0 * math.log10(float(z.mean())) + RELATIVE_GATE_LU
    gated = z[lk > rel]
    if not len(gated):
        return -math.inf
    return -0.691 + 10.0 * math.log10(float(gated.mean()))


def _interpolator(oversample: int) -> np.ndarray:
    """(taps_per_phase, oversample) polyphase matrix of a windowed-sinc interpolator.

    Column p holds the taps that produce the sample p/oversample of a period after the newest
    input of a window, so `window @ matrix` (`peaks_between`) yields evenly spaced points per
    input sample.
    """
    from scipy.signal import firwin

    n = TP_TAPS_PER_PHASE * oversample
    # Pass band to 0.9 of the input Nyquist, like the BS.1770 reference filter (~20 kHz at 48k).
    h = firwin(n, 0.9 / oversample, window=("kaiser", 8.0)) * oversample
    # h[k] with k = p + oversample * j multiplies input x[n - j]; reverse j for a window in time
    # order (oldest first).
    poly = h.reshape(TP_TAPS_PER_PHASE, oversample)  # [j, p]
    return np.ascontiguousarray(poly[::-1, :])


_TAPS: Final = np.arange(TP_TAPS_PER_PHASE)


def peaks_between(ext: np.ndarray, rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """For each row r, the largest |value| `matrix` interpolates from `ext[r : r + taps]`.

    The windows are gathered tap-major, one contiguous run of rows per tap, so the product's
    inner loop runs along the rows (a row-major gather left it 4 or 8 long; this is 1.4-1.7x
    faster) and each value is still the same sum over the taps in order, bit for bit. einsum,
    not a matmul: for these small products OpenBLAS woke its thread pool, whose spinning cost
    more CPU than the products (2.4 CPU-s per 10 minutes of audio in a part's verification, on
    the core the other synthesis needed) and whose kernel depends on the CPU model, so a true
    peak could differ in its last bits from one machine to another."""
    windows = ext[_TAPS[:, None] + rows]
    return np.abs(np.einsum("jp,jr->pr", matrix, windows)).max(axis=0)


def window_max(a: np.ndarray, width: int) -> np.ndarray:
    """m[i] = max(a[i : i + width]) for every whole window, by doubling the span (four vector
    passes for 12 samples)."""
    m, span = a, 1
    while span * 2 <= width:
        m = np.maximum(m[:-span], m[span:])
        span *= 2
    if span < width:
        m = np.maximum(m[: -(width - span)], m[width - span :])
    return m


class Oversampler:
    """Streaming interpolation; returns |x| on the fine grid, `oversample` values per sample."""

    def __init__(self, oversample: int = OVERSAMPLE) -> None:
        self.matrix = _interpolator(oversample)
        self._kernels = [np.ascontiguousarray(self.matrix[::-1, p]) for p in range(oversample)]
        self.hist = np.zeros(TP_TAPS_PER_PHASE - 1)

    def extend(self, x: np.ndarray) -> np.ndarray:
        """`x` after the samples the interpolator still holds from the last call (its windows
        reach back `TP_TAPS_PER_PHASE - 1`), which it keeps of this one for the next."""
        ext = np.concatenate([self.hist, x])
        self.hist = ext[len(ext) - (TP_TAPS_PER_PHASE - 1) :].copy()
        return ext

    def abs_peaks(self, x: np.ndarray) -> np.ndarray:
        """Per input sample (delayed by the filter), the largest |value| of its four phases."""
        ext = self.extend(x)
        # One 12-tap FIR per phase (np.convolve runs in C on contiguous data; a matmul over a
        # sliding-window view was 10x slower), folded into a running max of |value|.
        fine = np.abs(np.convolve(ext, self._kernels[0], mode="valid"))
        for k in self._kernels[1:]:
            np.maximum(fine, np.abs(np.convolve(ext, k, mode="valid")), out=fine)
        # The four points of row i lie between input samples i - d and i - d + 1; include those
        # samples themselves so that the sample peak is never missed.
        d = self.delay
        t = TP_TAPS_PER_PHASE - 1
        a = np.abs(ext[t - d : len(ext) - d])
        b = np.abs(ext[t - d + 1 : len(ext) - d + 1])
        return np.maximum(fine, np.maximum(a, b))

    @property
    def delay(self) -> int:
        """Row i of `abs_peaks` describes input samples i - delay .. i - delay + 1."""
        return TP_TAPS_PER_PHASE // 2


class TruePeakMeter:
    """Maximum true peak (BS.1770-4 Annex 2; 4x oversampled unless told) of a stream in blocks.

    BS.1770 asks for 4x at 48 kHz; at 22.05 kHz a delivered file is checked at 8x
    (`VERIFY_OVERSAMPLE`), which finds inter-sample peaks 4x can miss by a few tenths of a dB.

    Only rows that could raise the peak are interpolated, and the skip is exact, not a margin.
    Row i's points are y_p = sum_j h[p, j] * x[i + j] over its window of `TP_TAPS_PER_PHASE`
    samples, so |y_p| <= sum_j |h[p, j]| * |x[i + j]| <= G * w_i, where G is the largest L1
    norm of a phase's taps (`bound_gain`: 1.58 at 4x, 1.62 at 8x, i.e. 4.0 and 4.2 dB) and
    w_i the window's largest |sample|. A row with G * w_i <= P, the peak found so far, cannot
    exceed P, and P only grows, so skipping it leaves the maximum unchanged, whatever the
    signal (even at Nyquist, where speech never is). G is raised by 1e-9 to cover the rounding
    of the sums (12 products: a relative error under 1e-14). Speech after a limiter puts
    about 5 % of rows within 4.2 dB of its peak, so the meter costs a few vector passes plus
    those rows' products, instead of interpolating every sample.
    """

    def __init__(self, sample_rate: int, oversample: int = OVERSAMPLE) -> None:
        self.sample_rate = sample_rate
        self._os = Oversampler(oversample)
        self.bound_gain = float(np.abs(self._os.matrix).sum(axis=0).max()) * (1.0 + 1e-9)
        """How far a row's points can exceed its window's largest |sample|, at most."""
        self.peak = 0.0  # linear
        self._pending = 0  # samples still inside the interpolator at the end of the stream

    def add(self, block: np.ndarray) -> None:
        x = as_float(block)
        if not len(x):
            return
        self._pending = min(self._os.delay, self._pending + len(x))
        os_ = self._os
        ext = os_.extend(x)
        # Rows as in `Oversampler.abs_peaks`: row i lies between samples i - d and i - d + 1
        # and is interpolated from ext[i : i + TP_TAPS_PER_PHASE].
        d, t = os_.delay, TP_TAPS_PER_PHASE - 1
        a = np.abs(ext)
        self.peak = max(self.peak, float(a[t - d : len(ext) - d + 1].max()))
        rows = np.flatnonzero(window_max(a, TP_TAPS_PER_PHASE) > self.peak / self.bound_gain)
        if len(rows):
            self.peak = max(self.peak, float(peaks_between(ext, rows, os_.matrix).max()))

    def true_peak_dbtp(self) -> float:
        """True peak so far in dBTP (flushes the interpolator's tail without disturbing it)."""
        tail = self._os.hist.copy()
        peak = self.peak
        if self._pending:
            peak = max(peak, float(self._os.abs_peaks(np.zeros(self._os.delay)).max()))
            self._os.hist = tail
        return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def true_peak_dbtp(x: np.ndarray, sample_rate: int) -> float:
    """True peak of a whole (short) signal in dBTP."""
    m = TruePeakMeter(sample_rate)
    m.add(x)
    return m.true_peak_dbtp()


def gain_for_target(measured_lufs: float, target_lufs: float = DEFAULT_TARGET_LUFS) -> float:
    """Gain in dB that moves `measured_lufs` to `target_lufs` (0 dB for silence)."""
    if not math.isfinite(measured_lufs):
        return 0.0
    return target_lufs - measured_lufs


def db_to_linear(db: float) -> float:
    return 10.0 ** (db / 20.0)
