"""Tags ffmpeg does not write, added to the encoded file with mutagen (see `adapters.ffmpeg`)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from pathlib import Path

from narration.errors import InputError, PermanentError
from narration.pipeline.formats import ChapterMark, Format, Tags

_LOGGER = logging.getLogger(__name__)


def _cover_mime(cover: Path) -> str:
    head = cover.read_bytes()[:8]
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    raise InputError(f"cover image must be JPEG or PNG: {cover}")


def write_id3(path: Path, tags: Tags, chapters: Sequence[ChapterMark]) -> None:
    """Write an ID3v2.3 tag: text frames, cover, CHAP frames and one top-level CTOC."""
    from mutagen.id3 import (
        APIC,
        CHAP,
        COMM,
        CTOC,
        ID3,
        TALB,
        TCON,
        TDRC,
        TIT2,
        TLAN,
        TPE1,
        TPE2,
        CTOCFlags,
    )

    tag = ID3()
    for frame, value in (
        (TIT2, tags.title),
        (TPE1, tags.artist),
        (TPE2, tags.artist),
        (TALB, tags.album),
        (TDRC, tags.year),
        (TLAN, tags.language),
        (TCON, tags.genre),
    ):
        if value:
            tag.add(frame(encoding=3, text=[value]))
    if tags.comment:
        tag.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment]))
    if tags.cover is not None:
        cover = Path(tags.cover)
        tag.add(
            APIC(encoding=3, mime=_cover_mime(cover), type=3, desc="Cover", data=cover.read_bytes())
        )
    ids = [f"chp{i}" for i in range(len(chapters))]
    if chapters:
        tag.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=["Chapters"])],
            )
        )
        for cid, ch in zip(ids, chapters, strict=True):
            tag.add(
                CHAP(
                    element_id=cid,
                    start_time=round(ch.start_s * 1000),
                    end_time=round(ch.end_s * 1000),
                    # 0xFFFFFFFF: byte offsets not given, players use the times.
                    start_offset=0xFFFFFFFF,
                    end_offset=0xFFFFFFFF,
                    sub_frames=[TIT2(encoding=3, text=[ch.title])],
                )
            )
    # v2.3: more players read CHAP/CTOC from 2.3 than from 2.4.
    tag.save(str(path), v2_version=3)


def _vorbis_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_vorbis_extras(path: Path, tags: Tags, chapters: Sequence[ChapterMark]) -> None:
    """Add Vorbis-comment chapters and the cover picture to an Ogg or FLAC file."""
    if not chapters and tags.cover is None:
        return
    from mutagen import File as MutagenFile
    from mutagen.flac import FLAC, Picture

    audio = MutagenFile(str(path))
    if audio is None or audio.tags is None:
        raise PermanentError(f"cannot read the Vorbis comments ffmpeg wrote to {path}")
    for i, ch in enumerate(chapters):
        audio[f"CHAPTER{i:03d}"] = [_vorbis_time(ch.start_s)]
        audio[f"CHAPTER{i:03d}NAME"] = [ch.title]
    if tags.cover is not None:
        cover = Path(tags.cover)
        pic = Picture()
        pic.type, pic.mime, pic.desc, pic.data = 3, _cover_mime(cover), "Cover", cover.read_bytes()
        if isinstance(audio, FLAC):
            audio.add_picture(pic)
        else:
            audio["METADATA_BLOCK_PICTURE"] = [base64.b64encode(pic.write()).decode("ascii")]
    audio.save()


def add_cover(path: Path, fmt: Format, cover: Path) -> None:
    """Embed a cover image in an MP4 file after encoding (the covr atom)."""
    if fmt.name not in ("m4a", "m4b"):
        _LOGGER.warning("%s cannot hold a cover image; not embedded", fmt.name)
        return
    from mutagen.mp4 import MP4, MP4Cover

    mime = _cover_mime(cover)
    mp4 = MP4(str(path))
    kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
    mp4["covr"] = [MP4Cover(cover.read_bytes(), imageformat=kind)]
    mp4.save()
