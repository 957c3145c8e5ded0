"""Mastering decisions: the gain and ceiling that land the programme on its loudness target.

Chunks are rendered at one reference speech level (`pipeline.prosody.REFERENCE_LEVEL_DB`), so a
programme's loudness is known before its audio exists: every part of a job is encoded with the
same gain (`planned`) as soon as its segment is made. The stitch adds up the parts' measured
figures; only a programme that missed its tolerance or ceiling is encoded again (`corrected`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from narration.pipeline.loudness import DEFAULT_CEILING_DBTP
from narration.pipeline.presets import Preset
from narration.pipeline.prosody import REFERENCE_LEVEL_DB

TRUE_PEAK_CEILING_DBTP: Final = DEFAULT_CEILING_DBTP
CEILING_MARGINS_DB: Final = {
    "mp3": -1.7,
    "m4b": -1.0,
    "m4a": -1.0,
    "opus": -0.7,
    "ogg": -0.7,
    "flac": -0.1,
}
"""Per format, how far under the delivered ceiling the limiter holds the PCM: a 64 kbit/s MP3
of limited speech decodes with true peaks up to 1.4 dB over its PCM's (more on rare syllables:
the stitch then limits that part harder), AAC 0.67 dB, Opus 0.4 dB; a FLAC of the limiter's
own output measured up to 0.06 dB over its ceiling (the meter's oversampling)."""
SPEECH_TO_PROGRAMME_LU: Final = -3.1
"""Integrated loudness of Piper narration minus the reference speech level, with the designed
pauses: -2.96, -3.13, -3.24, -3.10 and -3.08 LU over programmes of 3, 5, 10, 41 and 188 chunks
(segments of up to 12 chunks; docs/OUTPUT.md, "Calibration"). Every chunk of a segment sits at
the reference level, its gain clamped around the segment's first gain
(`prosody.gain_for`), so the offset does not grow with a segment's length."""
CALIBRATED_LUFS: Final = REFERENCE_LEVEL_DB + SPEECH_TO_PROGRAMME_LU
MAKEUP_DB: Final = {"mp3": 4.2, "m4b": 1.0, "m4a": 1.0, "opus": 1.4, "ogg": 0.4}
"""Gain beyond the loudness difference that each format needs to land on a -16 LUFS target:
what its limiter ceiling and codec take away. First encodes of five texts of 3 to 188 chunks
rendered at the reference level: an MP3 at 64 kbit/s under its -2.7 dBTP ceiling gains only
0.25-0.33 LU per dB near the target (the limiter works on every syllable), so it takes 4.2 dB
more to land at -15.83 to -16.19 LUFS; AAC 1.0 dB (-15.89 to -16.18); WAV and FLAC 0.15 dB
(-15.91 to -16.13). Opus and Vorbis are encoded whole, from the chunks' own figures, and
checked (`production.whole_files`): Opus 1.4 dB (at 0.9 dB -16.05 to -16.22, and the MPL
excerpt with the seeds from the plan's part of the state -16.32: 0.2 dB moved it only 0.08 LU,
0.5 dB 0.19 LU, to -16.13), Vorbis 0.4 dB (-15.98 to -16.13). Both overshoot their ceilings
on some texts (the Apache article: Opus by 0.2 dB, Vorbis by 1.1 dB), which costs those files
another encode."""
DEFAULT_MAKEUP_DB: Final = 0.15
LOUDNESS_TOLERANCE_LU: Final = 0.3
TRUE_PEAK_RETRY_MARGIN_DB: Final = 0.3
MIN_SLOPE: Final = 0.2
"""The least loudness a dB of gain is assumed to add when correcting (`corrected`)."""


@dataclass(frozen=True)
class Mastering:
    """The gain applied before the limiter, and the limiter's ceiling."""

    gain_db: float
    ceiling_dbtp: float


def ceiling_for(format_name: str) -> float:
    """The limiter's ceiling for a format."""
    return TRUE_PEAK_CEILING_DBTP + CEILING_MARGINS_DB.get(format_name, 0.0)


def for_loudness(measured_lufs: float, target_lufs: float, format_name: str) -> Mastering:
    """The mastering that moves a programme measured at `measured_lufs` to its target."""
    makeup = MAKEUP_DB.get(format_name, DEFAULT_MAKEUP_DB)
    return Mastering(target_lufs - measured_lufs + makeup, ceiling_for(format_name))


def planned(target_lufs: float, format_name: str) -> Mastering:
    """The mastering of every part of a job, decided before any of its audio exists."""
    return for_loudness(CALIBRATED_LUFS, target_lufs, format_name)


def for_preset(preset: Preset, target_lufs: float, format_name: str) -> Mastering:
    """A job's planned mastering; the `none` preset keeps the rendered level, only held under
    the ceiling."""
    if preset.target_db is None:
        return Mastering(0.0, ceiling_for(format_name))
    return planned(target_lufs, format_name)


def bookend_lufs(preset: Preset, format_name: str) -> float:
    """The integrated loudness an intro or outro is given before mastering, so that it leaves
    the mastering as loud as the speech. Speech is rendered at `CALIBRATED_LUFS`; the planned
    gain adds a format's makeup for what the limiter and codec take from speech's peaks, which
    a steadier intro (music, a signature) mostly keeps, so the intro starts that much lower."""
    if preset.target_db is None:
        return CALIBRATED_LUFS
    return CALIBRATED_LUFS - MAKEUP_DB.get(format_name, DEFAULT_MAKEUP_DB)


def in_spec(
    measured_lufs: float,
    measured_tp: float,
    target_lufs: float,
    ceiling: float = TRUE_PEAK_CEILING_DBTP,
) -> bool:
    """Whether a delivered programme is within its loudness tolerance and under its ceiling
    (a preset's own loudness and peak measures and ceiling where it has them)."""
    on_target = abs(measured_lufs - target_lufs) <= LOUDNESS_TOLERANCE_LU
    return on_target and measured_tp <= ceiling


def lower_ceiling(
    master: Mastering, measured_tp: float, ceiling: float = TRUE_PEAK_CEILING_DBTP
) -> Mastering:
    """The same gain with the ceiling lowered by a peak's overshoot and a margin."""
    over = measured_tp - ceiling
    if over <= 0.0:
        return master
    return Mastering(master.gain_db, master.ceiling_dbtp - over - TRUE_PEAK_RETRY_MARGIN_DB)


def corrected(
    tries: list[tuple[Mastering, tuple[float, float]]],
    target_lufs: float,
    ceiling_db: float = TRUE_PEAK_CEILING_DBTP,
) -> Mastering:
    """The mastering for another encode after `tries` (each: mastering, measured loudness and
    true peak) missed.

    A peak over the ceiling lowers the ceiling by the overshoot and a margin. The gain moves by
    what the last try missed, divided by how much a dB of gain moved the loudness between the
    last two tries: the limiter takes more as the gain grows (about half of each dB on a
    programme it works hard on), so the plain step undershoots.
    """
    last, (measured_lufs, measured_tp) = tries[-1]
    ceiling = lower_ceiling(last, measured_tp, ceiling_db).ceiling_dbtp
    slope = 1.0
    if len(tries) >= 2:
        before, (before_lufs, _) = tries[-2]
        moved = last.gain_db - before.gain_db
        if abs(moved) > 1e-6 and ceiling == last.ceiling_dbtp == before.ceiling_dbtp:
            slope = min(1.0, max(MIN_SLOPE, (measured_lufs - before_lufs) / moved))
    return Mastering(last.gain_db + (target_lufs - measured_lufs) / slope, ceiling)
