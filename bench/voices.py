"""Voices side by side: how well each is understood, how natural it sounds, how fast it speaks.

For each voice, held-out paragraphs (text on every Debian system that nobody here tuned a voice
to: Bash's INTRO and the GPL-3 preamble) are synthesised by the engine alone, then

- transcribed by faster-whisper (the model the tests use) → word error rate against the text;
- scored by DistillMOS (its weights ship in its wheel) → a naturalness estimate, 1 to 5;
Each paragraph is cut as a job cuts it (sentences packed into pieces of at most 300
characters) and the pieces joined with a sentence pause, so a voice is heard on the inputs the
pipeline gives it.

- timed with 1 and 2 onnxruntime threads → real-time factor (synthesis seconds per audio second;
  voice load not timed).

Usage: python bench/voices.py [--voices af_heart,...] [--paragraphs 6] [--write FILE.md]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import checkout  # noqa: F401  (this checkout's narration)
import numpy as np
from asr_round_trip import wer, words_of
from report import markdown_table, median, print_section
from scipy.signal import resample_poly

from narration.engines import registry
from narration.engines.voices import find_voice
from narration.pipeline import audio
from narration.pipeline.chunker import MAX_CHUNK_CHARS, split_sentences
from narration.pipeline.engine import Engine, Synthesis, SynthesisParams

DEFAULT_VOICES: Final = ("en_US-joe-medium", "af_heart", "am_michael", "bf_emma", "bm_george")
BASH_INTRO: Final = Path("/usr/share/doc/bash/INTRO.gz")
GPL3: Final = Path("/usr/share/common-licenses/GPL-3")
MOS_RATE: Final = 16_000
TIMED_PARAGRAPHS: Final = 2
PAUSE_S: Final = 0.3


def held_out_paragraphs(count: int) -> list[str]:
    """Prose paragraphs of 200–700 characters, alternating between the two sources."""
    intro = gzip.decompress(BASH_INTRO.read_bytes()).decode("utf-8")
    preamble = GPL3.read_text(encoding="utf-8").split("TERMS AND CONDITIONS")[0]

    def paragraphs(text: str) -> list[str]:
        blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
        return [b for b in blocks if 200 <= len(b) <= 700 and b.endswith(".")]

    pools = [paragraphs(intro), paragraphs(preamble)]
    mixed = [p for pair in zip(*pools, strict=False) for p in pair]
    return mixed[:count]


def load_engine(name: str, threads: int) -> Engine:
    voice = find_voice(name)
    return registry.load("onnx", voice, registry.EngineOptions(threads=threads))


def pieces(paragraph: str) -> list[str]:
    """Sentences packed greedily into pieces of at most `MAX_CHUNK_CHARS`."""
    packed: list[str] = []
    for sentence in split_sentences(paragraph):
        if packed and len(packed[-1]) + 1 + len(sentence) <= MAX_CHUNK_CHARS:
            packed[-1] += " " + sentence
        else:
            packed.append(sentence)
    return packed


def speak(engine: Engine, paragraph: str) -> Synthesis:
    """The paragraph's pieces, synthesised one by one and joined with a sentence pause."""
    parts = [
        engine.synthesize(engine.prepare_text(p), SynthesisParams()) for p in pieces(paragraph)
    ]
    rate = parts[0].sample_rate
    pause = np.zeros(int(PAUSE_S * rate), dtype=np.float32)
    joined = [chunk for part in parts for chunk in (part.pcm.astype(np.float32), pause)]
    return Synthesis(np.concatenate(joined[:-1]), rate)


@dataclass
class VoiceResult:
    voice: str
    wer: float
    mos: float
    rtf_1: float
    rtf_2: float


class Judges:
    """The recogniser and the naturalness model, loaded once."""

    def __init__(self) -> None:
        from narration.production.proofing.recogniser import whisper_model

        try:
            import torchaudio  # noqa: F401
        except OSError:
            # distillmos imports torchaudio only to read files; a build that does not match the
            # installed torch fails to load, and we hand it arrays, not files.
            sys.modules["torchaudio"] = types.ModuleType("torchaudio")
        import distillmos

        self.whisper = whisper_model(cpu_threads=0)
        self.mos_model = distillmos.ConvTransformerSQAModel()
        self.mos_model.eval()

    def transcript(self, path: Path) -> str:
        segments, _ = self.whisper.transcribe(
            str(path), language="en", beam_size=5, temperature=0.0
        )
        return " ".join(segment.text for segment in segments)

    def mos(self, pcm: np.ndarray, sample_rate: int) -> float:
        import torch

        resampled = resample_poly(pcm.astype(np.float64), MOS_RATE, sample_rate).astype(np.float32)
        with torch.no_grad():
            return float(self.mos_model(torch.from_numpy(resampled)[None, :]).item())


def real_time_factor(engine: Engine, paragraphs: list[str]) -> float:
    factors = []
    for text in paragraphs:
        started = time.perf_counter()
        synthesis = speak(engine, text)
        factors.append((time.perf_counter() - started) / synthesis.duration_s)
    return median(factors)


def measure_voice(name: str, paragraphs: list[str], judges: Judges, workdir: Path) -> VoiceResult:
    timed = paragraphs[:TIMED_PARAGRAPHS]
    rtf_1 = real_time_factor(load_engine(name, threads=1), timed)
    engine = load_engine(name, threads=2)
    rtf_2 = real_time_factor(engine, timed)
    errors, scores = [], []
    for index, text in enumerate(paragraphs):
        synthesis = speak(engine, text)
        path = workdir / f"{name}-{index}.wav"
        path.write_bytes(audio.to_wav_bytes(synthesis.pcm, synthesis.sample_rate))
        errors.append(wer(words_of(text), words_of(judges.transcript(path))))
        scores.append(judges.mos(synthesis.pcm, synthesis.sample_rate))
        print(f"  {name} paragraph {index}: WER {errors[-1]:.3f}, MOS {scores[-1]:.2f}", flush=True)
    return VoiceResult(name, float(np.mean(errors)), float(np.mean(scores)), rtf_1, rtf_2)


def table(results: list[VoiceResult], paragraphs: list[str]) -> str:
    rows = [
        [r.voice, f"{r.wer:.3f}", f"{r.mos:.2f}", f"{r.rtf_1:.3f}", f"{r.rtf_2:.3f}"]
        for r in results
    ]
    words = sum(len(words_of(p)) for p in paragraphs)
    header = ["voice", "WER (mean)", "DistillMOS (mean)", "RTF 1 thread", "RTF 2 threads"]
    return (
        f"{len(paragraphs)} held-out paragraphs ({words} words; Bash INTRO and the GPL-3 "
        f"preamble), synthesised by the engine alone; RTF is the median over the first "
        f"{TIMED_PARAGRAPHS}.\n\n" + markdown_table(header, rows)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default=",".join(DEFAULT_VOICES))
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--write", type=Path, help="also write the table into this markdown file")
    args = parser.parse_args(argv)
    paragraphs = held_out_paragraphs(args.paragraphs)
    judges = Judges()
    with tempfile.TemporaryDirectory() as workdir:
        results = [
            measure_voice(name, paragraphs, judges, Path(workdir))
            for name in args.voices.split(",")
        ]
    print_section(table(results, paragraphs), args.write, "Voices side by side")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
