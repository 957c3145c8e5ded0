"""The seams benchmark's four renderings of one text: the pipeline's, one synthesis per paragraph
(the reference), naive concatenation, and the pipeline with the previous sentence as context.

The text is planned as a job would plan it; renderings that do not depend on the pipeline's
tuning can be cached between runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import checkout  # noqa: F401  (this checkout's narration)
import numpy as np
from wrapped_engine import WrappedEngine

from narration.engines.voices import default_voice
from narration.pipeline import audio, prosody
from narration.pipeline.chunk_meta import ChunkMeta
from narration.pipeline.chunker import split_sentences
from narration.pipeline.document import Chapter, Document
from narration.pipeline.engine import Engine, Synthesis, SynthesisParams, WordTiming
from narration.pipeline.loudness import LoudnessMeter, gain_for_target
from narration.pipeline.plan import JobOptions, PlannedChunk, make_plan
from narration.pipeline.render import render_chunk
from narration.pipeline.timeline import place_chunks, timeline_blocks
from narration.settings import Settings

PROSE = Path(__file__).resolve().parent / "data" / "prose.txt"
SEED = 0
TARGET_LUFS = -16.0


@dataclass
class Piece:
    """A chunk (or, for `single`, a chunk-sized span) placed in a rendering's audio."""

    text: str
    boundary_after: str
    words: list[tuple[int, int, float, float]]  # char start, char end, start s, end s (absolute)
    clip: tuple[float, float] = (0.0, 0.0)
    """Where the chunk's own audio starts and ends in the rendering (s): the cut."""


@dataclass
class Rendering:
    name: str
    pcm: np.ndarray
    rate: int
    pieces: list[Piece]
    synth_s: float
    joins: bool = True
    """False for `single`: its piece boundaries are inner sentence boundaries, not joins."""
    extra: dict[str, Any] = field(default_factory=dict)


# -- the text and the plan -----------------------------------------------------------------


def load_plan(
    path: Path, paragraphs_max: int | None = None
) -> tuple[list[str], list[tuple[PlannedChunk, ...]]]:
    paragraphs = [" ".join(p.split()) for p in path.read_text().split("\n\n") if p.strip()]
    paragraphs = paragraphs[:paragraphs_max]
    document = Document("Seams", (Chapter("Seams", tuple(paragraphs), title_spoken=False),))
    options = JobOptions(voice=default_voice().name, seed=SEED)
    plan = make_plan("bench-seams", document, options, Settings().segment_max_chunks)
    return paragraphs, [tuple(segment) for segment in plan.segments]


# -- the four renderings -------------------------------------------------------------------


class ContextEngine(WrappedEngine):
    """Speaks `context + text` and returns only the part for `text`, cut at the word timings.
    Its identity is the wrapped engine's, so chunk seeds match the pipeline rendering's."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.context = ""

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        if not self.context:
            return self.wrapped.synthesize(text, params)
        prefix = self.context + " "
        full = self.wrapped.synthesize(prefix + text, params)
        own = [w for w in full.words if w.char_start >= len(prefix)]
        before = [w for w in full.words if w.char_start < len(prefix)]
        if not own or not before:
            return self.wrapped.synthesize(text, params)
        # Cut in the middle of the pause between the context and the chunk's first word.
        cut_s = (before[-1].end_s + own[0].start_s) / 2
        cut = round(cut_s * full.sample_rate)
        words = [
            WordTiming(
                w.text,
                w.char_start - len(prefix),
                w.char_end - len(prefix),
                w.start_s - cut_s,
                w.end_s - cut_s,
            )
            for w in own
        ]
        return Synthesis(full.pcm[cut:], full.sample_rate, words)


def last_sentence(text: str) -> str:
    sentences = split_sentences(text) if text.strip() else []
    return sentences[-1] if sentences else ""


def render_pipeline(
    engine: Engine,
    segments: list[tuple[PlannedChunk, ...]],
    name: str = "pipeline",
    pauses: Mapping[str, float] | None = None,
    seed: int = SEED,
) -> Rendering:
    """`seed` is the job's `--seed`: another one draws other noise for every chunk."""
    context = ContextEngine(engine) if name == "context" else None
    metas: list[ChunkMeta] = []
    wavs: list[bytes] = []
    started = time.perf_counter()
    for segment in segments:
        state = prosody.initial_state(engine.voice.name, seed, pauses=pauses)
        previous = ""
        for chunk in segment:
            if context is not None:
                context.context = last_sentence(previous)
            rendered = render_chunk(context or engine, chunk, state)
            metas.append(rendered.meta)
            wavs.append(rendered.wav)
            state = rendered.next_state
            # Context never crosses a paragraph: a paragraph break resets the intonation anyway.
            previous = chunk.text if chunk.boundary_after in ("sentence", "clause") else ""
    synth_s = time.perf_counter() - started
    rate = int(metas[0]["sample_rate"])
    laid = place_chunks(metas, rate)
    placed = laid.placed
    # The stitcher's own timeline (each chunk and the silences), from memory instead of the
    # chunk store.
    pcms = [audio.from_wav_bytes(wav)[0] for wav in wavs]
    pcm = np.concatenate(list(timeline_blocks(placed, pcms.__getitem__)))
    assert len(pcm) == laid.total
    pieces = []
    for item in placed:
        base = item.start / rate
        words = [
            (w["start"], w["end"], base + w["start_s"], base + w["end_s"])
            for w in item.meta["words"]
        ]
        clip = (item.start / rate, item.end / rate)
        pieces.append(Piece(item.meta["text"], item.meta["boundary_after"], words, clip))
    extra = {
        "state_max_bytes": max(len(_json(m["state_out"])) for m in metas),
        "length_scales": [m["length_scale"] for m in metas],
        "gains_db": [m["gain_db"] for m in metas],
    }
    return Rendering(name, pcm, rate, pieces, synth_s, extra=extra)


def render_single(engine: Engine, paragraphs: list[str], chunks: list[PlannedChunk]) -> Rendering:
    rate = engine.sample_rate
    pause = np.zeros(round(prosody.PAUSES_S["paragraph"] * rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    pieces: list[Piece] = []
    offset = 0
    queue = list(chunks)
    started = time.perf_counter()
    for number, paragraph in enumerate(paragraphs):
        synthesis = engine.synthesize(paragraph, SynthesisParams(seed=SEED))
        base = offset / rate
        # The chunks of this paragraph, as spans of its audio.
        position = 0
        while queue and (found := paragraph.find(queue[0].text, position)) >= 0:
            chunk = queue.pop(0)
            end = found + len(chunk.text)
            words = [
                (w.char_start - found, w.char_end - found, base + w.start_s, base + w.end_s)
                for w in synthesis.words
                if found <= w.char_start < end
            ]
            pieces.append(Piece(chunk.text, chunk.boundary_after, words))
            position = end
            if chunk.boundary_after in ("paragraph", "chapter"):
                break
        parts.append(synthesis.pcm)
        offset += len(synthesis.pcm)
        if number < len(paragraphs) - 1:
            parts.append(pause)
            offset += len(pause)
    synth_s = time.perf_counter() - started
    assert not queue, "every chunk is a span of its paragraph"
    return Rendering("single", np.concatenate(parts), rate, pieces, synth_s, joins=False)


def render_naive(engine: Engine, chunks: list[PlannedChunk]) -> Rendering:
    rate = engine.sample_rate
    parts: list[np.ndarray] = []
    pieces: list[Piece] = []
    offset = 0
    started = time.perf_counter()
    for chunk in chunks:
        synthesis = engine.synthesize(chunk.text, SynthesisParams())
        base = offset / rate
        words = [
            (w.char_start, w.char_end, base + w.start_s, base + w.end_s) for w in synthesis.words
        ]
        clip = (base, (offset + len(synthesis.pcm)) / rate)
        pieces.append(Piece(chunk.text, chunk.boundary_after, words, clip))
        parts.append(synthesis.pcm)
        offset += len(synthesis.pcm)
    synth_s = time.perf_counter() - started
    return Rendering("naive", np.concatenate(parts), rate, pieces, synth_s)


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def normalised(rendering: Rendering) -> Rendering:
    """At the stitcher's loudness target, so absolute thresholds mean the same for all."""
    meter = LoudnessMeter(rendering.rate)
    meter.add(rendering.pcm)
    gain = audio.db_to_gain(gain_for_target(meter.integrated_lufs(), TARGET_LUFS))
    return replace(rendering, pcm=(rendering.pcm * np.float32(gain)).astype(np.float32))


def cached(cache: Path | None, key: str, make: Callable[[], Rendering]) -> Rendering:
    """Renderings that do not depend on the pipeline's tuning can be kept between runs."""
    if cache is None:
        return make()
    pcm_path, meta_path = cache / f"{key}.npy", cache / f"{key}.json"
    if pcm_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        pieces = [
            Piece(p["text"], p["boundary_after"], [tuple(w) for w in p["words"]], tuple(p["clip"]))
            for p in meta["pieces"]
        ]
        return Rendering(
            meta["name"], np.load(pcm_path), meta["rate"], pieces, meta["synth_s"], meta["joins"]
        )
    result = make()
    cache.mkdir(parents=True, exist_ok=True)
    np.save(pcm_path, result.pcm)
    meta = {
        "name": result.name,
        "rate": result.rate,
        "synth_s": result.synth_s,
        "joins": result.joins,
        "pieces": [
            {"text": p.text, "boundary_after": p.boundary_after, "words": p.words, "clip": p.clip}
            for p in result.pieces
        ],
    }
    meta_path.write_text(json.dumps(meta))
    return result
