"""The HLS playlist of a job that is still rendering, as text (RFC 8216).

An EVENT playlist: segments are only ever appended, in chunk order, and `#EXT-X-ENDLIST`
closes it when the job ends, so a player can start from the first segment while the rest is
being made and keeps polling until the end tag appears. A chunk's audio is cut into as many
segments as keep each within the target duration (`pieces`): players poll a live playlist
about once per target duration and wait for a few targets' worth before they start, so a short
target is what lets them start soon after the first segment exists.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Final

TARGET_DURATION_S: Final = 6
"""Apple's recommended segment length; the target may not change while an EVENT playlist
grows, so it is fixed and every segment is cut to fit it (`pieces`)."""
END_TAG: Final = "#EXT-X-ENDLIST"


def segment_name(seq: int) -> str:
    return f"{seq:06d}.ts"


def pieces(frames: int, rate: int) -> list[tuple[int, int]]:
    """`frames` samples at `rate` cut into the fewest equal runs of at most `TARGET_DURATION_S`
    seconds each, as (first, end) sample positions; one empty run for no samples."""
    limit = TARGET_DURATION_S * rate
    count = max(1, math.ceil(frames / limit))
    bounds = [round(frames * n / count) for n in range(count + 1)]
    return list(itertools.pairwise(bounds))


def playlist(durations: Sequence[float], ended: bool) -> str:
    """The playlist of segments 0..n-1 with these durations; closed if `ended`."""
    target = max([TARGET_DURATION_S, *(math.ceil(d) for d in durations)])
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
    ]
    for seq, duration in enumerate(durations):
        lines += [f"#EXTINF:{duration:.3f},", segment_name(seq)]
    if ended:
        lines.append(END_TAG)
    return "\n".join(lines) + "\n"


def closed(text: str) -> str:
    """The playlist with the end tag, added if missing (a job that failed or was cancelled)."""
    return text if END_TAG in text else text.rstrip("\n") + "\n" + END_TAG + "\n"
