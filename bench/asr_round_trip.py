"""An ASR round trip: transcribe a rendering with faster-whisper tiny.en and compare the words
with the text (word error rate; every sentence found once, and in order)."""

from __future__ import annotations

import difflib
import itertools
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import checkout  # noqa: F401  (this checkout's narration)
import numpy as np

from narration.pipeline import audio

if TYPE_CHECKING:
    from seam_renderings import Rendering

FOUND_RATIO = 0.6
REPEAT_RATIO = 0.9


def words_of(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def wer(reference: list[str], hypothesis: list[str]) -> float:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1] / max(1, len(reference))


def sentence_matches(sentences: list[list[str]], hypothesis: list[str]) -> tuple[int, int, bool]:
    """(sentences found, found more than once, found ones in order) by fuzzy window match."""
    positions = []
    repeated = 0
    for words in sentences:
        size = len(words)
        scores = []
        for start in range(max(1, len(hypothesis) - size + 1)):
            window = hypothesis[start : start + size]
            scores.append(difflib.SequenceMatcher(None, words, window, autojunk=False).ratio())
        best = int(np.argmax(scores))
        if scores[best] < FOUND_RATIO:
            continue
        positions.append(best)
        others = [
            s for start, s in enumerate(scores) if abs(start - best) >= size and s >= REPEAT_RATIO
        ]
        repeated += bool(others)
    in_order = all(a < b for a, b in itertools.pairwise(positions))
    return len(positions), repeated, in_order


class Transcriber:
    def __init__(self) -> None:
        from narration.production.proofing.recogniser import whisper_model

        self._model = whisper_model(cpu_threads=2)

    def __call__(self, rendering: Rendering) -> str:
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "audio.wav"
            path.write_bytes(audio.to_wav_bytes(rendering.pcm, rendering.rate))
            segments, _ = self._model.transcribe(
                str(path), language="en", beam_size=5, temperature=0.0
            )
            return " ".join(segment.text for segment in segments)
