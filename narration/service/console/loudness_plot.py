"""A finished job's loudness over time, drawn as inline SVG with its chapter marks.

Drawn from the figures the workers stored with each chunk (`loudness.steps`: K-weighted energy
of every 100 ms step, `pipeline.step_loudness`), placed on the job's timeline as the stitch
placed them, so no audio is read. Each point is the loudness of at least 3 s (EBU short-term),
or of a longer stretch for a long book (at most `PLOT_POINTS` points). The chunks' figures are
measured before mastering; the curve is shifted so that its integrated loudness is the one the
manifest reports for the delivered file, so its level is the file's and its shape the speech's.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from dataclasses import dataclass
from html import escape
from typing import Final

import numpy as np

from narration.adapters.part_encoding import codec_framing
from narration.connections import Services
from narration.errors import ObjectNotFound
from narration.pipeline.chunk_meta import loudness_of
from narration.pipeline.formats import get_format
from narration.pipeline.loudness import STEP_S, steps_lufs
from narration.pipeline.manifest import Manifest
from narration.pipeline.plan import Plan
from narration.pipeline.step_loudness import StepTimeline
from narration.pipeline.timeline import Framing, place_chunks

PLOT_POINTS: Final = 600
SHORT_TERM_STEPS: Final = 30
FLOOR_LUFS: Final = -50.0
WIDTH, HEIGHT = 800, 240
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 18, 30
TICK_CHOICES_S: Final = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
CACHED_PLOTS: Final = 64


@dataclass(frozen=True)
class Curve:
    point_s: float
    lufs: list[float]
    duration_s: float
    integrated_lufs: float
    target_lufs: float
    chapters: list[tuple[str, float]]


def curve_from_steps(
    steps: np.ndarray, hop: int, manifest: Manifest, points: int = PLOT_POINTS
) -> Curve:
    """Short-term loudness points of a timeline's step energies, levelled to the manifest's."""
    per_point = max(SHORT_TERM_STEPS, math.ceil(len(steps) / points))
    padded = np.append(steps, np.zeros(-len(steps) % per_point))
    counts = np.full(len(padded) // per_point, per_point)
    counts[-1:] -= len(padded) - len(steps)
    energy = padded.reshape(-1, per_point).sum(axis=1) / (counts * hop)
    with np.errstate(divide="ignore"):
        raw = -0.691 + 10.0 * np.log10(energy)
    integrated = steps_lufs(steps, hop)
    measured = float(manifest["loudness"]["measured_lufs"])
    shift = measured - integrated if math.isfinite(integrated) else 0.0
    levelled = np.clip(np.nan_to_num(raw + shift, neginf=FLOOR_LUFS), FLOOR_LUFS, 0.0)
    return Curve(
        point_s=per_point * STEP_S,
        lufs=[round(float(value), 2) for value in levelled],
        duration_s=float(manifest["duration_s"]),
        integrated_lufs=measured,
        target_lufs=float(manifest["loudness"]["target_lufs"]),
        chapters=[(str(c["title"]), float(c["start_s"])) for c in manifest.get("chapters", [])],
    )


@functools.lru_cache(maxsize=16)
def _framing(format_name: str, rate: int, bitrate: str) -> Framing:
    fmt = get_format(format_name)
    return codec_framing(fmt, rate, bitrate) if fmt.part_muxer else Framing()


_plots: OrderedDict[str, str] = OrderedDict()


def job_plot(services: Services, job_id: str, manifest: Manifest) -> str | None:
    """The SVG of a finished job (kept for the last `CACHED_PLOTS` jobs: a finished job's
    figures never change), or None when its chunks' figures were purged."""
    if job_id in _plots:
        _plots.move_to_end(job_id)
        return _plots[job_id]
    chunks = services.chunks(job_id)
    try:
        plan = Plan.from_json(chunks.objects.get_bytes(chunks.keys.plan))
        metas = [chunks.meta(chunk.seq) for chunk in plan.chunks]
    except ObjectNotFound:
        return None
    if not metas:
        return None
    rate = int(metas[0]["sample_rate"])
    fmt = get_format(manifest["format"])
    framing = _framing(fmt.name, rate, plan.options.bitrate or fmt.bitrate or "")
    laid = place_chunks(metas, rate, framing, bookends=plan.options.bookends(rate), cuts=plan.cuts)
    timeline = StepTimeline(rate, laid.total)
    for item in laid.placed:
        timeline.add(item.start, loudness_of(item.meta)["steps"])
    drawn = svg(curve_from_steps(timeline.steps, timeline.hop, manifest))
    _plots[job_id] = drawn
    if len(_plots) > CACHED_PLOTS:
        _plots.popitem(last=False)
    return drawn


def clock(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def svg(curve: Curve) -> str:
    """The curve as an accessible inline SVG: loudness grid, target line, chapter marks."""
    span = max(curve.duration_s, curve.point_s)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(seconds: float) -> float:
        return round(LEFT + inner_w * min(max(seconds, 0.0), span) / span, 1)

    def y(lufs: float) -> float:
        return round(TOP + inner_h * (lufs / FLOOR_LUFS), 1)

    parts = [
        f'<svg class="loudness-plot" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="loudness-title loudness-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="loudness-title">Loudness over time</title>',
        f'<desc id="loudness-desc">Short-term loudness of the delivered audio, '
        f"{curve.integrated_lufs:.1f} LUFS integrated against a target of "
        f"{curve.target_lufs:.1f} LUFS, with {len(curve.chapters)} chapter marks.</desc>",
    ]
    for level in range(0, int(FLOOR_LUFS) - 1, -10):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(level)}" y2="{y(level)}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(level) + 4}" text-anchor="end">{level}</text>'
        )
    tick = next((t for t in TICK_CHOICES_S if span / t <= 8), TICK_CHOICES_S[-1])
    for number in range(int(span // tick) + 1):
        at = number * tick
        parts.append(
            f'<text class="axis" x="{x(at)}" y="{HEIGHT - 10}" text-anchor="middle">'
            f"{clock(at)}</text>"
        )
    points = [(x((n + 0.5) * curve.point_s), y(value)) for n, value in enumerate(curve.lufs)]
    if points:
        line = " ".join(f"{px},{py}" for px, py in points)
        bottom = y(FLOOR_LUFS)
        parts.append(
            f'<path class="area" d="M{points[0][0]},{bottom} L{line.replace(" ", " L")} '
            f'L{points[-1][0]},{bottom} Z"/>'
            f'<polyline class="curve" points="{line}"/>'
        )
    parts.append(
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{y(curve.target_lufs)}" y2="{y(curve.target_lufs)}"/>'
    )
    for number, (title, start) in enumerate(curve.chapters, start=1):
        parts.append(
            f'<g class="chapter-mark"><title>Chapter {number}: {escape(title)} at '
            f"{clock(start)}</title>"
            f'<line x1="{x(start)}" x2="{x(start)}" y1="{TOP}" y2="{y(FLOOR_LUFS)}"/>'
            f'<text x="{x(start) + 3}" y="{TOP - 4}">{number}</text></g>'
        )
    parts.append(
        f'<text class="axis unit" x="{LEFT - 6}" y="{TOP - 6}" text-anchor="end">LUFS</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
