"""Turn one planned chunk into stored-ready audio: synthesise, trim, match level, fade.

A pure function of (engine, chunk, state): the same inputs give byte-identical WAV, which is what
lets a re-delivered or resumed task reproduce the first attempt exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, cast

import numpy as np

from narration.pipeline import audio, prosody
from narration.pipeline.chunk_key import SEED_MASK, chunk_key, chunk_seed, voice_for_seed
from narration.pipeline.chunk_meta import ChunkMeta, WordJson
from narration.pipeline.dynamics import tame_peaks
from narration.pipeline.engine import Engine, Synthesis, SynthesisParams
from narration.pipeline.key_order import inserted_after
from narration.pipeline.lexicon import PHONEME_BLOCK, PHONEME_OPEN
from narration.pipeline.plan import PlannedChunk
from narration.pipeline.speech_text import speakable
from narration.pipeline.step_loudness import loudness_figures
from narration.pipeline.voice_pauses import ends_at_clause_mark, inner_pauses
from narration.pipeline.written_words import onto_written


@dataclass(frozen=True)
class RenderedChunk:
    wav: bytes
    meta: ChunkMeta
    next_state: prosody.SessionState


@dataclass(frozen=True)
class SpokenChunk:
    """A chunk synthesised, trimmed and measured: all that the state after it depends on.

    The next chunk of a segment needs only `next_state`. Its audio's shaping (peak taming, gain,
    fades, lead pad), its loudness figures (BS.1770 step energies, a 4x true peak) and its WAV
    change no length and no level the state records, so a worker makes them with the commit,
    off the chain's critical path (`production.commits`); `finish` gives the same bytes wherever it
    runs.
    """

    speech: np.ndarray
    """The synthesis trimmed to its speech edges, before any gain."""
    sample_rate: int
    gain_db: float
    pad: int
    """Samples of silence put before the speech so that every chunk's lead is `LEAD_S`."""
    fade_out_s: float
    """The fade across the speech's quiet tail (`audio.TAIL_FADE_S`, or all of a shorter one)."""
    meta: ChunkMeta
    next_state: prosody.SessionState

    def finish(self) -> RenderedChunk:
        """The stored form: shaped audio as WAV, metadata with the loudness figures in place."""
        rate = self.sample_rate
        gain = np.float32(audio.db_to_gain(self.gain_db))
        shaped = audio.fade_edges(
            tame_peaks(self.speech * gain, rate), rate, fade_out_s=self.fade_out_s
        )
        shaped = np.concatenate([np.zeros(self.pad, dtype=np.float32), shaped])
        meta = self.meta.copy()
        meta["loudness"] = loudness_figures(shaped, rate)
        return RenderedChunk(audio.to_wav_bytes(shaped, rate), meta, self.next_state)


def key_for(engine: Engine, chunk: PlannedChunk, state: prosody.SessionState, take: int = 0) -> str:
    """The chunk's cache key when `engine` renders it from `state` (as its `take`th take
    after the first, for a take a proof asks for)."""
    variant = {**(chunk.variant or {}), "take": take} if take else chunk.variant
    return chunk_key(chunk.text, chunk.boundary_after, state, engine.identity, variant)


def seed_for(engine: Engine, chunk: PlannedChunk, state: prosody.SessionState) -> int:
    """The chunk's noise seed from `state`: the same whichever runtime of the voice's family
    renders it (`chunk_key.chunk_seed`)."""
    voice = voice_for_seed(engine.voice.engine, engine.voice.name)
    return chunk_seed(chunk.text, chunk.boundary_after, state, voice, chunk.variant)


def engine_text(chunk: PlannedChunk, prepare: Callable[[str], str] = speakable) -> str:
    """What the engine is given: the chunk's (lexicon-rewritten) text prepared for the engine
    (`prepare`: numbers, symbols and abbreviations expanded); raw phoneme blocks pass through
    untouched."""
    parts = PHONEME_BLOCK.split(chunk.spoken or chunk.text)
    return "".join(part if part.startswith(PHONEME_OPEN) else prepare(part) for part in parts)


BREAK_EDGES_S: Final = 0.1
"""The most speech edge (a chunk's quiet tail and the next one's lead) heard around an SSML
break's exact silence."""


def edged_pause_s(designed_s: float, tail_quiet_s: float) -> float:
    """The silence placed after a chunk so that its quiet tail, the silence and the next
    chunk's quiet lead together last the designed pause."""
    return round(max(0.0, designed_s - tail_quiet_s - audio.LEAD_S), 4)


def render_chunk(engine: Engine, chunk: PlannedChunk, state: prosody.SessionState) -> RenderedChunk:
    """Synthesise and shape a chunk, with its figures and WAV: what is stored for it."""
    return speak_chunk(engine, chunk, state).finish()


@dataclass(frozen=True)
class EngineCall:
    """What a chunk's engine is given: its text and parameters. Drawn from the state's planned
    part alone (`chunk_key.planned_part`, the length scale), so the call for a segment's next
    chunk is known before this one is heard (`ahead_state`)."""

    text: str
    params: SynthesisParams


def engine_call(
    engine: Engine, chunk: PlannedChunk, state: prosody.SessionState, take: int = 0
) -> EngineCall:
    """The chunk's engine call from `state` (as its `take`th take after the first)."""
    seed = (seed_for(engine, chunk, state) + take) & SEED_MASK
    params = prosody.params_for(state, seed)
    if chunk.rate != 1.0:  # SSML prosody rate: a faster rate is a shorter length scale
        params = replace(params, length_scale=(params.length_scale or 1.0) / chunk.rate)
    return EngineCall(engine_text(chunk, engine.prepare_text), params)


def ahead_state(state: prosody.SessionState, chunk: PlannedChunk) -> prosody.SessionState:
    """The state after `chunk` as far as the plan knows it, before its audio exists: its
    planned part is the real one's (`prosody.advance` and `prosody.heard` change the rest), so
    the next chunk's `engine_call` from it is the one the real state gives."""
    return prosody.advance(state, chunk.text, 0.0, state.level_db, 0.0, 0.0)


def speak_chunk(
    engine: Engine,
    chunk: PlannedChunk,
    state: prosody.SessionState,
    take: int = 0,
    synthesis: Synthesis | None = None,
) -> SpokenChunk:
    """Synthesise a chunk, find its speech edges and the gain that matches its level: everything
    the state after it depends on (`SpokenChunk.finish` shapes and measures the audio).

    A `take` after the first (a proof found the first one misheard) is rendered with the
    seeds that follow the chunk's own, and has a key of its own. `synthesis` is the engine's
    answer to this chunk's `engine_call`, where it was made ahead of the state."""
    key = key_for(engine, chunk, state, take)
    call = engine_call(engine, chunk, state, take)
    spoken, params = call.text, call.params
    if synthesis is None:
        synthesis = engine.synthesize(spoken, params)
    rate = synthesis.sample_rate
    inner = inner_pauses(synthesis.pcm, rate, synthesis.words, spoken)
    heard = prosody.heard(state, inner.sentence, inner.clause)
    designed_s = (
        chunk.pause_s
        if chunk.pause_s is not None
        else prosody.pause_after(heard, chunk.boundary_after, ends_at_clause_mark(chunk.text))
    )
    # The pause a listener hears is the quiet tail of this chunk, the placed silence, and the
    # quiet lead of the next (always `audio.LEAD_S`); the placed silence makes up the rest.
    # An SSML break is exact digital silence of its own (`timeline.place_part`), with the
    # speech edges on top: the tail is kept short so that both edges stay within
    # `BREAK_EDGES_S`.
    is_break = chunk.pause_s is not None
    max_tail_s = BREAK_EDGES_S - audio.LEAD_S if is_break else designed_s - audio.LEAD_S
    edges = audio.speech_edges(synthesis.pcm, rate, max_tail_s=max_tail_s)
    start, end = edges.start, edges.end
    speech = synthesis.pcm[start:end]
    level_db = audio.speech_level_db(speech, rate)
    gain_db = prosody.gain_for(state, level_db)
    # Piper leads with ~40 ms of quiet: pad it to `LEAD_S` so every chunk's lead is the same and
    # the previous chunk's placed silence, which counts on it, comes out right. Shaping keeps
    # the length, so the shaped chunk's samples are known here.
    pad = max(0, round(audio.LEAD_S * rate) - edges.lead_quiet)
    samples = pad + len(speech)
    speech_s = samples / rate
    audible_s = (len(speech) - edges.lead_quiet - edges.tail_quiet) / rate
    pause_s = designed_s if is_break else edged_pause_s(designed_s, edges.tail_quiet / rate)
    offset_s = (start - pad) / rate
    said: list[WordJson] = [
        {
            "text": word.text,
            "start": word.char_start,
            "end": word.char_end,
            "start_s": round(max(0.0, word.start_s - offset_s), 4),
            "end_s": round(min(speech_s, max(0.0, word.end_s - offset_s)), 4),
        }
        for word in synthesis.words
    ]
    words = onto_written(chunk.text, spoken, said)
    next_state = prosody.advance(
        heard, chunk.text, audible_s, level_db, gain_db, speech_s + pause_s
    )
    meta: ChunkMeta = {
        "seq": chunk.seq,
        "segment": chunk.segment,
        "index": chunk.index,
        "chapter": chunk.chapter,
        "text": chunk.text,
        "spoken_text": spoken,
        "boundary_after": chunk.boundary_after,
        "sample_rate": rate,
        "samples": samples,
        "duration_s": round(speech_s, 4),
        "speech_start_s": round((pad + edges.lead_quiet) / rate, 4),
        "speech_end_s": round((samples - edges.tail_quiet) / rate, 4),
        "pause_after_s": pause_s,
        "pause_designed_s": designed_s,
        "lead_pad_s": round(pad / rate, 6),
        "gain_db": round(gain_db, 3),
        "level_db": round(level_db, 3),
        "loudness": None,  # `SpokenChunk.finish` measures it; the key keeps its place
        "key": key,
        "engine": engine.facts.to_dict(),
        "seed": params.seed,
        "length_scale": params.length_scale,
        "words": words,
        "words_from_spoken_text": False,
        "state_in": state.to_dict(),
        "state_out": next_state.to_dict(),
    }
    if take:
        meta = cast(ChunkMeta, inserted_after(meta, "seed", "take", take))
    if chunk.speaker:
        meta["speaker"] = chunk.speaker
    if is_break:
        meta = _with_break(meta, designed_s)
    fade_out_s = max(audio.FADE_S, min(audio.TAIL_FADE_S, edges.tail_quiet / rate))
    return SpokenChunk(speech.copy(), rate, gain_db, pad, fade_out_s, meta, next_state)


def _with_break(meta: ChunkMeta, break_s: float) -> ChunkMeta:
    """`meta` with `break_s` in its stored place, after `lead_pad_s`."""
    return cast(ChunkMeta, inserted_after(meta, "lead_pad_s", "break_s", break_s))
