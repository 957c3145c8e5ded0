"""What a job's tasks do, free of Celery: make one chunk, make a part, stitch a job.

`narration.workers.tasks` wraps these in Celery tasks (decoding ids, retrying, failing); tests
and benchmarks call them directly with a `WorkerContext` over the real services.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from narration.adapters.chunk_store import PARALLEL_READS, ChunkPlacement, ChunkStore
from narration.engines.registry import engine_kind
from narration.errors import ObjectNotFound
from narration.pipeline.chunk_meta import ChunkMeta, PartMeta
from narration.pipeline.compliance import failures
from narration.pipeline.engine import Engine
from narration.pipeline.manifest import Manifest
from narration.pipeline.plan import Plan, PlannedChunk
from narration.pipeline.prosody import SessionState, for_speaker
from narration.pipeline.render import SpokenChunk, ahead_state, engine_call, key_for, speak_chunk
from narration.pipeline.stitch_meta import trim_chunk_meta
from narration.production import hls_preview, parts
from narration.production.commits import Committer, Immediate
from narration.production.context import WorkerContext
from narration.production.render_ahead import Ahead, ChainStep, never, rest_of_part
from narration.production.segment_start import first_state
from narration.production.stitch import StitchResult, reads_chunk_loudness, stitch_job

COMMIT_WAIT_S: Final = 5.0
"""How long a part task waits, with no commit of its run landing, for a chunk whose commit may
still be on its way before it makes the chunk again itself. A live worker's queued commits
land one after another (each in milliseconds, seconds on a loaded host), so every one that
lands restarts the wait; a killed worker's never land."""
COMMIT_POLL_S: Final = 0.05


def speaker_state(plan: Plan, chunk: PlannedChunk, state: SessionState) -> SessionState:
    """The state `chunk` starts from: its speaker's own chain in a script (`prosody.for_speaker`),
    with that speaker's voice and its family's pause profile; `state` itself otherwise."""
    if not chunk.speaker:
        return state
    voice = dict(plan.options.cast)[chunk.speaker]
    return for_speaker(state, chunk.speaker, voice, engine_kind(plan.options.engine).pauses)


def make_chunk(
    context: WorkerContext, state_in: SessionState, job_id: str, seq: int
) -> SessionState:
    """Make chunk `seq` of a job from the state before it, or find it made by an earlier
    delivery of the same task; either way return the state for the next chunk. A new chunk
    is committed in the background (`production.commits`)."""
    chunks = context.chunks(job_id)
    made = chunks.done_meta(seq)
    if made is not None:
        return SessionState.from_dict(made["state_out"])
    plan = context.plan(job_id)
    _mark_running(context, job_id)
    return _make(context, plan, chunks, plan.chunks[seq], state_in, context.commits)


def _mark_running(context: WorkerContext, job_id: str) -> None:
    """The job's record says "running" once its first chunk is being made."""
    if job_id not in context.running_jobs:
        if context.records.get(job_id)["status"] == "queued":
            context.records.set_status(job_id, "running")
        context.running_jobs.add(job_id)


def make_chain_step(context: WorkerContext, step: ChainStep, job_id: str, seq: int) -> ChainStep:
    """The synth task's work on its chain's message: chunk `seq` made by a task before it
    (`render_ahead`), or made now from the state before it, with the segment's next chunks
    beside it while the worker has a core to spare (`context.spare_core`)."""
    if step.made_next:
        return ChainStep(step.made_next[0], step.made_next[1:])
    plan = context.plan(job_id)
    chunk = plan.chunks[seq]
    following = rest_of_part(plan.segments[chunk.segment], chunk.index)
    alone = context.spare_core is not never and not engine_kind(plan.options.engine).batches
    if not alone or not following:
        return ChainStep(make_chunk(context, step.state, job_id, seq))
    chunks = context.chunks(job_id)
    made = chunks.done_meta(seq)
    if made is not None:
        return ChainStep(SessionState.from_dict(made["state_out"]))
    _mark_running(context, job_id)
    return _make_ahead(context, plan, chunks, chunk, following, step.state)


def _make_ahead(
    context: WorkerContext,
    plan: Plan,
    chunks: ChunkStore,
    chunk: PlannedChunk,
    following: Sequence[PlannedChunk],
    state_in: SessionState,
) -> ChainStep:
    """Make `chunk`, and the `following` chunks that a helper thread and this one synthesise
    from the states the plan predicts (`render.ahead_state`) while a core is free; shape and
    commit each, in order, from its real state."""
    state_in = speaker_state(plan, chunk, state_in)
    engine = context.engine(state_in.voice, plan.options.engine)
    reused = _reused(context, chunks, engine, chunk, state_in)
    if reused is not None:
        return ChainStep(reused)
    calls = []
    guess, before = state_in, chunk
    for planned in following:
        guess = speaker_state(plan, planned, ahead_state(guess, before))
        next_engine = context.engine(guess.voice, plan.options.engine)
        calls.append((next_engine, engine_call(next_engine, planned, guess)))
        before = planned
    ahead = Ahead(calls, context.spare_core)
    made: list[SessionState] = []
    try:
        started = time.perf_counter()
        spoken = speak_chunk(engine, chunk, state_in)
        _commit(context.commits, context, chunks, engine, spoken, time.perf_counter() - started)
        if plan.options.hls:  # the playlist grows from the first chunk, not the last made
            hls_preview.advance_soon(context, plan.job_id)
        state = spoken.next_state
        for index, planned in enumerate(following):
            synthesis = ahead.get(index)
            next_engine, call = ahead.calls[index]
            next_in = speaker_state(plan, planned, state)
            if synthesis is None or engine_call(next_engine, planned, next_in) != call:
                break
            reused = _reused(context, chunks, next_engine, planned, next_in)
            if reused is not None:
                state = reused
            else:
                spoken_next = speak_chunk(next_engine, planned, next_in, synthesis=synthesis)
                _commit(
                    context.commits, context, chunks, next_engine, spoken_next, ahead.seconds[index]
                )
                state = spoken_next.next_state
            made.append(state)
    finally:
        ahead.close()
    return ChainStep(spoken.next_state, tuple(made))


def _commit(
    committer: Committer,
    context: WorkerContext,
    chunks: ChunkStore,
    engine: Engine,
    spoken: SpokenChunk,
    seconds: float,
) -> None:
    committer.submit(
        functools.partial(_finish_and_commit, context, chunks, engine.name, spoken, seconds)
    )


def _reused(
    context: WorkerContext,
    chunks: ChunkStore,
    engine: Engine,
    chunk: PlannedChunk,
    state_in: SessionState,
) -> SessionState | None:
    """The state after `chunk` where the chunk cache holds it as `engine` renders it from
    `state_in` (placed into this job and reported as reused); None where it must be made."""
    placement = ChunkPlacement(
        seq=chunk.seq, segment=chunk.segment, index=chunk.index, chapter=chunk.chapter
    )
    reused = chunks.reuse(chunk.seq, key_for(engine, chunk, state_in), placement)
    if reused is None:
        return None
    context.reports.chunk(engine.name, True, 0.0, reused["duration_s"])
    return SessionState.from_dict(reused["state_out"])


def _make(
    context: WorkerContext,
    plan: Plan,
    chunks: ChunkStore,
    chunk: PlannedChunk,
    state_in: SessionState,
    committer: Committer,
) -> SessionState:
    """Reuse the chunk from the cache or render and commit it; the state after it."""
    state_in = speaker_state(plan, chunk, state_in)
    engine = context.engine(state_in.voice, plan.options.engine)
    reused = _reused(context, chunks, engine, chunk, state_in)
    if reused is not None:
        return reused
    started = time.perf_counter()
    spoken = speak_chunk(engine, chunk, state_in)
    _commit(committer, context, chunks, engine, spoken, time.perf_counter() - started)
    return spoken.next_state


def _finish_and_commit(
    context: WorkerContext, chunks: ChunkStore, engine: str, spoken: SpokenChunk, seconds: float
) -> None:
    """Shape, measure and encode a spoken chunk, store it and report it: with a background
    committer the next chunk of the chain waits for none of it."""
    rendered = spoken.finish()
    chunks.commit(rendered.meta["seq"], rendered.wav, rendered.meta)
    context.reports.chunk(engine, False, seconds, rendered.meta["duration_s"])


def landed_metas(
    context: WorkerContext, plan: Plan, chunks: ChunkStore, run: Sequence[PlannedChunk]
) -> list[ChunkMeta]:
    """The metadata of a run of a segment's chunks (a segment, a part), all committed. A
    chunk whose commit never landed (its worker died after the task returned) is made again
    here, from the state its predecessor stored: rendering is deterministic, so it is the
    chunk that was lost. A predecessor before the run that was lost too (a killed worker's
    queued commits can straddle a part's cut) is made first, the same way."""
    context.commits.drain()
    arrivals = _Arrivals(chunks)
    with ThreadPoolExecutor(min(PARALLEL_READS, len(run))) as readers:
        landed = list(readers.map(arrivals.meta, [c.seq for c in run]))
    metas: list[ChunkMeta] = []
    for chunk, meta in zip(run, landed, strict=True):
        if meta is None:
            if chunk.index == 0:
                state_in = first_state(plan)
            else:
                previous = plan.segments[chunk.segment][chunk.index - 1]
                before = metas[-1] if metas else landed_metas(context, plan, chunks, [previous])[0]
                state_in = SessionState.from_dict(before["state_out"])
            _make(context, plan, chunks, chunk, state_in, Immediate())
            meta = chunks.meta(chunk.seq)
        metas.append(meta)
    return metas


class _Arrivals:
    """Reads a run's chunk metadata, waiting for commits while any of them keeps landing."""

    def __init__(self, chunks: ChunkStore) -> None:
        self._chunks = chunks
        self._last_landed = time.monotonic()

    def meta(self, seq: int) -> ChunkMeta | None:
        """The chunk's metadata, or None once no commit has landed for `COMMIT_WAIT_S`."""
        while True:
            try:
                meta = self._chunks.meta(seq)
            except ObjectNotFound:
                if time.monotonic() - self._last_landed > COMMIT_WAIT_S:
                    return None
                time.sleep(COMMIT_POLL_S)
            else:
                self._last_landed = time.monotonic()
                return meta


def make_part(context: WorkerContext, job_id: str, number: int) -> PartMeta:
    """Make part `number` of the output once its chunks are all made, or find it made."""
    chunks = context.chunks(job_id)
    made = chunks.part_meta(number)
    if made is not None:
        return made
    plan = context.plan(job_id)
    metas = landed_metas(context, plan, chunks, plan.parts[number])
    with context.reports.timed_stitch("part"):
        return parts.make_part(plan, chunks, number, metas)


def stitch(context: WorkerContext, job_id: str) -> StitchResult:
    """Stitch a job whose chains have all finished, and record it as succeeded.

    A chunk whose commit was lost with its worker is made again first: formats without parts
    have no part task to do it (`landed_metas`)."""
    context.records.set_status(job_id, "stitching")
    with context.reports.timed_stitch("stitch"):
        plan = context.plan(job_id)
        chunks = context.chunks(job_id)
        keep = reads_chunk_loudness(plan)
        metas = [
            trim_chunk_meta(meta, keep)
            for segment in plan.segments
            for meta in landed_metas(context, plan, chunks, segment)
        ]
        with tempfile.TemporaryDirectory(prefix="narration-stitch-") as workdir:
            result = stitch_job(plan, chunks, Path(workdir), metas)
    failing = compliance_failures(result.manifest)
    verdict = "fail: " + "; ".join(failing) if failing else "pass"
    if failing and plan.options.strict:
        context.records.set_status(
            job_id,
            "failed",
            error=f"--strict: {plan.options.master} compliance failed: {verdict[6:]}"[:500],
            output_uri=result.output_uri,
            compliance=verdict[:500],
        )
        return result
    context.records.set_status(
        job_id,
        "succeeded",
        output_uri=result.output_uri,
        duration_s=result.duration_s,
        compliance=verdict[:500],
    )
    return result


def compliance_failures(manifest: Manifest) -> list[str]:
    """Every failing check of every delivered file, as `file: check measured (required)`."""
    reports = [("output", manifest["compliance"])]
    reports += [(entry["title"], entry["compliance"]) for entry in manifest["chapter_files"]]
    if "retail_sample" in manifest:
        reports.append(("retail sample", manifest["retail_sample"]["compliance"]))
    return [f"{name}: {failure}" for name, report in reports for failure in failures(report)]
