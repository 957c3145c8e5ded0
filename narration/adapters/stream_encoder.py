"""ffmpeg as a live encoder: PCM blocks in as they are made, encoded bytes out as ffmpeg writes
them, so a caller can send audio before the last of it exists.

A thread feeds ffmpeg's stdin from the blocks' iterator (which may wait for the next block)
while the caller reads stdout; ffmpeg flushes after every packet. Closing the output iterator
early (a client that hung up) stops ffmpeg and tells the feeder, through `stop`, to stop waiting.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from typing import Final

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.errors import PermanentError

_LOGGER = logging.getLogger(__name__)

READ_BYTES: Final = 64 * 1024


def encode_live(
    blocks: Iterator[bytes],
    sample_rate: int,
    output: Sequence[str],
    stop: threading.Event,
    output_rate: int | None = None,
    filters: str = "",
) -> Iterator[bytes]:
    """s16le mono `blocks` at `sample_rate` through ffmpeg with `output` options (codec and
    muxer, without the destination) and audio `filters`; the encoded bytes as they come."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    command += ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
    if filters:
        command += ["-af", filters]
    if output_rate is not None and output_rate != sample_rate:
        command += ["-ar", str(output_rate)]
    command += ["-map_metadata", "-1", "-flush_packets", "1", *output, "pipe:1"]
    errors = tempfile.TemporaryFile()  # noqa: SIM115  # closed below, after ffmpeg ends
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, bufsize=0
    )
    failures: list[BaseException] = []
    feeder = threading.Thread(
        target=_feed, args=(process, blocks, stop, failures), name="live-encoder", daemon=True
    )
    feeder.start()
    assert process.stdout is not None
    try:
        while data := os.read(process.stdout.fileno(), READ_BYTES):
            yield data
        if process.wait() != 0 and not stop.is_set():
            errors.seek(0)
            raise PermanentError(f"ffmpeg failed: {errors.read().decode(errors='replace')[-300:]}")
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        feeder.join(timeout=5)
        errors.close()
    if failures:
        raise failures[0]


def _feed(
    process: subprocess.Popen[bytes],
    blocks: Iterator[bytes],
    stop: threading.Event,
    failures: list[BaseException],
) -> None:
    assert process.stdin is not None
    try:
        for block in blocks:
            if stop.is_set():
                break
            view = memoryview(block)
            while view:
                view = view[process.stdin.write(view) or 0 :]
    except (BrokenPipeError, ValueError):
        pass  # ffmpeg was stopped: the reader hung up
    except Exception as error:
        _LOGGER.warning("live encoding stopped: %s", error)
        failures.append(error)
    finally:
        with contextlib.suppress(OSError):
            process.stdin.close()
