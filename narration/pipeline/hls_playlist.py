"""The HLS playlist of a job that is still rendering, as text (RFC 8216).

An EVENT playlist: segments are only ever appended, one per chunk in order, and
`#EXT-X-ENDLIST` closes it when the job ends, so a player can start from the first segment
while the rest is being made and keeps polling until the end tag appears.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

TARGET_DURATION_S: Final = 30
"""Longer than any chunk's audio (≤ 300 characters and its pause); the target may not change
while an EVENT playlist grows, so it is fixed rather than taken from the segments so far."""
END_TAG: Final = "#EXT-X-ENDLIST"


def segment_name(seq: int) -> str:
    return f"{seq:06d}.ts"


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
