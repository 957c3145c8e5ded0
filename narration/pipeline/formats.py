"""Output formats, tags and chapter marks: what an encoded file holds, as plain values.

The one list of output formats (`FORMATS`); the encoder (`narration.adapters.ffmpeg`) and the
tag writer (`narration.adapters.tags`) read it, and job options are checked against it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from narration.errors import InputError

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Format:
    """One output format: container, codec and the default bitrate for mono speech."""

    name: str
    extension: str
    muxer: str
    codec: str
    bitrate: str | None  # None: lossless / PCM
    mime: str
    chapters: str  # how chapters are written: "id3" | "ffmetadata" | "vorbis" | "none"
    part_muxer: str | None = None
    """The raw stream a segment's part is encoded to, whose parts join by concatenating bytes
    (docs/OUTPUT.md, "Parts"); None where parts would not join without a seam (Ogg: every
    stream has its own headers and granule positions), so the stitch encodes the whole."""


# Bitrates are for mono speech. 64 kbit/s MP3 and AAC are what most spoken-word podcasts ship
# (transparent for a single voice at 22–24 kHz); Opus is transparent for speech far lower.
FORMATS: Final[dict[str, Format]] = {
    "mp3": Format("mp3", "mp3", "mp3", "libmp3lame", "64k", "audio/mpeg", "id3", "mp3"),
    "m4b": Format("m4b", "m4b", "ipod", "aac", "64k", "audio/mp4", "ffmetadata", "adts"),
    "m4a": Format("m4a", "m4a", "ipod", "aac", "64k", "audio/mp4", "ffmetadata", "adts"),
    "opus": Format("opus", "opus", "opus", "libopus", "32k", "audio/ogg", "vorbis"),
    # .ogg is Ogg Vorbis: the format every player that says "Ogg" supports; Opus has .opus.
    "ogg": Format("ogg", "ogg", "ogg", "libvorbis", "64k", "audio/ogg", "vorbis"),
    "flac": Format("flac", "flac", "flac", "flac", None, "audio/flac", "vorbis"),
    "wav": Format("wav", "wav", "wav", "pcm_s16le", None, "audio/wav", "none", "s16le"),
}


@dataclass(frozen=True)
class Tags:
    """Descriptive tags; empty fields are not written."""

    title: str = ""
    artist: str = ""  # the author, or the narrator's voice credit
    album: str = ""
    year: str = ""
    comment: str = ""
    language: str = ""  # ISO 639-2 ("eng") or BCP 47 ("en"); written as given
    genre: str = "Audiobook"
    cover: str | None = None  # path of a JPEG or PNG


@dataclass(frozen=True)
class ChapterMark:
    """A chapter of the output in seconds from its start."""

    title: str
    start_s: float
    end_s: float


def get_format(name: str) -> Format:
    try:
        return FORMATS[name.lower().lstrip(".")]
    except KeyError:
        raise InputError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None


def _ffmeta_escape(value: str) -> str:
    # ffmetadata: '=', ';', '#', '\' and newlines are escaped with a backslash.
    out = []
    for ch in value:
        if ch in "=;#\\\n":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def ffmetadata(tags: Tags, chapters: Sequence[ChapterMark]) -> str:
    """The text of an ffmetadata file for `tags` and `chapters` (times in milliseconds)."""
    lines = [";FFMETADATA1"]
    fields = {
        "title": tags.title,
        "artist": tags.artist,
        "album_artist": tags.artist,
        "album": tags.album,
        "date": tags.year,
        "comment": tags.comment,
        "language": tags.language,
        "genre": tags.genre,
    }
    lines += [f"{k}={_ffmeta_escape(v)}" for k, v in fields.items() if v]
    for ch in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(ch.start_s * 1000)}",
            f"END={round(ch.end_s * 1000)}",
            f"title={_ffmeta_escape(ch.title)}",
        ]
    return "\n".join(lines) + "\n"


def check_chapters(chapters: Sequence[ChapterMark]) -> list[ChapterMark]:
    out = sorted(chapters, key=lambda c: c.start_s)
    for a, b in itertools.pairwise(out):
        if b.start_s < a.end_s - 1e-3:
            raise InputError(f"chapters overlap: {a.title!r} and {b.title!r}")
    for c in out:
        if c.end_s < c.start_s or c.start_s < 0:
            raise InputError(f"chapter {c.title!r} has bad times {c.start_s}..{c.end_s}")
    return out


def to_int16(block: np.ndarray) -> np.ndarray:
    """int16 PCM from an int16 or float block in [-1, 1] (clipped, rounded)."""
    import numpy as np  # here: planning a job reads the formats and needs no numpy

    x = np.asarray(block)
    if x.dtype == np.int16:
        return x
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)
