"""OpenAI speech sent as it is made: the first audio leaves once the first chunk (its first
sentence or few) is synthesised, not when the whole text is.

The request's job renders as any job does; the answer is built from its chunks as they are
committed, in order: a lead-in, each chunk's speech and the pause after it, a tail, encoded live
(`adapters.stream_encoder`) at OpenAI's 24 kHz. Like the HLS preview it is not loudness-mastered
(the chunks are level-matched already). `speed` time-stretches the stream, pitch kept (ffmpeg's
`atempo`), as OpenAI's does: the whole duration, pauses included, is divided by it exactly. (A
voice's own rate does not scale so: Piper at length scale 0.5 took 0.62 of the time, its
phonemes' lengths being rounded up to whole frames.)
WAV goes out with OpenAI's streaming header: RIFF and data sizes of 0xFFFFFFFF, "to the end".
"""

from __future__ import annotations

import io
import struct
import threading
import time
import wave
from collections.abc import Iterator
from typing import Final

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.stream_encoder import encode_live
from narration.errors import PermanentError, RetryableError
from narration.pipeline.timeline import LEAD_IN_S, TAIL_S
from narration.service.context import ServiceContext

OUTPUT_RATE: Final = 24000
"""OpenAI's speech is 24 kHz, whatever the format."""
WAIT_TIMEOUT_S: Final = 300.0
_NO_MP3_HEADERS: Final = ("-write_xing", "0", "-id3v2_version", "0")
"""An info frame and ID3 tag are written before the audio and fixed up at the end: not live."""
ENCODING: Final = {
    "mp3": ("-c:a", "libmp3lame", "-b:a", "128k", *_NO_MP3_HEADERS, "-f", "mp3"),
    "aac": ("-c:a", "aac", "-b:a", "128k", "-f", "adts"),
    "opus": ("-c:a", "libopus", "-b:a", "64k", "-f", "ogg"),
    "flac": ("-c:a", "flac", "-f", "flac"),
    "wav": ("-f", "s16le"),
    "pcm": ("-f", "s16le"),
}
"""response_format → ffmpeg's output options: formats a player can read as they arrive (AAC in
ADTS frames, as OpenAI sends it)."""
CONTENT_TYPE: Final = {
    "mp3": "audio/mpeg",
    "aac": "audio/aac",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}


def streaming_wav_header(rate: int) -> bytes:
    """A mono 16-bit WAV header whose sizes say "unknown, read to the end"."""
    unknown = 0xFFFFFFFF
    return (
        struct.pack("<4sI4s", b"RIFF", unknown, b"WAVE")
        + struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16)
        + struct.pack("<4sI", b"data", unknown)
    )


def tempo_filter(speed: float) -> str:
    """ffmpeg's filters that play `speed` times as fast, pitch kept ("" for 1): `atempo` takes
    0.5 to 100, so slower speeds are a chain of halvings and the rest."""
    if speed == 1.0:
        return ""
    steps = []
    while speed < 0.5:
        steps.append(0.5)
        speed /= 0.5
    steps.append(speed)
    return ",".join(f"atempo={step:.6g}" for step in steps)


class SpeechStream:
    """The audio of a submitted job's chunks, in order, as they are committed."""

    def __init__(
        self, context: ServiceContext, job_id: str, chunks: int, speed: float = 1.0
    ) -> None:
        self.context = context
        self.job_id = job_id
        self.chunks = chunks
        self.speed = speed
        self.deadline = time.monotonic() + WAIT_TIMEOUT_S
        self.store: ChunkStore = context.services.chunks(job_id)
        self.stop = threading.Event()
        self._first: tuple[bytes, int] | None = None

    def first_chunk(self) -> None:
        """Wait for the first chunk, so that a job that fails at once is answered as an error
        rather than as an empty stream."""
        self._first = self._chunk(0)

    def encoded(self, response_format: str) -> Iterator[bytes]:
        """The speech in `response_format`, block by block as it is encoded."""
        first = self._first or self._chunk(0)
        rate = first[1]
        if response_format == "wav":
            yield streaming_wav_header(OUTPUT_RATE)
        yield from encode_live(
            self._pcm(first),
            rate,
            ENCODING[response_format],
            self.stop,
            OUTPUT_RATE,
            tempo_filter(self.speed),
        )

    def _pcm(self, first: tuple[bytes, int]) -> Iterator[bytes]:
        pcm, rate = first
        yield _silence(LEAD_IN_S, rate)
        yield pcm
        for seq in range(1, self.chunks):
            yield self._chunk(seq)[0]
        yield _silence(TAIL_S, rate)

    def _chunk(self, seq: int) -> tuple[bytes, int]:
        """Chunk `seq`'s speech and the pause after it (none after the last), and its rate."""
        self._wait(seq)
        stored = self.store.read(seq)
        with wave.open(io.BytesIO(stored.wav)) as source:
            rate = source.getframerate()
            speech = source.readframes(source.getnframes())
        last = seq == self.chunks - 1
        pause = 0.0 if last else float(stored.meta["pause_after_s"])
        return speech + _silence(pause, rate), rate

    def _wait(self, seq: int) -> None:
        if self.store.is_done(seq):
            return
        records = self.context.services.records()
        for _ in records.follow(self.job_id, block_ms=200):
            if self.store.is_done(seq) or self.stop.is_set():
                return
            record = records.get(self.job_id)
            if record["status"] in ("failed", "cancelled"):
                raise PermanentError(
                    f"synthesis {record['status']}: {record.get('error') or 'no reason'}"
                )
            if time.monotonic() > self.deadline:
                raise RetryableError(f"synthesis did not finish within {WAIT_TIMEOUT_S:.0f} s")


def _silence(seconds: float, rate: int) -> bytes:
    return b"\0\0" * round(seconds * rate)
