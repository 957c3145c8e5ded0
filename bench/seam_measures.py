"""What the seams benchmark measures in a rendering, at the joins between chunks and at the
sentence boundaries inside them: pauses, loudness steps, clicks, the speaking rate's spread,
and (given a transcriber) the ASR round trip.

The thresholds are the bench's own, fixed, so tuning the pipeline cannot move them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from asr_round_trip import Transcriber, sentence_matches, wer, words_of
from seam_renderings import Rendering

from narration.pipeline import audio
from narration.pipeline.chunker import split_sentences

FRAME_S = 0.010
SILENT_DBFS = -45.0
"""Measurement thresholds are the bench's own, fixed, so tuning the pipeline cannot move them."""
QUIET_DBFS = -40.0
CLICK_STEP = 0.02
CLICK_GUARD_S = 0.050
LEVEL_WINDOW_S = 3.0
LEVEL_FRAME_S = 0.050
PAUSE_GUARD_S = 0.050


@dataclass(frozen=True)
class Boundary:
    end_s: float  # last word of the sentence before ends
    start_s: float  # first word of the sentence after starts
    kind: str  # "inner", "sentence" (a join inside a paragraph), "paragraph"
    cut: tuple[float, float] = (0.0, 0.0)  # end of one chunk's audio, start of the next's


def boundaries(rendering: Rendering) -> list[Boundary]:
    found: list[Boundary] = []
    for number, piece in enumerate(rendering.pieces):
        offset = 0
        ends = []
        for sentence in split_sentences(piece.text):
            first = piece.text.find(sentence, offset)
            offset = first + len(sentence)
            ends.append(offset)
        for end in ends[:-1]:
            before = [w for w in piece.words if w[0] < end]
            after = [w for w in piece.words if w[0] >= end]
            if before and after:
                found.append(Boundary(before[-1][3], after[0][2], "inner"))
        if number + 1 < len(rendering.pieces) and piece.words:
            following = rendering.pieces[number + 1]
            if not following.words:
                continue
            kind = "inner"
            if rendering.joins:
                kind = (
                    "paragraph" if piece.boundary_after in ("paragraph", "chapter") else "sentence"
                )
            cut = (piece.clip[1], following.clip[0])
            found.append(Boundary(piece.words[-1][3], following.words[0][2], kind, cut))
    return found


def frame_db(pcm: np.ndarray, rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    return audio.frame_levels_db(pcm, rate, frame_s)


def frame_size(rate: int) -> int:
    return int(rate * FRAME_S)


def frames(rate: int, levels: np.ndarray, start_s: float, end_s: float) -> range:
    """Indices of the 10 ms frames that overlap [start_s, end_s]."""
    size = frame_size(rate)
    first = max(0, int(start_s * rate) // size)
    last = min(len(levels), int(end_s * rate) // size + 1)
    return range(first, last)


def pause_s(rate: int, levels: np.ndarray, boundary: Boundary) -> float:
    """Longest run of silent frames between the two words (with a small guard either side)."""
    span = frames(rate, levels, boundary.end_s - PAUSE_GUARD_S, boundary.start_s + PAUSE_GUARD_S)
    best = run = 0
    for silent in levels[span.start : span.stop] < SILENT_DBFS:
        run = run + 1 if silent else 0
        best = max(best, run)
    return best * frame_size(rate) / rate


def speech_level(pcm: np.ndarray, rate: int) -> float:
    levels = audio.frame_levels_db(pcm, rate, LEVEL_FRAME_S)
    active = levels[levels > SILENT_DBFS]
    if active.size == 0:
        return -120.0
    return float(10.0 * np.log10(np.mean(10.0 ** (active / 10.0))))


def level_step_db(rendering: Rendering, boundary: Boundary) -> float:
    rate = rendering.rate
    middle = int((boundary.end_s + boundary.start_s) / 2 * rate)
    window = int(LEVEL_WINDOW_S * rate)
    before = rendering.pcm[max(0, middle - window) : middle]
    after = rendering.pcm[middle : middle + window]
    return abs(speech_level(before, rate) - speech_level(after, rate))


def has_click(rendering: Rendering, levels: np.ndarray, boundary: Boundary) -> bool:
    rate = rendering.rate
    size = frame_size(rate)
    for frame in frames(
        rate, levels, boundary.cut[0] - CLICK_GUARD_S, boundary.cut[1] + CLICK_GUARD_S
    ):
        if levels[frame] >= QUIET_DBFS:
            continue
        samples = rendering.pcm[frame * size : (frame + 1) * size + 1].astype(np.float64)
        if samples.size > 1 and float(np.max(np.abs(np.diff(samples)))) > CLICK_STEP:
            return True
    return False


def rate_cv(rendering: Rendering) -> float:
    rates = [
        len(p.text) / (p.words[-1][3] - p.words[0][2])
        for p in rendering.pieces
        if p.words and p.words[-1][3] > p.words[0][2]
    ]
    return float(np.std(rates) / np.mean(rates))


def p90(values: list[float]) -> float:
    return float(np.percentile(values, 90)) if values else float("nan")


def measure(
    rendering: Rendering, paragraphs: list[str], transcribe: Transcriber | None
) -> dict[str, Any]:
    levels = frame_db(rendering.pcm, rendering.rate)
    found = boundaries(rendering)
    inner = [b for b in found if b.kind == "inner"]
    joins = [b for b in found if b.kind == "sentence"]
    para = [b for b in found if b.kind == "paragraph"]
    everywhere = joins + para
    result: dict[str, Any] = {
        "inner_pause": [pause_s(rendering.rate, levels, b) for b in inner],
        "join_pause": [pause_s(rendering.rate, levels, b) for b in joins],
        "para_pause": [pause_s(rendering.rate, levels, b) for b in para],
        "inner_step": [level_step_db(rendering, b) for b in inner],
        "join_step": [level_step_db(rendering, b) for b in everywhere],
        "rate_cv": rate_cv(rendering),
        "clicks": sum(has_click(rendering, levels, b) for b in everywhere),
        "joins": len(everywhere),
        "synth_s": rendering.synth_s,
        "audio_s": len(rendering.pcm) / rendering.rate,
    }
    if transcribe is not None:
        reference = words_of(" ".join(paragraphs))
        started = time.perf_counter()
        hypothesis = words_of(transcribe(rendering))
        result["asr_s"] = time.perf_counter() - started
        result["wer"] = wer(reference, hypothesis)
        sentences = [words_of(s) for p in paragraphs for s in split_sentences(p)]
        result["sentences"] = (len(sentences), *sentence_matches(sentences, hypothesis))
    return result
