"""A segment's part of the output: encoded on its own, measured as decoded, joined by bytes.

Encoders delay their output and pad its end: a decoded MP3 starts with 1,105 samples (LAME's
576 plus the decoder's 529) before the first input sample, an AAC stream with 1,024, and both
end on a whole frame. A part is laid out on the timeline (`pipeline.timeline.Framing`) as a
whole number of frames that starts with at least `delay` samples of silence and ends with at
least half a frame of it. Its encoder is given the part without its first `delay` samples and
its last half frame, so the decoded part is exactly as long as the laid-out one and every sample
sits where the timeline puts it. The raw streams (MP3 frames without an info frame, AAC in
ADTS, PCM) then join by concatenation: the joined file decodes to the timeline, sample for
sample, with no delay or padding left to trim (tests/adapters/test_part_encoding.py). The delay is
measured once per process by encoding a click, so a different ffmpeg build cannot shift it.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Final

import numpy as np

from narration.adapters.ffmpeg import (
    DECODE_BLOCK_BYTES,
    DECODE_FRAME_SAMPLES,
    FfmpegEncoder,
    container_options,
    decode_blocks,
    decoder_command,
    ffmpeg_exe,
    write_ffmetadata,
    write_tags_after,
)
from narration.errors import PermanentError
from narration.pipeline.chunk_meta import PartFiguresJson
from narration.pipeline.compliance import LevelMeter
from narration.pipeline.formats import ChapterMark, Format, Tags
from narration.pipeline.loudness import VERIFY_OVERSAMPLE, as_float
from narration.pipeline.step_loudness import FiguresMeter
from narration.pipeline.timeline import Framing

PROBE_SAMPLES = 8000
COPY_BYTES: Final = 1 << 16
PROBE_CLICK_AT = 3000


def frame_samples(fmt: Format, sample_rate: int) -> int:
    """Samples per coded frame: MPEG-1 Layer III above 24 kHz, MPEG-2 below; AAC; PCM."""
    if fmt.codec == "libmp3lame":
        return 1152 if sample_rate > 24000 else 576
    if fmt.codec == "aac":
        return 1024
    return 1


@functools.lru_cache(maxsize=16)
def codec_framing(fmt: Format, sample_rate: int, bitrate: str) -> Framing:
    """How `fmt`'s parts are laid out at this rate and bitrate (`Framing`), measured."""
    frame = frame_samples(fmt, sample_rate)
    if frame == 1:
        return Framing()
    probe = np.zeros(PROBE_SAMPLES, dtype=np.float32)
    probe[PROBE_CLICK_AT] = 0.5
    with tempfile.TemporaryDirectory(prefix="narration-probe-") as scratch:
        path = Path(scratch) / "probe"
        with FfmpegEncoder(path, sample_rate, fmt.name, bitrate=bitrate or None, part=True) as enc:
            enc.write(probe)
        raw = _input_format(fmt.part_muxer, sample_rate)
        decoded = np.concatenate(list(decode_blocks(path, sample_rate, raw)))
    delay = int(np.argmax(np.abs(decoded))) - PROBE_CLICK_AT
    if not 0 <= delay < 4 * frame:
        raise PermanentError(f"cannot measure the {fmt.name} encoder's delay (found {delay})")
    return Framing(frame=frame, guard=delay, tail=frame // 2)


def encode_part(
    blocks: Iterable[np.ndarray],
    path: Path,
    fmt: Format,
    sample_rate: int,
    bitrate: str,
    samples: int,
) -> PartFiguresJson:
    """Encode a part laid out as `samples` samples (its blocks) so it decodes to exactly those;
    returns its figures as decoded (`PartFigures`), measured while it encodes."""
    framing = codec_framing(fmt, sample_rate, bitrate)
    keep = _Window(framing.guard, samples - framing.tail)
    encoder = FfmpegEncoder(
        path, sample_rate, fmt.name, bitrate=bitrate or None, part=True, to_stdout=True
    ).open()
    verifier = _Verifier(encoder.stdout, path, fmt, sample_rate)
    try:
        for block in blocks:
            kept = keep.take(block)
            if len(kept):
                encoder.write(kept)
        encoder.close()
        figures = verifier.finish(samples)
    except BaseException:
        encoder.abort()
        verifier.abort()
        raise
    if keep.position != samples:
        raise PermanentError(f"a part laid out as {samples} samples had {keep.position}")
    return figures


class PartFigures:
    """A decoded part's figures: step energies, true peak at 8x, the levels compliance checks
    read."""

    def __init__(self, sample_rate: int) -> None:
        self.meter = FiguresMeter(sample_rate, VERIFY_OVERSAMPLE)
        self.levels = LevelMeter(sample_rate)
        self.samples = 0

    def add(self, block: np.ndarray) -> None:
        x = as_float(block)  # once for all the meters
        self.meter.add(x)
        self.levels.add(x)
        self.samples += len(x)

    def figures(self) -> PartFiguresJson:
        measured = self.meter.figures()
        return {
            "steps": measured["steps"],
            "true_peak_dbtp": measured["true_peak_dbtp"],
            "levels": self.levels.figures(),
        }


class _Verifier:
    """Decodes a part's stream as the encoder emits it and measures it, beside the encoding.

    One thread copies the encoder's output to the part's file and into a decoder; another
    measures what the decoder gives. Measuring after encoding cost a second pass over every
    part, the last of them after a job's last chunk.
    """

    def __init__(self, encoded: IO[bytes], path: Path, fmt: Format, sample_rate: int) -> None:
        command = decoder_command("pipe:0", sample_rate, _input_format(fmt.part_muxer, sample_rate))
        self._decoder = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._figures = PartFigures(sample_rate)
        self._errors: list[BaseException] = []
        self._threads = [
            threading.Thread(target=self._copy, args=(encoded, path), daemon=True),
            threading.Thread(target=self._measure, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _copy(self, encoded: IO[bytes], path: Path) -> None:
        assert self._decoder.stdin is not None
        try:
            with path.open("wb") as out:
                while data := encoded.read(COPY_BYTES):
                    out.write(data)
                    self._decoder.stdin.write(data)
        except BaseException as error:
            self._errors.append(error)
            while encoded.read(COPY_BYTES):
                pass  # keep the encoder going, so it ends and reports its own failure
        finally:
            with contextlib.suppress(OSError):
                self._decoder.stdin.close()

    def _measure(self) -> None:
        assert self._decoder.stdout is not None
        stdout = self._decoder.stdout
        try:
            # A decoder frame at a time: the meters' float64 copies of a 1 MiB read were 2 MiB
            # each, fresh pages every time (a third of the meters' CPU).
            while block := stdout.read(4 * DECODE_FRAME_SAMPLES):
                self._figures.add(np.frombuffer(block, np.float32, count=len(block) // 4))
        except BaseException as error:
            self._errors.append(error)
            while stdout.read(DECODE_BLOCK_BYTES):
                pass

    def finish(self, samples: int) -> PartFiguresJson:
        """The figures, once the encoder's stream has ended; checks the decoded length."""
        for thread in self._threads:
            thread.join()
        if self._decoder.wait() != 0:
            raise PermanentError("cannot decode a part as it was encoded")
        if self._errors:
            raise PermanentError(f"cannot measure a part: {self._errors[0]}") from self._errors[0]
        if self._figures.samples != samples:
            raise PermanentError(f"a part of {samples} samples decodes to {self._figures.samples}")
        return self._figures.figures()

    def abort(self) -> None:
        if self._decoder.poll() is None:
            self._decoder.kill()
        for thread in self._threads:
            thread.join()
        self._decoder.wait()


def join_parts(
    parts: Sequence[Path],
    path: Path,
    fmt: Format,
    sample_rate: int,
    tags: Tags,
    chapters: Sequence[ChapterMark],
) -> None:
    """Concatenate parts into `path` in `fmt`'s container, with its tags and chapters."""
    joined = path.with_name(path.name + ".parts")
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    if fmt.name == "mp3":
        joined.replace(path)
    else:
        _remux(joined, path, fmt, sample_rate, tags, chapters)
        joined.unlink()
    write_tags_after(path, fmt, tags, chapters)


def _remux(
    joined: Path,
    path: Path,
    fmt: Format,
    sample_rate: int,
    tags: Tags,
    chapters: Sequence[ChapterMark],
) -> None:
    """Put the joined raw stream into the format's container without re-encoding it."""
    assert fmt.part_muxer is not None
    meta = write_ffmetadata(fmt, tags, chapters)
    try:
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        cmd += [*_input_format(fmt.part_muxer, sample_rate), "-i", str(joined)]
        cmd += ["-f", "ffmetadata", "-i", str(meta)]
        cmd += ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy"]
        cmd += [*container_options(fmt.name), "-fflags", "+bitexact", "-f", fmt.muxer, str(path)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise PermanentError(f"cannot join the parts of {path.name}: {result.stderr[-500:]}")
    finally:
        meta.unlink(missing_ok=True)


def _input_format(part_muxer: str | None, sample_rate: int) -> list[str]:
    """ffmpeg's input options for a raw part stream (PCM says nothing of its own rate)."""
    if part_muxer is None:
        return []
    if part_muxer == "s16le":
        return ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1"]
    return ["-f", "aac" if part_muxer == "adts" else part_muxer]


class _Window:
    """Passes on the samples of a stream between two positions."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop
        self.position = 0

    def take(self, block: np.ndarray) -> np.ndarray:
        begin = self.position
        self.position += len(block)
        return block[max(0, self.start - begin) : max(0, self.stop - begin)]
