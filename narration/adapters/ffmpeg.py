"""Encode a stream of mono PCM blocks to the output formats with the ffmpeg binary.

ffmpeg comes from the `imageio-ffmpeg` wheel (no system package). One `FfmpegEncoder` is one ffmpeg
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

import contextlib
import fcntl
import logging
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Protocol

import numpy as np

from narration.adapters.tags import add_cover, write_id3, write_vorbis_extras
from narration.errors import InputError, PermanentError
from narration.pipeline.defaults import DEFAULT_FORMAT
from narration.pipeline.formats import (
    ChapterMark,
    Format,
    Tags,
    check_chapters,
    ffmetadata,
    get_format,
    to_int16,
)

_LOGGER = logging.getLogger(__name__)

_QUEUE_BLOCKS: Final = 8  # blocks buffered between the caller and the pipe writer
DECODE_BLOCK_BYTES: Final = 1 << 20
DECODE_FRAME_SAMPLES: Final = 1 << 16
"""Samples per frame the decoder hands its output stage. ffmpeg passes every frame through
threads (filter, PCM encoder, muxer) with a handoff each; an MP3 frame is 576 samples at
22.05 kHz, and those handoffs cost as much CPU as decoding (0.9 against 0.5 CPU-s for a
10-minute part). Regrouping changes no sample."""


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def decode_blocks(
    path: Path, sample_rate: int, input_options: Sequence[str] = ()
) -> Iterator[np.ndarray]:
    """Decode any audio file to mono float32 blocks at `sample_rate`, streaming.

    `input_options` name the format of a raw stream (`-f s16le -ar 22050 -ac 1`)."""
    command = decoder_command(str(path), sample_rate, input_options)
    with subprocess.Popen(command, stdout=subprocess.PIPE) as decoder:
        assert decoder.stdout is not None
        while block := decoder.stdout.read(DECODE_BLOCK_BYTES):
            yield np.frombuffer(block, np.float32, count=len(block) // 4)
    if decoder.returncode != 0:
        raise PermanentError(f"cannot decode {path.name}")


def decoder_command(source: str, sample_rate: int, input_options: Sequence[str] = ()) -> list[str]:
    """ffmpeg decoding `source` (a path, or pipe:0) to mono float32 on its stdout, in frames of
    `DECODE_FRAME_SAMPLES`."""
    regroup = ["-af", f"asetnsamples=n={DECODE_FRAME_SAMPLES}:p=0"]
    output = ["-f", "f32le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    return [ffmpeg_exe(), "-v", "error", *input_options, "-i", source, *regroup, *output]


def container_options(format_name: str) -> list[str]:
    """ffmpeg options for a format's container, whether encoding or joining parts."""
    if format_name == "mp3":
        # CBR with the Xing/LAME info frame: gives decoders the delay and padding to trim and
        # an exact duration; tags are written afterwards by mutagen.
        return ["-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0"]
    if format_name in ("m4a", "m4b"):
        # moov at the front so players can start before the whole file is downloaded.
        return ["-movflags", "+faststart"]
    if format_name == "opus":
        return ["-application", "audio"]
    if format_name == "wav":
        return ["-rf64", "auto"]
    return []


def write_tags_after(path: Path, fmt: Format, tags: Tags, chapters: Sequence[ChapterMark]) -> None:
    """The tags and chapters ffmpeg does not write, once the file is complete."""
    if fmt.chapters == "id3":
        write_id3(path, tags, chapters)
    elif fmt.chapters == "vorbis":
        write_vorbis_extras(path, tags, chapters)
    elif tags.cover is not None:
        add_cover(path, fmt, Path(tags.cover))


def write_ffmetadata(fmt: Format, tags: Tags, chapters: Sequence[ChapterMark]) -> Path:
    """A temporary ffmetadata file with the tags (and chapters where ffmpeg writes them)."""
    kept = chapters if fmt.chapters == "ffmetadata" else []
    fd, name = tempfile.mkstemp(prefix="ffmeta-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(ffmetadata(tags, kept))
    return Path(name)


class Encoder(Protocol):
    """What the stitcher needs from an encoder: blocks in, a finished file on close."""

    def write(self, block: np.ndarray) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class FfmpegEncoder:
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
        part: bool = False,
        output_rate: int | None = None,
        to_stdout: bool = False,
    ) -> None:
        self.path = Path(path)
        if to_stdout and not part:
            raise ValueError("only a part's stream can go to stdout")
        self.to_stdout = to_stdout
        """A part's stream goes to `stdout` (to be read while it is made), not to `path`."""
        self.output_rate = output_rate
        """The delivered sample rate when it is not the input's (ffmpeg resamples)."""
        self.part = part
        """A segment's part (`adapters.part_encoding`): the format's raw part stream, no tags."""
        self.sample_rate = sample_rate
        self.format = get_format(fmt)
        self.bitrate = bitrate or self.format.bitrate
        self.tags = tags or Tags()
        self.chapters = check_chapters(chapters)
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
        if self.output_rate is not None and self.output_rate != self.sample_rate:
            cmd += ["-ar", str(self.output_rate)]
        if self.bitrate:
            cmd += ["-b:a", self.bitrate]
        if self.part:
            assert f.part_muxer is not None, f"{f.name} is not encoded in parts"
            if f.name == "mp3":
                # No info frame: the parts' frames are concatenated, and the joined stream
                # needs no delay or padding trimmed (adapters.part_encoding).
                cmd += ["-write_xing", "0", "-id3v2_version", "0", "-write_id3v1", "0"]
            # ffmpeg flushes a pipe after every packet unless told not to: a 209-byte write per
            # MP3 frame, each one read, copied and written again by `adapters.part_encoding`.
            flush = ["-flush_packets", "0"] if self.to_stdout else []
            output = "pipe:1" if self.to_stdout else str(self.path)
            return [*cmd, "-fflags", "+bitexact", *flush, "-f", f.part_muxer, output]
        cmd += container_options(f.name)
        # Bit-exact muxing: the Ogg muxer would otherwise pick random stream serial numbers, so
        # the same audio would never give the same .opus or .ogg file twice.
        cmd += ["-fflags", "+bitexact", "-f", f.muxer, str(self.path)]
        return cmd

    def open(self) -> FfmpegEncoder:
        if self._proc is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.format.name != "mp3" and not self.part:
            self._meta_path = write_ffmetadata(self.format, self.tags, self.chapters)
        # Lives as long as the ffmpeg process; a file, not a pipe, so ffmpeg never blocks on it.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        cmd = self.command()
        _LOGGER.debug("starting %s", " ".join(cmd))
        try:
            stdout = subprocess.PIPE if self.to_stdout else subprocess.DEVNULL
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=stdout, stderr=self._stderr
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
    def stdout(self) -> IO[bytes]:
        """The encoded stream, with `to_stdout`; it must be read for the encoder to go on."""
        assert self.to_stdout and self._proc is not None and self._proc.stdout is not None
        return self._proc.stdout

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
            if not self.part:
                write_tags_after(self.path, self.format, self.tags, self.chapters)
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

    def __enter__(self) -> FfmpegEncoder:
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


def encode_ts_segment(pcm: bytes, sample_rate: int, offset_s: float, bitrate: str = "64k") -> bytes:
    """One HLS segment: s16le mono PCM as AAC in MPEG-TS, its timestamps starting at `offset_s`
    so that consecutive segments play as one continuous stream."""
    command = [ffmpeg_exe(), "-v", "error", "-f", "s16le", "-ar", str(sample_rate), "-ac", "1"]
    command += ["-i", "pipe:0", "-c:a", "aac", "-b:a", bitrate]
    command += ["-output_ts_offset", f"{offset_s:.6f}", "-f", "mpegts", "pipe:1"]
    done = subprocess.run(command, input=pcm, capture_output=True, check=False)
    if done.returncode != 0:
        raise PermanentError(f"cannot encode an HLS segment: {done.stderr.decode()[-300:]}")
    return done.stdout
