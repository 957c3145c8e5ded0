"""Encode a stream of mono PCM blocks to the output formats with the ffmpeg binary.

ffmpeg comes from the `imageio-ffmpeg` wheel (no system package). One `Encoder` is one ffmpeg
process reading raw s16le mono PCM on stdin and writing the output file; the caller streams
blocks into it, so memory does not depend on the length of the book.

Tags and chapters, per format:

- mp3: ffmpeg encodes (with the LAME/Xing header, so decoders trim encoder delay and padding);
  afterwards mutagen writes an ID3v2.3 tag with the text frames, APIC cover, and CHAP frames
  under one ordered top-level CTOC (the form Apple Podcasts, Overcast and podcast apps read).
- m4b, m4a: an ffmetadata file is a second ffmpeg input (`-map_metadata 1 -map_chapters 1`);
  the mov muxer writes a QuickTime chapter track and a Nero `chpl` atom. Cover via mutagen.
- opus, ogg (Vorbis), flac: tags through the same ffmetadata input; chapters are written by
  mutagen afterwards as Vorbis comments (`CHAPTER000=00:00:00.000`, `CHAPTER000NAME=...`, the
  convention ffmpeg, foobar2000 and most Ogg players read) with a METADATA_BLOCK_PICTURE cover.
  ffmpeg 9's own chapter writing is not used: it drops chapters for .ogg and .flac and writes
  wrong times for .opus (2.5 s comes out as 3.5 s).
- wav: ffmetadata tags go into a LIST/INFO chunk; WAV has no chapters (a warning is logged).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import itertools
import logging
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Final

import numpy as np

from narration.errors import InputError, PermanentError

_LOGGER = logging.getLogger(__name__)


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


# Bitrates are for mono speech. 64 kbit/s MP3 and AAC are what most spoken-word podcasts ship
# (transparent for a single voice at 22–24 kHz); Opus is transparent for speech far lower.
FORMATS: Final[dict[str, Format]] = {
    "mp3": Format("mp3", "mp3", "mp3", "libmp3lame", "64k", "audio/mpeg", "id3"),
    "m4b": Format("m4b", "m4b", "ipod", "aac", "64k", "audio/mp4", "ffmetadata"),
    "m4a": Format("m4a", "m4a", "ipod", "aac", "64k", "audio/mp4", "ffmetadata"),
    "opus": Format("opus", "opus", "opus", "libopus", "32k", "audio/ogg", "vorbis"),
    # .ogg is Ogg Vorbis: the format every player that says "Ogg" supports; Opus has .opus.
    "ogg": Format("ogg", "ogg", "ogg", "libvorbis", "64k", "audio/ogg", "vorbis"),
    "flac": Format("flac", "flac", "flac", "flac", None, "audio/flac", "vorbis"),
    "wav": Format("wav", "wav", "wav", "pcm_s16le", None, "audio/wav", "none"),
}
DEFAULT_FORMAT: Final = "mp3"
_QUEUE_BLOCKS: Final = 8  # blocks buffered between the caller and the pipe writer


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
    cover: Path | None = None  # JPEG or PNG


@dataclass(frozen=True)
class ChapterMark:
    """A chapter of the output in seconds from its start."""

    title: str
    start_s: float
    end_s: float


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def configure_pydub() -> None:
    """Point pydub at the wheel's ffmpeg (pydub otherwise looks on PATH and warns)."""
    from pydub import AudioSegment

    exe = ffmpeg_exe()
    AudioSegment.converter = exe
    AudioSegment.ffmpeg = exe


def get_format(name: str) -> Format:
    try:
        return FORMATS[name.lower().lstrip(".")]
    except KeyError:
        raise InputError(
            f"unknown output format {name!r}; choose one of {', '.join(FORMATS)}"
        ) from None


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


def _check_chapters(chapters: Sequence[ChapterMark]) -> list[ChapterMark]:
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
    x = np.asarray(block)
    if x.dtype == np.int16:
        return x
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


class Encoder:
    """Stream mono PCM into an ffmpeg process that writes `path`.

    Use as a context manager; `write` blocks, and leaving the block without an exception waits
    for ffmpeg and writes the post-encode tags. On an exception, ffmpeg is killed and the partial
    file removed. Raises `PermanentError` (with ffmpeg's message) when ffmpeg fails.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        sample_rate: int,
        fmt: str = DEFAULT_FORMAT,
        *,
        bitrate: str | None = None,
        tags: Tags | None = None,
        chapters: Sequence[ChapterMark] = (),
        ffmpeg: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.format = get_format(fmt)
        self.bitrate = bitrate or self.format.bitrate
        self.tags = tags or Tags()
        self.chapters = _check_chapters(chapters)
        if self.tags.cover is not None and not Path(self.tags.cover).is_file():
            raise InputError(f"cover image not found: {self.tags.cover}")
        if self.chapters and self.format.chapters == "none":
            _LOGGER.warning("%s cannot hold chapters; %d dropped", self.format.name, len(chapters))
        self._ffmpeg = ffmpeg or ffmpeg_exe()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._meta_path: Path | None = None
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUE_BLOCKS)
        self._writer: threading.Thread | None = None
        self._write_error: OSError | None = None
        self.samples = 0

    # -- process ---------------------------------------------------------------------------

    def command(self) -> list[str]:
        """The ffmpeg command line (without the metadata file until `open`)."""
        f = self.format
        cmd = [self._ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"]
        cmd += ["-f", "s16le", "-ar", str(self.sample_rate), "-ac", "1", "-i", "pipe:0"]
        if self._meta_path is not None:
            cmd += ["-f", "ffmetadata", "-i", str(self._meta_path)]
            cmd += ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
        else:
            cmd += ["-map_metadata", "-1"]
        cmd += ["-c:a", f.codec]
        if self.bitrate:
            cmd += ["-b:a", self.bitrate]
        if f.name == "mp3":
            # CBR with the Xing/LAME info frame: gives decoders the delay and padding to trim
            # and an exact duration; tags are written afterwards by mutagen.
            cmd += ["-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0"]
        elif f.name in ("m4a", "m4b"):
            # moov at the front so players can start before the whole file is downloaded.
            cmd += ["-movflags", "+faststart"]
        elif f.name == "opus":
            cmd += ["-application", "audio"]
        elif f.name == "wav":
            cmd += ["-rf64", "auto"]
        cmd += ["-f", f.muxer, str(self.path)]
        return cmd

    def open(self) -> Encoder:
        if self._proc is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.format.name != "mp3":
            chapters = self.chapters if self.format.chapters == "ffmetadata" else []
            fd, name = tempfile.mkstemp(prefix="ffmeta-", suffix=".txt")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(ffmetadata(self.tags, chapters))
            self._meta_path = Path(name)
        # Lives as long as the ffmpeg process; a file, not a pipe, so ffmpeg never blocks on it.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        cmd = self.command()
        _LOGGER.debug("starting %s", " ".join(cmd))
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr
            )
        except OSError as exc:
            self._cleanup()
            raise PermanentError(f"cannot start ffmpeg ({self._ffmpeg}): {exc}") from exc
        assert self._proc.stdin is not None
        if hasattr(fcntl, "F_SETPIPE_SZ"):
            # Linux: a 1 MiB pipe holds ~20 s of 22 kHz PCM, fewer wake-ups on both sides.
            with contextlib.suppress(OSError):
                fcntl.fcntl(self._proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        # A writer thread feeds the pipe so the caller's DSP on the next block runs while
        # ffmpeg encodes this one (a blocking write would serialise the two).
        self._writer = threading.Thread(target=self._pump, name="encoder-writer", daemon=True)
        self._writer.start()
        return self

    def _pump(self) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        stdin = self._proc.stdin
        while (data := self._queue.get()) is not None:
            if self._write_error is not None:
                continue  # keep draining so that a producer never blocks on a dead ffmpeg
            try:
                stdin.write(data)
            except OSError as exc:  # BrokenPipeError when ffmpeg has exited
                self._write_error = exc
        with contextlib.suppress(OSError):
            stdin.close()

    def _stop_writer(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None

    def write(self, block: np.ndarray) -> None:
        """Append mono PCM (int16, or float in [-1, 1])."""
        if self._proc is None:
            self.open()
        assert self._proc is not None and self._proc.stdin is not None
        pcm = to_int16(block)
        if pcm.ndim != 1:
            raise ValueError(f"expected a mono 1-D block, got shape {pcm.shape}")
        if self._write_error is not None:
            self._stop_writer()
            self._proc.wait()
            msg = f"ffmpeg stopped while encoding {self.path}: {self._err()}"
            raise PermanentError(msg) from self._write_error
        self._queue.put(pcm.astype("<i2", copy=False).tobytes())
        self.samples += len(pcm)

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate

    def close(self) -> None:
        """Finish the file: wait for ffmpeg, then write the tags ffmpeg does not."""
        if self._proc is None:
            self.open()
        assert self._proc is not None
        try:
            self._stop_writer()
            rc = self._proc.wait()
            if rc != 0 or self._write_error is not None:
                self.path.unlink(missing_ok=True)
                raise PermanentError(
                    f"ffmpeg failed (exit {rc}) writing {self.path}: {self._err()}"
                )
            if self.format.chapters == "id3":
                write_id3(self.path, self.tags, self.chapters)
            elif self.format.chapters == "vorbis":
                write_vorbis_extras(self.path, self.tags, self.chapters)
            elif self.tags.cover is not None:
                add_cover(self.path, self.format, Path(self.tags.cover))
        finally:
            self._cleanup()

    def abort(self) -> None:
        """Kill ffmpeg and remove the partial output."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._stop_writer()
        self._cleanup()
        self.path.unlink(missing_ok=True)

    def _err(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip()
        return text[-2000:] or "(no message)"

    def _cleanup(self) -> None:
        if self._proc is not None and self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._meta_path is not None:
            self._meta_path.unlink(missing_ok=True)
            self._meta_path = None

    def __enter__(self) -> Encoder:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


# -- post-encode tagging (mutagen) -----------------------------------------------------------


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
