"""A job's timeline PCM spooled to a local file, so later passes need not fetch chunks again.

The stitcher's first pass reads every chunk once from the chunk store, measures it and writes
its samples here as raw int16 (2 bytes a sample: 1.6 GB of local disk for ten hours at
22.05 kHz); the limiter probes and the encode read the file back chunk by chunk, so memory does
not grow with the length of the book.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np

from narration.pipeline.timeline import Placed, timeline_blocks

SAMPLE_SCALE: Final = np.float32(1.0 / 32767.0)
"""int16 to float, as `pipeline.audio.from_wav_bytes` scales."""


def wav_int16(data: bytes) -> np.ndarray:
    """The int16 samples of a chunk WAV."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


class PcmSpool:
    """The timeline's chunks as int16 in one file, with each chunk's byte offset."""

    def __init__(self, path: Path, placed: list[Placed]) -> None:
        self.path = path
        self.placed = placed
        self.offsets: list[int] = []

    def fill(
        self,
        chunk_wav: Callable[[dict[str, Any]], bytes],
        on_block: Callable[[np.ndarray], None],
    ) -> None:
        """Spool every placed chunk in order; `on_block` sees each float block of the timeline
        (speech and the pauses after it) once, as the first pass's meters need."""
        position = 0
        with self.path.open("wb") as out:
            for item in self.placed:
                samples = wav_int16(chunk_wav(item.meta))
                self.offsets.append(position)
                out.write(samples.tobytes())
                position += 2 * len(samples)
                if len(samples):
                    on_block(samples.astype(np.float32) * SAMPLE_SCALE)
                if item.pause_after:
                    on_block(np.zeros(item.pause_after, dtype=np.float32))

    def blocks(self, numbers: list[int] | None = None) -> Iterator[np.ndarray]:
        """The timeline as float blocks (`timeline_blocks`), read back from the spool."""
        with self.path.open("rb") as spool:

            def chunk_pcm(number: int) -> np.ndarray:
                item = self.placed[number]
                spool.seek(self.offsets[number])
                samples = np.fromfile(spool, dtype="<i2", count=item.end - item.start)
                return samples.astype(np.float32) * SAMPLE_SCALE

            yield from timeline_blocks(self.placed, chunk_pcm, numbers)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
