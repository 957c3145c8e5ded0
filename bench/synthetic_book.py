"""The stitch benchmark's synthetic book: speech-like PCM cut into chunks with the metadata
rendered chunks carry, and the plan a job of that length would have.

Everything is a function of the chunk's seq (deterministic), so a 10-hour book need not be
held in memory: `BookChunks` makes each chunk when the stitcher reads it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import numpy as np
from directory_store import NO_RECORDS, DirectoryStore

from narration.adapters.chunk_store import ChunkStore, JobKeys
from narration.pipeline import audio
from narration.pipeline.chunk_meta import ChunkMeta, WordJson
from narration.pipeline.dynamics import tame_peaks
from narration.pipeline.limiter import Limiter
from narration.pipeline.loudness import STEP_S, LoudnessMeter
from narration.pipeline.mastering import planned
from narration.pipeline.plan import JobOptions, Plan, PlannedChunk
from narration.pipeline.prosody import SessionState

SR = 22050
CHUNK_S = 15.0  # a 300-character chunk is about 12-20 s of speech
POOL_S = 97.0  # distinct audio, cycled; prime-ish length so chunks do not repeat in step
CHUNKS_PER_CHAPTER = 40
TARGET_LUFS = -16.0
SENTENCES: Final = (
    "The tide came in slowly over the flat grey sand.",
    "Gulls waited on the harbour wall for the boats to return, calling to one another.",
    "A small boat crossed the bay with its sails half set against the evening wind.",
    "Later the wind dropped, and the harbour lights came on one by one along the quay.",
    "Nobody on the pier could say how long the fog would stay.",
    "It was the best of times, and the fishermen knew it as well as anyone.",
)
"""A chunk's text is four of these (about 300 characters, as the chunker makes them)."""
STEP_SAMPLES: Final = round(SR * STEP_S)


def speech_pool(seconds: float, seed: int = 7) -> np.ndarray:
    """Speech-like float32 PCM, built in 5 s pieces to keep the benchmark's own memory small."""
    rng = np.random.default_rng(seed)
    out = np.empty(int(seconds * SR), dtype=np.float32)
    phase0 = 0.0
    step = 5 * SR
    for i in range(0, len(out), step):
        t = (i + np.arange(min(step, len(out) - i))) / SR
        f0 = 110 + 35 * np.sin(2 * np.pi * 0.23 * t) + 10 * np.sin(2 * np.pi * 1.7 * t)
        phase = phase0 + 2 * np.pi * np.cumsum(f0) / SR
        phase0 = float(phase[-1])
        voiced = np.zeros(len(t))
        for k in range(1, 16):
            voiced += np.sin(k * phase) * (0.8**k)
        env = np.sin(2 * np.pi * 3.3 * t + 2 * np.sin(2 * np.pi * 0.7 * t))
        syllables = np.clip(env, 0, None)
        pauses = np.sin(2 * np.pi * 0.17 * t) > -0.7
        fric = rng.standard_normal(len(t)) * (np.sin(2 * np.pi * 1.1 * t) > 0.8)
        noise = 0.002 * rng.standard_normal(len(t))
        out[i : i + len(t)] = (0.25 * voiced * syllables + 0.04 * fric) * pauses + noise
    return out


MP3_CODEC_LOSS_LU: Final = 0.43
"""How much quieter a 64 kbit/s MP3 of limited speech decodes than its PCM (docs/OUTPUT.md)."""


def _level_for_planned_mastering(pcm: np.ndarray) -> float:
    """The gain (dB) that makes `pcm` land on the target through the planned MP3 mastering,
    as rendered Piper chunks do: without it the synthetic signal, whose fricatives are white
    noise, would need corrections real speech does not, and the bench would time those."""
    master = planned(TARGET_LUFS, "mp3")
    low, high = -12.0, 12.0
    for _ in range(8):
        level = (low + high) / 2
        limiter = Limiter(SR, master.ceiling_dbtp, gain_db=master.gain_db + level)
        meter = LoudnessMeter(SR)
        meter.add(limiter.process(pcm))
        meter.add(limiter.flush())
        if meter.integrated_lufs() - MP3_CODEC_LOSS_LU < TARGET_LUFS:
            low = level
        else:
            high = level
    return (low + high) / 2


class Book:
    """The synthetic book: chunk count, each chunk's PCM, meta and WAV, all from its seq."""

    def __init__(self, hours: float, pool: np.ndarray) -> None:
        tamed = tame_peaks(pool, SR)  # as `render_chunk` tames every chunk
        self.pool = tamed * np.float32(audio.db_to_gain(_level_for_planned_mastering(tamed)))
        self.count = max(1, round(hours * 3600 / CHUNK_S))
        self.keys = JobKeys("bench", "job")

    def _params(self, seq: int) -> tuple[int, int, float, float]:
        rng = np.random.default_rng(1000 + seq)
        samples = int(CHUNK_S * SR) + int(rng.integers(-SR, SR))
        offset = int(rng.integers(0, len(self.pool)))
        gain = float(10 ** (rng.uniform(-1, 1) / 20))  # chunk-to-chunk level wander
        last_in_chapter = seq % CHUNKS_PER_CHAPTER == CHUNKS_PER_CHAPTER - 1
        pause = 2.0 if last_in_chapter else (0.8 if seq % 4 == 3 else 0.35)
        return samples, offset, gain, pause

    def boundary(self, seq: int) -> str:
        if seq % CHUNKS_PER_CHAPTER == CHUNKS_PER_CHAPTER - 1:
            return "chapter"
        return "paragraph" if seq % 4 == 3 else "sentence"

    def pcm(self, seq: int) -> np.ndarray:
        samples, offset, gain, _ = self._params(seq)
        idx = (offset + np.arange(samples)) % len(self.pool)
        return np.clip(self.pool[idx] * gain, -1.0, 1.0).astype(np.float32)

    def wav(self, seq: int) -> bytes:
        return audio.to_wav_bytes(self.pcm(seq), SR)

    def text(self, seq: int) -> str:
        return " ".join(SENTENCES[(seq + k) % len(SENTENCES)] for k in range(4))

    def meta(self, seq: int) -> ChunkMeta:
        """What a rendered chunk's metadata holds (`pipeline.render`): word timings, 100 ms
        loudness steps, prosody states; the figures are made up, their number is real."""
        samples, _, _, pause = self._params(seq)
        rng = np.random.default_rng(5000 + seq)
        text = self.text(seq)
        speech_s = samples / SR
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        word_s = (speech_s - 0.12) / len(spans)
        words: list[WordJson] = [
            {
                "text": text[start:end],
                "start": start,
                "end": end,
                "start_s": round(0.06 + n * word_s, 4),
                "end_s": round(0.06 + (n + 0.9) * word_s, 4),
            }
            for n, (start, end) in enumerate(spans)
        ]
        steps = 10.0 ** rng.uniform(-4, -2, samples // STEP_SAMPLES + 1)
        state = SessionState(voice="bench", user_seed=seq).to_dict()
        return {
            "seq": seq,
            "segment": seq // CHUNKS_PER_CHAPTER,
            "index": seq % CHUNKS_PER_CHAPTER,
            "chapter": seq // CHUNKS_PER_CHAPTER,
            "text": text,
            "spoken_text": text,
            "boundary_after": self.boundary(seq),
            "sample_rate": SR,
            "samples": samples,
            "duration_s": speech_s,
            "speech_start_s": 0.06,
            "speech_end_s": speech_s - 0.06,
            "pause_after_s": pause,
            "pause_designed_s": pause,
            "lead_pad_s": 0.0,
            "gain_db": 0.0,
            "level_db": -20.0,
            "loudness": {
                "steps": [float(f"{value:.6g}") for value in steps],
                "true_peak_dbtp": round(float(rng.uniform(-3, -1)), 3),
            },
            "key": f"bench{seq:08d}",
            "engine": {"name": "bench", "device": "cpu", "precision": "fp32", "determinism": "bit"},
            "seed": seq,
            "length_scale": 1.0,
            "words": words,
            "words_from_spoken_text": False,
            "state_in": state,
            "state_out": state,
        }

    def plan(self) -> Plan:
        chapters = -(-self.count // CHUNKS_PER_CHAPTER)
        segments = tuple(
            tuple(
                PlannedChunk(
                    seq, c, seq % CHUNKS_PER_CHAPTER, c, self.text(seq), self.boundary(seq)
                )
                for seq in range(
                    c * CHUNKS_PER_CHAPTER, min(self.count, (c + 1) * CHUNKS_PER_CHAPTER)
                )
            )
            for c in range(chapters)
        )
        return Plan(
            job_id="job",
            title="Bench",
            author="narration",
            language="en",
            options=JobOptions(voice="bench", format="mp3", loudness_lufs=TARGET_LUFS),
            chapters=tuple(f"Chapter {c + 1}" for c in range(chapters)),
            segments=segments,
            voice_info={"name": "bench", "engine": "synthetic"},
        )

    def stored(self, files: Path) -> ChunkStore:
        """Every chunk committed through the chunk store, into the directory's files."""
        chunks = ChunkStore(DirectoryStore(files), self.keys, NO_RECORDS)
        for seq in range(self.count):
            chunks.commit(seq, self.wav(seq), self.meta(seq))
        return chunks


class BookChunks(ChunkStore):
    """The book's chunks made from their seq when the stitcher reads them (nothing stored)."""

    def __init__(self, book: Book, files: Path) -> None:
        super().__init__(DirectoryStore(files), book.keys, NO_RECORDS)
        self.book = book

    def meta(self, seq: int) -> ChunkMeta:
        return self.book.meta(seq)

    def audio(self, chunk: int | ChunkMeta) -> bytes:
        """By seq, or by the chunk's metadata."""
        return self.book.wav(chunk if isinstance(chunk, int) else int(chunk["seq"]))
