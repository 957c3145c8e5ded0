"""Measure a delivered file as a listener's decoder gets it: its stream facts and its levels.

The compliance report (`pipeline.compliance`) is built from these measures, never from the
figures the stitch planned with, so a file that an encoder moved out of spec is reported so.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Final

from narration.adapters.ffmpeg import decode_blocks, ffmpeg_exe
from narration.errors import PermanentError
from narration.pipeline.compliance import LevelMeter, Measured, StreamFacts
from narration.pipeline.loudness import VERIFY_OVERSAMPLE
from narration.pipeline.step_loudness import FiguresMeter

CODECS: Final = {
    "mp3": "mp3",
    "m4b": "aac",
    "m4a": "aac",
    "opus": "opus",
    "ogg": "vorbis",
    "flac": "flac",
    "wav": "pcm_s16le",
}
"""The codec each format's stream must carry, as ffmpeg names it."""
_STREAM: Final = re.compile(r"Audio: (\w+)[^,]*, (\d+) Hz")
_MPEG1_L3_KBPS: Final = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_L3_KBPS: Final = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MPEG1_RATES: Final = (44100, 48000, 32000)


def stream_facts(path: Path, frames: bool = True) -> StreamFacts:
    """The codec and sample rate ffmpeg reads from the file; for MP3 (with `frames`), every
    frame's bitrate."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
    )
    found = _STREAM.search(result.stderr)
    if found is None:
        raise PermanentError(f"cannot read the audio stream of {path.name}")
    codec, rate = found.group(1), int(found.group(2))
    bitrates = mp3_frame_bitrates(path.read_bytes()) if codec == "mp3" and frames else ()
    return StreamFacts(codec, rate, bitrates)


def mp3_frame_bitrates(data: bytes) -> tuple[int, ...]:
    """The distinct bitrates (kbit/s) in the headers of an MP3's audio frames, in order seen.

    The first frame of a LAME file is its Info (CBR) or Xing (VBR) frame, which holds no audio;
    it is skipped."""
    position = _after_id3v2(data)
    seen: list[int] = []
    first = True
    while position + 4 <= len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        if header >> 21 != 0x7FF:
            break
        mpeg1 = (header >> 19) & 0b11 == 0b11
        index, rate_index = (header >> 12) & 0xF, (header >> 10) & 0b11
        if index in (0, 15) or rate_index == 3:
            break
        kbps = (_MPEG1_L3_KBPS if mpeg1 else _MPEG2_L3_KBPS)[index]
        rate = _MPEG1_RATES[rate_index] // (1 if mpeg1 else 2)
        length = (144 if mpeg1 else 72) * kbps * 1000 // rate + ((header >> 9) & 1)
        tag = data[position + 4 : position + 4 + 40]
        if not (first and (b"Info" in tag or b"Xing" in tag)) and kbps not in seen:
            seen.append(kbps)
        first = False
        position += length
    return tuple(seen)


def _after_id3v2(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = size << 7 | (byte & 0x7F)
    return 10 + size


def measure_delivered(path: Path, with_loudness: bool) -> Measured:
    """Decode the file at its own sample rate and measure it; the integrated loudness and
    true peak (8x) too when `with_loudness`."""
    stream = stream_facts(path)
    levels = LevelMeter(stream.sample_rate)
    figures = FiguresMeter(stream.sample_rate, VERIFY_OVERSAMPLE) if with_loudness else None
    for block in decode_blocks(path, stream.sample_rate):
        levels.add(block)
        if figures is not None:
            figures.add(block)
    if figures is None:
        return Measured(levels.measured(), stream)
    return Measured(
        levels.measured(),
        stream,
        figures.loudness.integrated_lufs(),
        figures.peak.true_peak_dbtp(),
    )
