"""The torch engine on a GPU (or the CPU): parity with onnxruntime, x real time by batch size,
peak GPU memory and first-chunk latency, for both voice families, in one run of a few minutes.

    .venv/bin/python bench/gpu.py                          # CUDA if there is one, else the CPU
    .venv/bin/python bench/gpu.py --device cuda:0 --precisions fp32,fp16,bf16
    .venv/bin/python bench/gpu.py --device cpu --batches 1,4 --rounds 3   # torch and onnx
    .venv/bin/python bench/gpu.py --families kokoro        # one family (piper, kokoro)

On an H100-class GPU the default run (both families, three precisions, B up to 64, three
rounds) is sized to finish within 8 minutes.

Chunks are the project's own: the bench text (bench/data/essay.txt) cut by the chunker, made
speakable as the pipeline does, with a different seed each. For each precision it prints:

- parity: the same chunks from the onnx engine (onnxruntime on the CPU, the reference) and
  from the torch engine (for Piper with the same noise): chunks whose durations are identical
  (same length, every word at the same sample), the largest sample difference and the lowest
  SNR; for Kokoro, whose int8 graph our float32 model cannot match sample for sample, also the
  mean log-spectral distance over every chunk;
- batch invariance: the same chunks one by one and as one batch, bytes equal or the largest
  difference (what a redelivered chunk would differ by);
- per batch size B: x real time (audio seconds per wall second, median of `--rounds` batches
  of B chunks, after one warm-up batch), the wall time of one batch (the latency a chunk sees
  under full load) and the peak GPU memory;
- first-chunk latency: one chunk alone on the warm, idle engine (median of three).

On the CPU the same rows follow for the onnx engine, which runs its batches as a loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checkout  # noqa: F401  (this checkout's narration)
from essay import bench_text
from report import load_note, markdown_table

from narration.engines.kokoro.engine import KokoroEngine
from narration.engines.kokoro_torch.engine import TorchKokoroEngine
from narration.engines.piper import PiperEngine
from narration.engines.torch_vits import TorchVitsEngine
from narration.engines.voices import default_voice, find_voice
from narration.pipeline.chunker import chunk_document
from narration.pipeline.document import Chapter, Document
from narration.pipeline.engine import Engine, Synthesis, SynthesisParams, SynthesisRequest

SEED: Final = 4242
KOKORO_VOICE: Final = "af_heart"


@dataclass(frozen=True)
class Row:
    engine: str
    batch: int
    times_real_time: float
    batch_wall_s: float
    peak_memory: str


def chunk_requests(count: int) -> list[SynthesisRequest]:
    """`count` chunks of the bench text (repeated with new seeds if it runs out)."""
    paragraphs = tuple(p for p in bench_text().split("\n\n") if p.strip())
    document = Document("Bench", (Chapter("Bench", paragraphs, title_spoken=False),))
    texts = [chunk.text for chunk in chunk_document(document)]
    return [
        SynthesisRequest(texts[n % len(texts)], SynthesisParams(seed=SEED + n))
        for n in range(count)
    ]


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(
    engine: Engine, requests: Sequence[SynthesisRequest], device: torch.device
) -> tuple[float, float]:
    """(audio seconds, wall seconds) of one `synthesize_many` call."""
    synchronize(device)
    started = time.perf_counter()
    made = engine.synthesize_many(requests)
    synchronize(device)
    return sum(s.duration_s for s in made), time.perf_counter() - started


def snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    noise = float(((reference - other).astype(np.float64) ** 2).sum())
    return 10 * np.log10(float((reference.astype(np.float64) ** 2).sum()) / max(noise, 1e-30))


def same_durations(a: Synthesis, b: Synthesis) -> bool:
    words = [(w.start_s, w.end_s) for w in a.words] == [(w.start_s, w.end_s) for w in b.words]
    return len(a.pcm) == len(b.pcm) and words


def parity(references: Sequence[Synthesis], made: Sequence[Synthesis]) -> str:
    same = [same_durations(r, m) for r, m in zip(references, made, strict=True)]
    pairs = [(r.pcm, m.pcm) for r, m, s in zip(references, made, same, strict=True) if s]
    worst = max((float(np.abs(r - m).max()) for r, m in pairs if len(r)), default=float("nan"))
    snr = min((snr_db(r, m) for r, m in pairs if len(r)), default=float("nan"))
    return (
        f"durations identical in {sum(same)}/{len(same)} chunks; "
        f"max |difference| {worst:.1e}; lowest SNR {snr:.1f} dB"
    )


def log_spectral_distance(reference: np.ndarray, other: np.ndarray) -> float:
    """Mean over frames of the RMS difference of the two dB spectra (another voice: ~24 dB)."""
    window = torch.hann_window(1024)
    size = min(len(reference), len(other))

    def spectrum(pcm: np.ndarray) -> torch.Tensor:
        stft = torch.stft(
            torch.from_numpy(pcm[:size]), 1024, 256, window=window, return_complex=True
        )
        return 20 * torch.log10(stft.abs() + 1e-4)

    difference = spectrum(reference) - spectrum(other)
    return float((difference**2).mean(0).sqrt().mean())


def spectral_parity(references: Sequence[Synthesis], made: Sequence[Synthesis]) -> str:
    distances = [log_spectral_distance(r.pcm, m.pcm) for r, m in zip(references, made, strict=True)]
    lengths = [abs(len(r.pcm) - len(m.pcm)) / 600 for r, m in zip(references, made, strict=True)]
    return (
        f"mean log-spectral distance {statistics.mean(distances):.1f} dB; "
        f"length off by {statistics.mean(lengths):.1f} frames on average"
    )


def invariance(engine: Engine, requests: Sequence[SynthesisRequest]) -> str:
    alone = [engine.synthesize(r.text, r.params) for r in requests]
    together = engine.synthesize_many(requests)
    if all(a.pcm.tobytes() == b.pcm.tobytes() for a, b in zip(alone, together, strict=True)):
        return f"{len(requests)} chunks alone and as one batch: byte-identical"
    worst = max(
        float(np.abs(a.pcm - b.pcm).max()) if len(a.pcm) == len(b.pcm) else float("inf")
        for a, b in zip(alone, together, strict=True)
    )
    return f"{len(requests)} chunks alone and as one batch: differ, max |difference| {worst:.1e}"


def throughput(
    name: str, engine: Engine, batches: Sequence[int], rounds: int, device: torch.device
) -> list[Row]:
    rows = []
    for size in batches:
        requests = chunk_requests(size * (rounds + 1))
        if isinstance(engine, (TorchVitsEngine, TorchKokoroEngine)):
            engine.max_batch = size
        timed(engine, requests[:size], device)  # warm-up
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        speeds, walls = [], []
        for round_ in range(1, rounds + 1):
            batch = requests[round_ * size : (round_ + 1) * size]
            audio_s, wall_s = timed(engine, batch, device)
            speeds.append(audio_s / wall_s)
            walls.append(wall_s)
        peak = (
            f"{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB"
            if device.type == "cuda" and " torch" in name
            else "—"
        )
        rows.append(Row(name, size, statistics.median(speeds), statistics.median(walls), peak))
        print(f"  {name} B={size}: {rows[-1].times_real_time:.1f}x real time", file=sys.stderr)
    return rows


def first_chunk_latency(engine: Engine, device: torch.device) -> float:
    request = chunk_requests(3)[2]
    return statistics.median(timed(engine, [request], device)[1] for _ in range(3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--precisions", help="decoder precisions (default: cuda all three)")
    parser.add_argument("--batches", help="batch sizes (default: cuda 1,8,32,64; cpu 1,8)")
    parser.add_argument("--rounds", type=int, default=3, help="timed batches per batch size")
    parser.add_argument("--parity-chunks", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per engine")
    parser.add_argument("--families", default="piper,kokoro", help="voice families to bench")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    on_gpu = device.type == "cuda"
    precisions = (args.precisions or ("fp32,fp16,bf16" if on_gpu else "fp32")).split(",")
    batches = [int(b) for b in (args.batches or ("1,8,32,64" if on_gpu else "1,8")).split(",")]
    print(f"# bench/gpu.py on {args.device}", flush=True)
    print(f"machine: {load_note()}")
    if on_gpu:
        print(
            f"GPU: {torch.cuda.get_device_name(device)}, torch {torch.__version__}, "
            f"CUDA {torch.version.cuda}"
        )
    else:
        print(f"torch {torch.__version__} on the CPU, {args.threads} thread(s) per engine")
    rows: list[Row] = []
    latencies: dict[str, float] = {}
    checked = chunk_requests(args.parity_chunks)
    for family in args.families.split(","):
        if family == "kokoro":
            voice = find_voice(KOKORO_VOICE)
            reference: Engine = KokoroEngine.load(voice, threads=args.threads)
            torch_engine: type[TorchVitsEngine] | type[TorchKokoroEngine] = TorchKokoroEngine
        else:
            voice = default_voice()
            reference = PiperEngine.load(voice, threads=args.threads)
            torch_engine = TorchVitsEngine
        references = [reference.synthesize(r.text, r.params) for r in checked]
        for precision in precisions:
            engine = torch_engine.load(
                voice, device=args.device, precision=precision, threads=args.threads
            )
            made = engine.synthesize_many(checked)
            print(f"\n## {family} on torch, {precision}\n")
            print(f"- parity with onnxruntime: {parity(references, made)}")
            if family == "kokoro":
                print(f"- spectra: {spectral_parity(references, made)}")
            print(f"- batch invariance: {invariance(engine, checked)}")
            name = f"{family} torch {precision}"
            rows += throughput(name, engine, batches, args.rounds, device)
            latencies[name] = first_chunk_latency(engine, device)
            del engine
            if on_gpu:
                torch.cuda.empty_cache()
        if not on_gpu:
            rows += throughput(f"{family} onnx", reference, batches, args.rounds, device)
            latencies[f"{family} onnx"] = first_chunk_latency(reference, device)
    print("\n## Throughput\n")
    print(
        markdown_table(
            ["engine", "B", "x real time", "one batch, s", "peak GPU memory"],
            [
                [
                    r.engine,
                    str(r.batch),
                    f"{r.times_real_time:.1f}",
                    f"{r.batch_wall_s:.2f}",
                    r.peak_memory,
                ]
                for r in rows
            ],
        )
    )
    print("\n## First-chunk latency (one chunk alone, warm engine)\n")
    print(markdown_table(["engine", "seconds"], [[k, f"{v:.2f}"] for k, v in latencies.items()]))
    print(f"\nmachine after the run: {load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
