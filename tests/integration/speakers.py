"""Telling a job's speakers apart by ear: each turn's audio from its sentence marks, and the
median pitch (F0) of a stretch of speech."""

from __future__ import annotations

from typing import Any

import numpy as np


def sentence_marks(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [mark for mark in marks if mark["type"] == "sentence"]


def speaker_turns(
    marks: list[dict[str, Any]], pcm: np.ndarray, rate: int
) -> list[tuple[str, np.ndarray]]:
    """Each turn's speaker and audio (from its first sentence's start to its last's end)."""
    sentences = sentence_marks(marks)
    turns: list[tuple[str, int, int]] = []
    for number, mark in enumerate(sentences):
        following = sentences[number + 1]["time"] if number + 1 < len(sentences) else None
        end = following if following is not None else len(pcm) * 1000 // rate
        if turns and turns[-1][0] == mark["speaker"]:
            turns[-1] = (mark["speaker"], turns[-1][1], end)
        else:
            turns.append((mark["speaker"], mark["time"], end))
    return [(who, pcm[start * rate // 1000 : end * rate // 1000]) for who, start, end in turns]


def median_f0(pcm: np.ndarray, rate: int) -> float:
    import librosa

    f0, voiced, _ = librosa.pyin(pcm, fmin=60, fmax=400, sr=rate, frame_length=1024)
    return float(np.nanmedian(f0[voiced]))


def speaker_f0(marks: list[dict[str, Any]], pcm: np.ndarray, rate: int) -> dict[str, float]:
    """The median F0 of all of each speaker's turns together."""
    by_speaker: dict[str, list[np.ndarray]] = {}
    for who, turn in speaker_turns(marks, pcm, rate):
        by_speaker.setdefault(who, []).append(turn)
    return {who: median_f0(np.concatenate(turns), rate) for who, turns in by_speaker.items()}
