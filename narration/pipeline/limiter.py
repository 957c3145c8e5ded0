"""A streaming gain and look-ahead true-peak limiter: the last step before a part's encoder.

It finds true peaks with the same interpolator as `pipeline.loudness.TruePeakMeter` (4x), and
only where a sample comes within `FAST_PATH_MARGIN_DB` of the ceiling, so speech costs a few
vector passes per block.

scipy.ndimage is imported where it runs, as in `pipeline.loudness`: `narrate submit` loads this
module without limiting anything.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from narration.pipeline.loudness import (
    DEFAULT_CEILING_DBTP,
    FAST_PATH_MARGIN_DB,
    TP_TAPS_PER_PHASE,
    Oversampler,
    as_float,
    db_to_linear,
    peaks_between,
)

DEFAULT_LOOKAHEAD_MS: Final = 5.0
DEFAULT_RELEASE_DB_PER_S: Final = 60.0
_HOLD_PAD: Final = 2
_SUB_BLOCK: Final = 4096  # limiter works in pieces this long; quiet ones take the fast path
_RUN_SAMPLES: Final = 16 * _SUB_BLOCK
"""A block is taken this much at a time (whole pieces, so the output does not change): a
chunk at once made every float64 array of the block 2.6 MB, which the allocator hands back to
the system when freed and takes fresh pages for the next time."""


class Limiter:
    """Streaming gain + look-ahead true-peak limiter.

    For each input sample the required gain is `ceiling / true_peak` (capped at 1). The gain
    curve is that requirement held for the look-ahead window (a running minimum), released at
    most `release_db_per_s`, then smoothed with a moving average as long as the look-ahead, and
    applied to the input delayed by the look-ahead: the average reaches each peak's requirement
    exactly when the peak leaves the delay line, so attack is a smooth ramp over the look-ahead
    and there is no overshoot. Everything is vectorised with numpy/scipy per block; the state
    carried between blocks is a few look-ahead windows of samples.

    `process` returns as many samples as it is given, `flush` returns the look-ahead still in the
    delay line, so the stream keeps its exact length.
    """

    def __init__(
        self,
        sample_rate: int,
        ceiling_dbtp: float = DEFAULT_CEILING_DBTP,
        gain_db: float = 0.0,
        lookahead_ms: float = DEFAULT_LOOKAHEAD_MS,
        release_db_per_s: float = DEFAULT_RELEASE_DB_PER_S,
    ) -> None:
        self.sample_rate = sample_rate
        self.gain = db_to_linear(gain_db)
        # Aim a hair under the ceiling: the gain changes between the interpolated points.
        self.ceiling = db_to_linear(ceiling_dbtp - 0.02)
        self._fast_limit = db_to_linear(ceiling_dbtp - FAST_PATH_MARGIN_DB)
        self._os = Oversampler()
        d = self._os.delay
        # Moving-average length (the attack ramp); at least the interpolator's reach.
        self._n = n = max(round(sample_rate * lookahead_ms / 1000.0), 2 * d + 2)
        # Hold a little longer than the ramp: the reduction for a peak then also covers the
        # samples on either side of it, whose gains shape the inter-sample value.
        self._hold = n + 2 * _HOLD_PAD
        q = db_to_linear(release_db_per_s / sample_rate)  # gain rise per sample
        k = np.arange(1, _SUB_BLOCK + 1)
        self._q_up = q**k
        self._q_down = 1.0 / self._q_up
        self._req_hist = np.ones(self._hold - 1)
        self._env_hist = np.ones(n - 1)
        self._env_last = 1.0
        self._unity = True  # no reduction held, releasing or smoothing: quiet input passes
        # A peak's requirement (row k, samples k - d, k - d + 1) is fully applied by the
        # moving average at rows k + n - 1 .. k + n - 1 + 2 * pad; the input sample is aligned
        # to the middle of that plateau.
        self._delay = n - 1 + _HOLD_PAD + d
        self._x_hist = np.zeros(self._delay)
        self._skip = self._delay  # leading delay-line zeros not to emit
        self.reduction_db = 0.0  # deepest gain reduction applied so far (<= 0)
        self.samples_in = 0
        self.samples_out = 0

    @property
    def latency(self) -> int:
        """Samples held back inside the limiter."""
        return self._delay

    def process(self, block: np.ndarray) -> np.ndarray:
        """Apply gain and limiting; returns float32, `latency` samples behind the input.

        The first calls return fewer samples than they are given (the delay line filling up);
        `flush` returns the rest, so the whole stream keeps its exact length and alignment.
        """
        out = np.empty(len(block), dtype=np.float32)
        for i in range(0, len(block), _RUN_SAMPLES):
            out[i : i + _RUN_SAMPLES] = self._run(as_float(block[i : i + _RUN_SAMPLES]) * self.gain)
        self.samples_in += len(out)
        if self._skip:
            drop = min(self._skip, len(out))
            self._skip -= drop
            out = out[drop:]
        self.samples_out += len(out)
        return out

    def flush(self) -> np.ndarray:
        """The samples still in the delay line; call once at the end of the stream."""
        pending = self.samples_in - self.samples_out
        if pending <= 0:
            return np.zeros(0, dtype=np.float32)
        out = self._run(np.zeros(self._delay))[self._skip :][:pending]
        self._skip = 0
        self.samples_out += len(out)
        return out

    def _run(self, x: np.ndarray) -> np.ndarray:
        """The block in `_SUB_BLOCK` pieces. What does not depend on the gain state is computed
        for the whole block at once (the delayed input, every row's true-peak requirement and
        its hold, a running minimum): per piece, those dozen vector operations on a few hundred
        rows cost more in calls than in arithmetic."""
        d, t, hold = self._os.delay, TP_TAPS_PER_PHASE - 1, self._hold
        xd = np.concatenate([self._x_hist, x])
        self._x_hist = xd[len(x) :].copy()
        ext = self._os.extend(x)
        # Row i: the points between samples i - d and i - d + 1 (ext[i + t - d], one more),
        # interpolated from ext[i : i + TP_TAPS_PER_PHASE].
        a = np.abs(ext[t - d : t - d + len(x) + 1])
        pair = np.maximum(a[:-1], a[1:])
        hot = np.flatnonzero(pair >= self._fast_limit)
        # True peak only where a sample comes within the margin of the ceiling.
        tp = np.maximum(peaks_between(ext, hot, self._os.matrix), pair[hot])
        req = np.ones(len(x))
        req[hot] = np.minimum(1.0, self.ceiling / tp)
        # Hold: trailing running minimum of the requirement.
        from scipy import ndimage

        r_ext = np.concatenate([self._req_hist, req])
        held = ndimage.minimum_filter1d(r_ext, size=hold, origin=(hold - 1) // 2, mode="nearest")
        held = held[hold - 1 :]
        self._req_hist = r_ext[len(x) :].copy()
        out = np.empty(len(x), dtype=np.float32)
        starts = np.searchsorted(hot, np.arange(0, len(x) + _SUB_BLOCK, _SUB_BLOCK))
        for piece, i in enumerate(range(0, len(x), _SUB_BLOCK)):
            m = min(_SUB_BLOCK, len(x) - i)
            if self._unity and starts[piece] == starts[piece + 1]:
                out[i : i + m] = xd[i : i + m]  # quiet, at unity gain: a copy
                continue
            out[i : i + m] = self._gain_piece(xd[i : i + m], held[i : i + m])
            self._unity = (
                self._env_last == 1.0
                and float(r_ext[i + m : i + m + hold - 1].min()) >= 1.0
                and float(self._env_hist.min()) >= 1.0 - 1e-12
            )
        return out

    def _gain_piece(self, xd: np.ndarray, held: np.ndarray) -> np.ndarray:
        """One piece (<= _SUB_BLOCK samples of delayed input) through the release and attack,
        given its held requirement."""
        n = self._n
        m = len(xd)
        # Release: the gain may rise at most by the factor q per sample, i.e.
        # env[k] = min(env_prev * q^(k+1), min_j<=k held[j] * q^(k-j)); a cumulative minimum
        # over held * q^-(j+1), scaled back by q^(k+1), computes it in one vector pass.
        env = np.minimum.accumulate(np.minimum(held * self._q_down[:m], self._env_last))
        env *= self._q_up[:m]
        self._env_last = min(1.0, float(env[-1]))
        if self._env_last > 1.0 - 1e-12:
            self._env_last = 1.0
        # Attack: trailing moving average over n.
        e_ext = np.concatenate([self._env_hist, env])
        c = np.cumsum(e_ext)
        smooth = np.empty(m)
        smooth[0] = c[n - 1]
        smooth[1:] = c[n : n + m - 1] - c[: m - 1]
        smooth /= n
        self._env_hist = e_ext[m:]
        lowest = float(smooth.min())
        if lowest < 1.0:
            self.reduction_db = min(self.reduction_db, 20.0 * math.log10(max(lowest, 1e-12)))
        return (xd * smooth).astype(np.float32)
