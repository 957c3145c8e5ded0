"""Mastering presets (`--master`): what a delivered file must measure, and the defaults that get it
there.

A preset names a loudness measure and target, a peak measure and ceiling, a noise-floor limit,
the sample rate, codec and bitrate, the room tone at the head and tail of each file, and whether
each chapter is its own file. `resolve` turns a preset and the user's explicit `--format`,
`--loudness` and `--bitrate` into the job's choices, refusing what the preset forbids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from narration.errors import InputError
from narration.pipeline.formats import get_format

LoudnessMeasure = Literal["lufs", "rms"]
PeakMeasure = Literal["true", "sample"]


@dataclass(frozen=True)
class Preset:
    """One delivery specification."""

    name: str
    format: str
    bitrate: str
    """The default bitrate ("" keeps the format's own)."""
    loudness: LoudnessMeasure
    target_db: float | None
    """The loudness target (LUFS or dBFS RMS); None: no gain, the rendered level."""
    tolerance_db: float | None
    """How far from the target the delivered file may measure; None: not checked."""
    peak: PeakMeasure
    ceiling_db: float
    """The highest peak allowed (dBTP or dBFS by `peak`)."""
    noise_floor_db: float | None
    """The highest noise floor (the quietest 0.5 s window's RMS) allowed; None: not checked."""
    sample_rate: int | None = None
    """The delivered sample rate; None: the voice's own."""
    head_s: float | None = None
    """Room tone before the first word of each file; None: the timeline's lead-in."""
    tail_s: float | None = None
    """Room tone after the last word of each file; None: the timeline's tail."""
    per_chapter: bool = False
    """Each chapter (and each credit) is delivered as its own file."""
    max_file_minutes: float | None = None
    formats: tuple[str, ...] = ()
    """The formats allowed (empty: all)."""
    min_bitrate_kbps: int = 0
    override_range: tuple[float, float] | None = None
    """Where an explicit `--loudness` may set the target, and where the delivered file's
    loudness must lie when `tolerance_db` is None (None: anywhere)."""

    def loudness_window(self, target_db: float | None) -> tuple[float, float] | None:
        """Where the delivered file's loudness must lie, for a job aiming at `target_db`."""
        if target_db is not None and self.tolerance_db is not None:
            return (target_db - self.tolerance_db, target_db + self.tolerance_db)
        return self.override_range


DEFAULT_PRESET: Final = "podcast"
ACX_RMS_TARGET_DB: Final = -20.0
"""The RMS aimed at inside ACX's -23..-18 dB: 2 dB of room under the top and 3 over the floor, so
a chapter that the limiter or the encoder moves a little still lands inside."""
ACX_PEAK_CEILING_DB: Final = -3.0
ACX_LIMITER_CEILING_DBTP: Final = -4.0
"""The limiter holds true peaks 1 dB under ACX's -3 dB sample-peak limit, the margin for what the
MP3 encoder adds (at 192 kbit/s, 44.1 kHz the decoded sample peaks measured -4.25 to -4.28 dB)."""

PRESETS: Final[dict[str, Preset]] = {
    "podcast": Preset(
        "podcast",
        format="mp3",
        bitrate="",
        loudness="lufs",
        target_db=-16.0,
        tolerance_db=1.0,
        peak="true",
        ceiling_db=-1.0,
        noise_floor_db=-60.0,
    ),
    "ebu": Preset(
        "ebu",
        format="wav",
        bitrate="",
        loudness="lufs",
        target_db=-23.0,
        tolerance_db=0.5,
        peak="true",
        ceiling_db=-1.0,
        noise_floor_db=-60.0,
        sample_rate=48000,
    ),
    "acx": Preset(
        "acx",
        format="mp3",
        bitrate="192k",
        loudness="rms",
        target_db=ACX_RMS_TARGET_DB,
        tolerance_db=None,
        peak="sample",
        ceiling_db=ACX_PEAK_CEILING_DB,
        noise_floor_db=-60.0,
        sample_rate=44100,
        head_s=0.75,
        tail_s=3.0,
        per_chapter=True,
        max_file_minutes=120.0,
        formats=("mp3",),
        min_bitrate_kbps=192,
        override_range=(-23.0, -18.0),
    ),
    "none": Preset(
        "none",
        format="mp3",
        bitrate="",
        loudness="lufs",
        target_db=None,
        tolerance_db=None,
        peak="true",
        ceiling_db=-1.0,
        noise_floor_db=None,
    ),
}


@dataclass(frozen=True)
class Resolved:
    """A job's delivery choices once the preset and the explicit options are combined."""

    preset: Preset
    format: str
    bitrate: str
    target_db: float | None


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise InputError(f"unknown --master {name!r}; choose one of {', '.join(PRESETS)}") from None


def encoded_in_parts(format_name: str, preset_name: str) -> bool:
    """Whether a job's output is joined from parts its workers encoded (`production.parts`): only
    at the voice's own rate, and not where each chapter is mastered on its own."""
    preset = get_preset(preset_name)
    per_file = preset.per_chapter or preset.sample_rate is not None
    return get_format(format_name).part_muxer is not None and not per_file


def bitrate_kbps(bitrate: str) -> int:
    """`192k` → 192; a bare number is bits per second (`192000` → 192)."""
    text = bitrate.strip().lower()
    try:
        if text.endswith("k"):
            return int(float(text[:-1]))
        return int(float(text)) // 1000
    except ValueError:
        raise InputError(f"bitrate {bitrate!r} is not a number like 64k or 192k") from None


def resolve(name: str, fmt: str = "", loudness: float | None = None, bitrate: str = "") -> Resolved:
    """The preset's defaults, overridden by explicit options; refuses what the preset forbids."""
    preset = get_preset(name)
    chosen_format = (fmt or preset.format).lower().lstrip(".")
    get_format(chosen_format)
    if preset.formats and chosen_format not in preset.formats:
        raise InputError(
            f"--master {preset.name} delivers {', '.join(preset.formats)} only, not {chosen_format}"
        )
    chosen_bitrate = bitrate or (preset.bitrate if chosen_format == preset.format else "")
    if preset.min_bitrate_kbps and bitrate_kbps(chosen_bitrate or "0") < preset.min_bitrate_kbps:
        raise InputError(
            f"--master {preset.name} needs at least {preset.min_bitrate_kbps} kbit/s, "
            f"not {chosen_bitrate}"
        )
    target = preset.target_db if loudness is None else loudness
    if loudness is not None and preset.target_db is None:
        raise InputError(f"--master {preset.name} sets no loudness; drop --loudness")
    low_high = preset.override_range
    if loudness is not None and low_high and not low_high[0] <= loudness <= low_high[1]:
        raise InputError(
            f"--master {preset.name} needs an RMS target within {low_high[0]:g}..{low_high[1]:g} "
            f"dB, not {loudness:g}"
        )
    return Resolved(preset, chosen_format, chosen_bitrate, target)
