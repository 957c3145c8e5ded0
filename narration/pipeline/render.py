"""Turn one planned chunk into stored-ready audio: synthesise, trim, match level, fade.

A pure function of (engine, chunk, state): the same inputs give byte-identical WAV, which is what
lets a re-delivered or resumed task reproduce the first attempt exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np

from narration.engines.base import Engine
from narration.pipeline import audio, prosody
from narration.pipeline.chunk_key import chunk_key, seed_from_key
from narration.pipeline.dynamics import tame_peaks
from narration.pipeline.lexicon import PHONEME_BLOCK, PHONEME_OPEN
from narration.pipeline.plan import PlannedChunk
from narration.pipeline.speech_text import speakable
from narration.pipeline.step_loudness import loudness_figures


@dataclass(frozen=True)
class RenderedChunk:
    wav: bytes
    meta: dict[str, Any]
    next_state: prosody.SessionState


def key_for(engine: Engine, chunk: PlannedChunk, state: prosody.SessionState) -> str:
    """The chunk's cache key when `engine` renders it from `state`."""
    return chunk_key(chunk.text, chunk.boundary_after, state, engine.identity, chunk.variant)


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
    key = key_for(engine, chunk, state)
    params = prosody.params_for(state, seed_from_key(key))
    if chunk.rate != 1.0:  # SSML prosody rate: a faster rate is a shorter length scale
        params = replace(params, length_scale=(params.length_scale or 1.0) / chunk.rate)
    spoken = engine_text(chunk, engine.prepare_text)
    synthesis = engine.synthesize(spoken, params)
    rate = synthesis.sample_rate
    designed_s = (
        chunk.pause_s
        if chunk.pause_s is not None
        else prosody.pause_after(state, chunk.boundary_after)
    )
    # The pause a listener hears is the quiet tail of this chunk, the placed silence, and the
    # quiet lead of the next (always `audio.LEAD_S`); the placed silence makes up the rest.
    # An SSML break is exact digital silence of its own (`timeline.place_segment`), with the
    # speech edges on top: the tail is kept short so that both edges stay within
    # `BREAK_EDGES_S`.
    is_break = chunk.pause_s is not None
    max_tail_s = BREAK_EDGES_S - audio.LEAD_S if is_break else designed_s - audio.LEAD_S
    edges = audio.speech_edges(synthesis.pcm, rate, max_tail_s=max_tail_s)
    start, end = edges.start, edges.end
    speech = synthesis.pcm[start:end]
    level_db = audio.speech_level_db(speech, rate)
    gain_db = prosody.gain_for(state, level_db)
    shaped = audio.fade_edges(
        tame_peaks(speech * np.float32(audio.db_to_gain(gain_db)), rate), rate
    )
    # Piper leads with ~40 ms of quiet: pad it to `LEAD_S` so every chunk's lead is the same and
    # the previous chunk's placed silence, which counts on it, comes out right.
    pad = max(0, round(audio.LEAD_S * rate) - edges.lead_quiet)
    shaped = np.concatenate([np.zeros(pad, dtype=np.float32), shaped])
    speech_s = len(shaped) / rate
    audible_s = (len(speech) - edges.lead_quiet - edges.tail_quiet) / rate
    pause_s = designed_s if is_break else edged_pause_s(designed_s, edges.tail_quiet / rate)
    offset_s = (start - pad) / rate
    words = [
        {
            "text": word.text,
            "start": word.char_start,
            "end": word.char_end,
            "start_s": round(max(0.0, word.start_s - offset_s), 4),
            "end_s": round(min(speech_s, max(0.0, word.end_s - offset_s)), 4),
        }
        for word in synthesis.words
    ]
    next_state = prosody.advance(
        state, chunk.text, audible_s, level_db, gain_db, speech_s + pause_s
    )
    meta = {
        "seq": chunk.seq,
        "segment": chunk.segment,
        "index": chunk.index,
        "chapter": chunk.chapter,
        "text": chunk.text,
        "spoken_text": spoken,
        "boundary_after": chunk.boundary_after,
        "sample_rate": rate,
        "samples": len(shaped),
        "duration_s": round(speech_s, 4),
        "speech_start_s": round((pad + edges.lead_quiet) / rate, 4),
        "speech_end_s": round((len(shaped) - edges.tail_quiet) / rate, 4),
        "pause_after_s": pause_s,
        "pause_designed_s": designed_s,
        "lead_pad_s": round(pad / rate, 6),
        **({"break_s": designed_s} if is_break else {}),
        "gain_db": round(gain_db, 3),
        "level_db": round(level_db, 3),
        "loudness": loudness_figures(shaped, rate),
        "key": key,
        "engine": engine.facts.to_dict(),
        "seed": params.seed,
        "length_scale": params.length_scale,
        "words": words,
        "words_from_spoken_text": spoken != chunk.text,
        "state_in": state.to_dict(),
        "state_out": next_state.to_dict(),
    }
    return RenderedChunk(audio.to_wav_bytes(shaped, rate), meta, next_state)
