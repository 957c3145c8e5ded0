"""A delivered file's compliance with its mastering preset, measured on its decoded samples.

The measures are ACX's (its own checker's): RMS is the unweighted RMS of the whole file, peaks
are sample peaks, the noise floor is the RMS of the quietest 0.5 s window. Loudness-normalised
presets add the integrated loudness (BS.1770) and the true peak. Room tone is the time before
the first and after the last sample louder than the noise-floor limit, in 10 ms windows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, TypedDict

import numpy as np

from narration.pipeline.chunk_meta import LevelFigures
from narration.pipeline.presets import Preset

FLOOR_WINDOW_S: Final = 0.5
FLOOR_HOP_S: Final = 0.05
EDGE_WINDOW_S: Final = 0.01
SILENT_DB: Final = -120.0
"""What digital silence is reported as: no measure here goes lower."""
AUDIBLE_DB: Final = -60.0
"""A 10 ms window above this is sound, not room tone (ACX's noise-floor limit)."""


def sum_of_squares(x: np.ndarray) -> float:
    """Σx² without BLAS (whose thread pool would spin beside the caller; see
    `loudness.peaks_between`)."""
    return float(np.einsum("i,i->", x, x))


def to_db(power: float) -> float:
    """dBFS of a mean square (a full-scale square wave is 0 dB), floored at `SILENT_DB`."""
    return max(SILENT_DB, 10.0 * math.log10(power)) if power > 0 else SILENT_DB


class LevelMeter:
    """Streams a decoded file's samples: whole-file RMS, sample peak, noise floor, room tone."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.samples = 0
        self._square_sum = 0.0
        self._peak = 0.0
        self._hop = max(1, round(FLOOR_HOP_S * sample_rate))
        self._edge = max(1, round(EDGE_WINDOW_S * sample_rate))
        self._hop_energies: list[float] = []
        self._edge_loud: list[bool] = []
        self._hop_carry = np.zeros(0, dtype=np.float64)
        self._edge_carry = np.zeros(0, dtype=np.float64)

    def add(self, block: np.ndarray) -> None:
        x = np.asarray(block, dtype=np.float64)
        self.samples += len(x)
        if not len(x):
            return
        self._square_sum += sum_of_squares(x)
        self._peak = max(self._peak, float(np.max(np.abs(x))))
        squares = np.square(x)
        self._hop_carry = self._windows(squares, self._hop_carry, self._hop, self._hop_sums)
        self._edge_carry = self._windows(squares, self._edge_carry, self._edge, self._edge_levels)

    @staticmethod
    def _windows(squares: np.ndarray, carry: np.ndarray, size: int, sink: Any) -> np.ndarray:
        """Sums of whole windows of `size` squares, the first one completing `carry` (the
        squares of the last call's unfinished window); returns this call's unfinished one.
        Squares are made once per block and only a window's worth is ever copied."""
        head = min(len(squares), size - len(carry))
        first = np.concatenate([carry, squares[:head]])
        if len(first) < size:
            return first
        sink(first.reshape(1, size).sum(axis=1))
        rest = squares[head:]
        whole = len(rest) // size * size
        if whole:
            sink(rest[:whole].reshape(-1, size).sum(axis=1))
        return rest[whole:].copy()

    def _hop_sums(self, sums: np.ndarray) -> None:
        self._hop_energies.extend(sums.tolist())

    def _edge_levels(self, sums: np.ndarray) -> None:
        limit = self._edge * 10.0 ** (AUDIBLE_DB / 10.0)
        self._edge_loud.extend((sums > limit).tolist())

    def figures(self) -> LevelFigures:
        """What a part stores of its levels, so that a file joined from parts is measured
        without decoding it again (`joined_levels`)."""
        levels = self.measured()
        return {
            "square_sum": self._square_sum,
            "sample_peak_db": round(levels.sample_peak_db, 3),
            "noise_floor_db": round(levels.noise_floor_db, 3),
            "head_s": round(levels.head_s, 4),
            "tail_s": round(levels.tail_s, 4),
        }

    def measured(self) -> Levels:
        rms = to_db(self._square_sum / self.samples) if self.samples else SILENT_DB
        peak = 20.0 * math.log10(self._peak) if self._peak > 0 else SILENT_DB
        per_window = round(FLOOR_WINDOW_S / FLOOR_HOP_S)
        energies = np.asarray(self._hop_energies)
        if len(energies) >= per_window:
            sums = np.convolve(energies, np.ones(per_window), mode="valid")
            floor = to_db(float(sums.min()) / (per_window * self._hop))
        else:
            floor = rms
        loud = np.flatnonzero(np.asarray(self._edge_loud, dtype=bool))
        if len(loud):
            head = loud[0] * self._edge / self.sample_rate
            tail = (self.samples - (loud[-1] + 1) * self._edge) / self.sample_rate
        else:
            head = tail = self.samples / self.sample_rate
        return Levels(
            rms_db=rms,
            sample_peak_db=max(SILENT_DB, peak),
            noise_floor_db=floor,
            head_s=head,
            tail_s=tail,
            duration_s=self.samples / self.sample_rate,
        )


@dataclass(frozen=True)
class Levels:
    """What `LevelMeter` measured on a decoded file."""

    rms_db: float
    sample_peak_db: float
    noise_floor_db: float
    head_s: float
    tail_s: float
    duration_s: float


def joined_levels(parts: Sequence[LevelFigures], samples: int, sample_rate: int) -> Levels:
    """The levels of parts joined end to end (`LevelMeter.figures` of each, decoded). Parts meet
    in silence, so the quietest 0.5 s window of the whole is the quietest of any part's."""
    energy = sum(part["square_sum"] for part in parts)
    return Levels(
        rms_db=to_db(energy / samples) if samples else SILENT_DB,
        sample_peak_db=max(part["sample_peak_db"] for part in parts),
        noise_floor_db=min(part["noise_floor_db"] for part in parts),
        head_s=parts[0]["head_s"],
        tail_s=parts[-1]["tail_s"],
        duration_s=samples / sample_rate,
    )


@dataclass(frozen=True)
class StreamFacts:
    """What a delivered file's stream says of itself."""

    codec: str
    sample_rate: int
    bitrates_kbps: tuple[int, ...]
    """Every bitrate its frames use (one, for a constant bitrate); empty if it does not say."""


ComplianceCheck = TypedDict(
    "ComplianceCheck",
    {"name": str, "required": str, "measured": float | int | str, "pass": bool},
)
"""One check of a compliance report, as the manifest stores it (`pass` is a keyword)."""


class ComplianceReport(TypedDict):
    """The compliance report of one delivered file: its preset and its checks."""

    preset: str
    checks: list[ComplianceCheck]


@dataclass(frozen=True)
class Measured:
    """Everything measured on one delivered file."""

    levels: Levels
    stream: StreamFacts
    lufs: float | None = None
    true_peak_dbtp: float | None = None


def _check(name: str, required: str, measured: Any, passed: bool) -> ComplianceCheck:
    if isinstance(measured, float):
        measured = round(measured, 2)
    return {"name": name, "required": required, "measured": measured, "pass": bool(passed)}


def _within(name: str, value: float, low: float, high: float) -> ComplianceCheck:
    return _check(name, f"{low:g}..{high:g}", value, low - 1e-9 <= value <= high + 1e-9)


def _at_most(name: str, value: float, limit: float) -> ComplianceCheck:
    return _check(name, f"<= {limit:g}", value, value <= limit + 1e-9)


def report(
    preset: Preset,
    target_db: float | None,
    measured: Measured,
    expected_format: str,
    role: str = "programme",
) -> ComplianceReport:
    """The compliance report of one delivered file: `{preset, checks: [...]}`.

    `role` is "programme" (the whole book, a chapter, a credit), "book" (the whole book of a
    per-chapter preset, which is not one of its deliverables: no length limit) or
    "retail_sample", which must also last 1 to 5 minutes."""
    levels, stream = measured.levels, measured.stream
    checks: list[ComplianceCheck] = []
    window = preset.loudness_window(target_db)
    if preset.loudness == "rms":
        if window is not None:
            checks.append(_within("rms_db", levels.rms_db, *window))
    elif measured.lufs is not None and window is not None:
        checks.append(_within("integrated_loudness_lufs", measured.lufs, *window))
    if preset.peak == "sample":
        checks.append(_at_most("sample_peak_db", levels.sample_peak_db, preset.ceiling_db))
    elif measured.true_peak_dbtp is not None:
        checks.append(_at_most("true_peak_dbtp", measured.true_peak_dbtp, preset.ceiling_db))
    if preset.noise_floor_db is not None:
        checks.append(_at_most("noise_floor_db", levels.noise_floor_db, preset.noise_floor_db))
    if preset.sample_rate is not None:
        checks.append(
            _check(
                "sample_rate_hz",
                str(preset.sample_rate),
                stream.sample_rate,
                stream.sample_rate == preset.sample_rate,
            )
        )
    checks.append(_check("codec", expected_format, stream.codec, stream.codec == expected_format))
    if preset.min_bitrate_kbps:
        constant = len(stream.bitrates_kbps) == 1
        rate = stream.bitrates_kbps[0] if constant else 0
        shown = f"{rate} CBR" if constant else "VBR " + "/".join(map(str, stream.bitrates_kbps))
        checks.append(
            _check(
                "bitrate_kbps",
                f">= {preset.min_bitrate_kbps} CBR",
                shown,
                constant and rate >= preset.min_bitrate_kbps,
            )
        )
    if preset.head_s is not None:
        checks.append(_within("head_room_tone_s", levels.head_s, 0.5, 1.0))
    if preset.tail_s is not None:
        checks.append(_within("tail_room_tone_s", levels.tail_s, 1.0, 5.0))
    if preset.max_file_minutes is not None and role != "book":
        checks.append(_at_most("duration_min", levels.duration_s / 60.0, preset.max_file_minutes))
    if role == "retail_sample":
        checks.append(_within("duration_s", levels.duration_s, 60.0, 300.0))
    return {"preset": preset.name, "checks": checks}


def passed(compliance: ComplianceReport) -> bool:
    return all(check["pass"] for check in compliance["checks"])


def failures(compliance: ComplianceReport) -> list[str]:
    """The failing checks, as `name measured (required)`."""
    return [
        f"{check['name']} {check['measured']} (required {check['required']})"
        for check in compliance["checks"]
        if not check["pass"]
    ]
