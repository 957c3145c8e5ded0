"""What the seams benchmark measures in a rendering, at the joins between chunks and at the
sentence and clause boundaries inside them: pauses, loudness steps, clicks, the speaking rate's
spread, and (given a transcriber) the ASR round trip.

A join is compared with the boundaries of its own kind inside chunks: a sentence join (a chunk
ended at a sentence end) with the pauses between sentences, a clause join (a sentence longer
than a chunk cut at a comma, semicolon or dash) with the pauses at that punctuation.

The thresholds are the bench's own, fixed, so tuning the pipeline cannot move them.
"""

from __future__ import annotations

import re
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
CLAUSE_MARK = re.compile(r"[,;:—–)]")
SENTENCE_MARK = re.compile(r"[.!?…]")


@dataclass(frozen=True)
class Boundary:
    end_s: float  # last word of the sentence before ends
    start_s: float  # first word of the sentence after starts
    kind: str
    """"inner" (sentences inside a chunk), "inner_clause" (clause punctuation inside a chunk),
    "sentence" and "clause" (joins inside a paragraph, by what ended the chunk), "paragraph"."""
    cut: tuple[float, float] = (0.0, 0.0)  # end of one chunk's audio, start of the next's


KINDS = ("inner", "inner_clause", "sentence", "clause", "paragraph")


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
        for before_word, after_word in zip(piece.words, piece.words[1:], strict=False):
            between = piece.text[before_word[1] : after_word[0]]
            if CLAUSE_MARK.search(between) and not SENTENCE_MARK.search(between):
                found.append(Boundary(before_word[3], after_word[2], "inner_clause"))
        if number + 1 < len(rendering.pieces) and piece.words:
            following = rendering.pieces[number + 1]
            if not following.words:
                continue
            clause = piece.boundary_after == "clause"
            kind = "inner_clause" if clause else "inner"
            if rendering.joins:
                kind = "clause" if clause else "sentence"
                if piece.boundary_after in ("paragraph", "chapter"):
                    kind = "paragraph"
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


@dataclass(frozen=True)
class Click:
    """A click at one join (`audio.clicks`): a sample step that stands out of its
    surroundings; the largest."""

    at_s: float  # where, in the rendering
    step: float  # the sample-to-sample step
    from_cut_ms: float  # from the end of the chunk before (negative: inside that chunk)
    from_next_ms: float  # from the start of the next chunk's audio


def find_click(rendering: Rendering, boundary: Boundary) -> Click | None:
    """The largest click from `CLICK_GUARD_S` before the end of one chunk's audio to as long
    after the start of the next."""
    rate, pcm = rendering.rate, rendering.pcm
    first = max(0, round((boundary.cut[0] - CLICK_GUARD_S) * rate))
    found = audio.clicks(pcm, rate, first, round((boundary.cut[1] + CLICK_GUARD_S) * rate))
    if not found.size:
        return None
    steps = np.abs(pcm[found + 1].astype(np.float64) - pcm[found])
    at_s = int(found[int(np.argmax(steps))]) / rate
    return Click(
        round(at_s, 4),
        round(float(steps.max()), 4),
        round((at_s - boundary.cut[0]) * 1000, 1),
        round((at_s - boundary.cut[1]) * 1000, 1),
    )


def has_quiet_step(rendering: Rendering, levels: np.ndarray, boundary: Boundary) -> bool:
    """The measure clicks were counted with before `audio.clicks`: a sample step over
    `CLICK_STEP` in a quiet frame (< `QUIET_DBFS`) near the join. It also counts a fricative's
    hiss, whose steps reach 0.03 at -44 dBFS (docs/SEAMS.md, "Clicks")."""
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
    kinds = {kind: [b for b in found if b.kind == kind] for kind in KINDS}
    everywhere = kinds["sentence"] + kinds["clause"] + kinds["paragraph"]
    result: dict[str, Any] = {
        f"{kind}_pause": [pause_s(rendering.rate, levels, b) for b in boundaries_of_kind]
        for kind, boundaries_of_kind in kinds.items()
    }
    result |= {
        f"{kind}_step": [level_step_db(rendering, b) for b in boundaries_of_kind]
        for kind, boundaries_of_kind in kinds.items()
    }
    result |= {
        "join_step": [level_step_db(rendering, b) for b in everywhere],
        "rate_cv": rate_cv(rendering),
        "clicks": [click for b in everywhere if (click := find_click(rendering, b))],
        "quiet_steps": sum(has_quiet_step(rendering, levels, b) for b in everywhere),
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
