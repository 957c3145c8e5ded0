"""Torch Kokoro against the onnxruntime graph on held-out text: words, naturalness, loudness.

The paragraphs, their cutting into job-sized pieces and the judges (faster-whisper → WER,
DistillMOS → naturalness) are bench/voices.py's; each engine renders them alone. Modes: `onnx`
(the int8 graph), `fp32` (our model on the dequantised weights), `fp32-int8` (the same emulating
the graph's 8-bit activations). Loudness: the level of the loud frames (the top 10 % of 50 ms
frames by RMS) against the graph's render of the same paragraph.

Usage: python bench/kokoro_naturalness.py [--voice af_heart] [--paragraphs 4] [--modes ...]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import checkout  # noqa: F401  (this checkout's narration)
import numpy as np
from asr_round_trip import wer, words_of
from voices import Judges, held_out_paragraphs, speak

from narration.engines.kokoro_torch.engine import TorchKokoroEngine
from narration.engines.voices import find_voice
from narration.pipeline import audio
from narration.pipeline.engine import Engine

FRAME_S = 0.05


def loud_level_db(pcm: np.ndarray, rate: int) -> float:
    """Mean dB of the loudest tenth of the 50 ms frames."""
    size = int(FRAME_S * rate)
    frames = pcm[: len(pcm) // size * size].astype(np.float64).reshape(-1, size)
    levels = 10 * np.log10((frames**2).mean(1) + 1e-12)
    return float(np.sort(levels)[-max(1, len(levels) // 10) :].mean())


def load(mode: str, voice: str) -> Engine:
    info = find_voice(voice)
    if mode == "onnx":
        from voices import load_engine

        return load_engine(voice, threads=1)
    return TorchKokoroEngine.load(info, "cpu", "fp32", threads=1, int8=mode == "fp32-int8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--paragraphs", type=int, default=4)
    parser.add_argument("--modes", default="onnx,fp32,fp32-int8")
    args = parser.parse_args(argv)
    paragraphs = held_out_paragraphs(args.paragraphs)
    judges = Judges()
    loud_reference: list[float] = []
    with tempfile.TemporaryDirectory() as workdir:
        for mode in args.modes.split(","):
            engine = load(mode, args.voice)
            errors, scores, loud = [], [], []
            for index, text in enumerate(paragraphs):
                synthesis = speak(engine, text)
                path = Path(workdir) / f"{mode}-{index}.wav"
                path.write_bytes(audio.to_wav_bytes(synthesis.pcm, synthesis.sample_rate))
                errors.append(wer(words_of(text), words_of(judges.transcript(path))))
                scores.append(judges.mos(synthesis.pcm, synthesis.sample_rate))
                loud.append(loud_level_db(synthesis.pcm, synthesis.sample_rate))
                print(
                    f"  {mode} paragraph {index}: WER {errors[-1]:.3f}, MOS {scores[-1]:.3f}, "
                    f"loud frames {loud[-1]:.2f} dB",
                    flush=True,
                )
            if mode == "onnx":
                loud_reference = loud
            offsets = (
                f", loud frames {np.mean(np.subtract(loud, loud_reference)):+.2f} dB vs onnx"
                if loud_reference
                else ""
            )
            print(
                f"{mode}: WER {np.mean(errors):.3f}, DistillMOS {np.mean(scores):.3f} "
                f"({' / '.join(f'{s:.3f}' for s in scores)}){offsets}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
