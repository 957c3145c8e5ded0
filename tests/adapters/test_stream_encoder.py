"""ffmpeg as a live encoder: the first encoded bytes come out before the input has ended."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.adapters.stream_encoder import encode_live
from narration.service.speech_stream import ENCODING, streaming_wav_header, tempo_filter

RATE = 22050


def _tone(seconds: float) -> bytes:
    t = np.arange(round(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


@pytest.mark.parametrize("fmt", ["mp3", "aac", "opus", "pcm"])
def test_output_comes_out_while_the_input_is_still_being_made(fmt: str) -> None:
    seen_output = threading.Event()

    def blocks() -> Iterator[bytes]:
        yield _tone(2.0)
        # The rest is only made once the first output has been read: a live encoder.
        assert seen_output.wait(20), "no output before the input ended"
        yield _tone(1.0)

    stop = threading.Event()
    out = b""
    for block in encode_live(blocks(), RATE, ENCODING[fmt], stop, 24000):
        out += block
        seen_output.set()
    decoded = subprocess.run(
        [ffmpeg_exe(), "-v", "error"]
        + (["-f", "s16le", "-ar", "24000", "-ac", "1"] if fmt == "pcm" else [])
        + ["-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "24000", "pipe:1"],
        input=out,
        capture_output=True,
        check=True,
    ).stdout
    assert len(decoded) / 2 / 24000 == pytest.approx(3.0, abs=0.1)


def test_closing_early_stops_ffmpeg_and_the_feeder() -> None:
    stop = threading.Event()

    def endless() -> Iterator[bytes]:
        while not stop.is_set():
            yield _tone(0.5)

    stream = encode_live(endless(), RATE, ENCODING["mp3"], stop)
    assert next(stream)
    stream.close()
    assert stop.is_set()


def test_the_streaming_wav_header_reads_to_the_end() -> None:
    header = streaming_wav_header(24000)
    assert len(header) == 44 and header[:4] == b"RIFF" and header[8:16] == b"WAVEfmt "
    assert header[4:8] == header[40:44] == b"\xff\xff\xff\xff"
    assert int.from_bytes(header[24:28], "little") == 24000


@pytest.mark.parametrize("speed", [0.25, 0.5, 2.0, 4.0])
def test_a_tempo_filter_scales_the_duration_exactly(speed: float) -> None:
    stop = threading.Event()
    out = b"".join(
        encode_live(iter([_tone(4.0)]), RATE, ENCODING["pcm"], stop, 24000, tempo_filter(speed))
    )
    assert len(out) / 2 / 24000 == pytest.approx(4.0 / speed, rel=0.02)
    assert tempo_filter(1.0) == ""
