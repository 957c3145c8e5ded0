"""Proof one stored chunk: hear it, score it, and render it again while it stays a suspect.

A suspect chunk (`scoring`) is rendered again with the next seed, up to `MAX_RETAKES` more
times; the best take (lowest score, then word error rate, then the earliest) is kept and stored
in the chunk's place. A voice whose model draws no noise (Kokoro's) makes every take the same
bytes, so its suspects are reported without another take. Every take is a pure function of
the chunk and its take number, and the recogniser decodes greedily, so the same job proofs the
same way. A kept take carries the first take's outgoing state: the chunks after it were made
from that state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from narration.engines.kokoro.assets import FAMILY as KOKORO
from narration.errors import ObjectNotFound
from narration.pipeline.chunk_meta import ChunkMeta
from narration.pipeline.prosody import SessionState
from narration.pipeline.render import RenderedChunk, speak_chunk
from narration.production.context import WorkerContext
from narration.production.proofing.hearing import hear as hear_chunk
from narration.production.proofing.results import (
    ChunkProof,
    RunJson,
    TakeJson,
    store_proof,
    stored_proof,
)
from narration.production.proofing.scoring import ChunkScore

MAX_RETAKES: Final = 2
LANDED_WAIT_S: Final = 5.0
"""How long a proof waits for its chunk's background commit before it retries later."""

NOISELESS_FAMILIES: Final = frozenset({KOKORO})
"""Voice families whose models draw no noise: the seed changes nothing they say."""

Hear = Callable[[bytes, str], ChunkScore]


def proof_chunk(
    context: WorkerContext, job_id: str, seq: int, hear: Hear = hear_chunk
) -> ChunkProof:
    """Proof chunk `seq` of a job, or find its proof stored by an earlier delivery."""
    chunks = context.chunks(job_id)
    found = stored_proof(chunks, seq)
    if found is not None:
        return found
    meta = _landed(context, job_id, seq)
    spoken = meta.get("spoken_text", meta["text"])
    first = hear(chunks.audio(meta), spoken)
    scores = [first]
    takes = [_take_json(meta, first)]
    made: list[RenderedChunk] = []
    retakes = MAX_RETAKES if first.suspect and _differ(context, job_id) else 0
    while scores[-1].suspect and len(scores) <= retakes:
        rendered = _retake(context, job_id, meta, len(scores))
        scored = hear(rendered.wav, spoken)
        made.append(rendered)
        scores.append(scored)
        takes.append(_take_json(rendered.meta, scored))
    kept = min(range(len(scores)), key=lambda take: (scores[take].score, scores[take].wer, take))
    if kept:
        chunks.commit(seq, made[kept - 1].wav, made[kept - 1].meta)
    best = scores[kept]
    kept_meta = made[kept - 1].meta if kept else meta
    proof: ChunkProof = {
        "seq": seq,
        "score": best.score,
        "wer": best.wer,
        "spoken": spoken,
        "heard": " ".join(word.text for word in best.heard),
        "spoken_words": len(best.spoken),
        "takes": takes,
        "kept": kept,
        "speech_start_s": kept_meta["speech_start_s"],
        "suspects": _suspects(best) if best.suspect else [],
    }
    store_proof(chunks, proof)
    return proof


def takes_differ(family: str) -> bool:
    """Whether another take (the next seed) of a voice of `family` can sound different."""
    return family not in NOISELESS_FAMILIES


def _differ(context: WorkerContext, job_id: str) -> bool:
    return takes_differ(context.plan(job_id).voice_info.get("family", ""))


def _landed(context: WorkerContext, job_id: str, seq: int) -> ChunkMeta:
    """The chunk's metadata once its commit (in the synth worker's background) has landed."""
    chunks = context.chunks(job_id)
    deadline = time.monotonic() + LANDED_WAIT_S
    while True:
        try:
            return chunks.meta(seq)
        except ObjectNotFound:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _retake(context: WorkerContext, job_id: str, meta: ChunkMeta, take: int) -> RenderedChunk:
    plan = context.plan(job_id)
    engine = context.engine(plan.options.voice, plan.options.engine)
    state_in = SessionState.from_dict(meta["state_in"])
    rendered = speak_chunk(engine, plan.chunks[meta["seq"]], state_in, take).finish()
    kept_meta = rendered.meta.copy()
    kept_meta["state_out"] = meta["state_out"]
    return RenderedChunk(rendered.wav, kept_meta, rendered.next_state)


def _take_json(meta: ChunkMeta, scored: ChunkScore) -> TakeJson:
    return {
        "take": meta.get("take", 0),
        "seed": meta["seed"],
        "score": scored.score,
        "wer": scored.wer,
    }


def _suspects(scored: ChunkScore) -> list[RunJson]:
    suspects: list[RunJson] = []
    for run in scored.suspect_runs():
        heard = scored.heard[run.heard_start : run.heard_end]
        if heard:
            start_s = heard[0].start_s
        elif run.heard_start > 0:
            start_s = scored.heard[run.heard_start - 1].end_s
        else:
            start_s = 0.0
        suspects.append(
            {
                "word": " ".join(scored.spoken[run.start : run.end]),
                "heard": " ".join(word.text for word in heard),
                "start_s": start_s,
                "unknown": list(run.unknown),
            }
        )
    return suspects
