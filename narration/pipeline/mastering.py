"""Mastering maths: the gain that lands the programme on its loudness target under its ceiling.

Pure functions over iterators of float PCM blocks; where the blocks come from (a spool file,
chunks in memory) is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

import numpy as np

from narration.pipeline.loudness import DEFAULT_CEILING_DBTP, Limiter, LoudnessMeter

BlockSource = Callable[[list[int] | None], Iterator[np.ndarray]]
"""The timeline's blocks, for all chunks (None) or only the chunks numbered."""

TRUE_PEAK_CEILING_DBTP: Final = DEFAULT_CEILING_DBTP
CODEC_MARGINS: Final = {
    "mp3": (-1.7, 0.45),
    "m4b": (-1.0, 0.05),
    "m4a": (-1.0, 0.05),
    "opus": (-0.7, 0.2),
    "ogg": (-0.7, 0.2),
}
"""Per lossy format: (extra true-peak ceiling in dB, loudness the codec takes away in LU).
Measured on Piper speech at -16 LUFS: a 64 kbit/s MP3 decodes 0.43 LU quieter with peaks up to
1.4 dB higher than its PCM; AAC 0.04 LU and 0.67 dB; Opus 0.2 LU and 0.4 dB."""
LOUDNESS_TOLERANCE_LU: Final = 0.3
TRUE_PEAK_RETRY_MARGIN_DB: Final = 0.3
LIMITER_PROBE_CHUNKS: Final = 32
"""Pass 1b runs the limiter over this many chunks, spread evenly over the book, to measure how
much loudness it takes away; twice, since the loss grows with the gain it corrects (a secant
step on the two measurements then lands on the gain whose loss it corrects)."""
PROBE_SKIP_LU: Final = 0.05
"""A first probe that finds the limiter taking less than this needs no second one."""


def probe_numbers(count: int) -> list[int]:
    """Which chunks the limiter probes run over: all, or an even spread of them."""
    if count <= LIMITER_PROBE_CHUNKS:
        return list(range(count))
    step = (count - 1) / (LIMITER_PROBE_CHUNKS - 1)
    return [round(i * step) for i in range(LIMITER_PROBE_CHUNKS)]


def limiter_loss(
    blocks: Iterator[np.ndarray], rate: int, gain_db: float, ceiling_dbtp: float
) -> float:
    """How much integrated loudness the limiter takes away at this gain and ceiling."""
    before, after = LoudnessMeter(rate), LoudnessMeter(rate)
    limiter = Limiter(rate, ceiling_dbtp, gain_db=gain_db)
    gain = np.float32(10.0 ** (gain_db / 20.0))
    for block in blocks:
        if len(block):
            before.add(block * gain)
            after.add(limiter.process(block))
    after.add(limiter.flush())
    loss = before.integrated_lufs() - after.integrated_lufs()
    return float(loss) if np.isfinite(loss) else 0.0


def solve_gain(
    blocks: BlockSource, count: int, rate: int, target_gain_db: float, ceiling: float
) -> float:
    """The gain g with g = target_gain_db + loss(g), from at most two probes.

    The loss grows with the gain (about 0.5 LU per dB on peaky speech), so the plain fixed-point
    step g1 = target + loss(g0) undershoots; a secant step through both probes corrects it.
    """
    numbers = probe_numbers(count)
    g0 = target_gain_db
    l0 = limiter_loss(blocks(numbers), rate, g0, ceiling)
    if abs(l0) < PROBE_SKIP_LU:
        return g0 + l0
    g1 = g0 + l0
    l1 = limiter_loss(blocks(numbers), rate, g1, ceiling)
    slope = min(0.8, max(0.0, (l1 - l0) / (g1 - g0)))
    return g1 + (target_gain_db + l1 - g1) / (1.0 - slope)


def ceiling_for(format_name: str) -> tuple[float, float]:
    """The limiter's ceiling for a format, and the loudness its codec takes away."""
    extra_ceiling, codec_loss = CODEC_MARGINS.get(format_name, (0.0, 0.0))
    return TRUE_PEAK_CEILING_DBTP + extra_ceiling, codec_loss


def needs_second_pass(measured_lufs: float, measured_tp: float, target_lufs: float) -> bool:
    """Whether the delivered file missed its loudness tolerance or its true-peak ceiling."""
    loudness_off = abs(measured_lufs - target_lufs) > LOUDNESS_TOLERANCE_LU
    return loudness_off or measured_tp > TRUE_PEAK_CEILING_DBTP


def second_pass(
    blocks: BlockSource,
    count: int,
    rate: int,
    measured: tuple[float, float],
    target_lufs: float,
    first: tuple[float, float],
) -> tuple[float, float]:
    """The gain and ceiling for a second encode after the first `(gain, ceiling)` missed.

    The gain is corrected by what the file missed, net of what the limiter took at the old
    ceiling; a lower ceiling (when the peak was over) takes more, which the probes solve again.
    """
    measured_lufs, measured_tp = measured
    gain_db, ceiling = first
    lower = ceiling - max(0.0, measured_tp - TRUE_PEAK_CEILING_DBTP)
    if measured_tp > TRUE_PEAK_CEILING_DBTP:
        lower -= TRUE_PEAK_RETRY_MARGIN_DB
    probe = probe_numbers(count)
    base_gain_db = gain_db - limiter_loss(blocks(probe), rate, gain_db, ceiling)
    base_gain_db += target_lufs - measured_lufs
    return solve_gain(blocks, count, rate, base_gain_db, lower), lower
