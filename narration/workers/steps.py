"""What a job's tasks do, free of Celery: make one chunk, stitch a job.

`narration.workers.tasks` wraps these in Celery tasks (decoding ids, retrying, failing); tests
and benchmarks call them directly with a `WorkerContext` over the real services.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from narration.adapters.chunk_store import JOB_FIELDS
from narration.pipeline.prosody import SessionState
from narration.pipeline.render import key_for, render_chunk
from narration.workers.context import WorkerContext
from narration.workers.stitch import StitchResult, stitch_job


def make_chunk(
    context: WorkerContext, state: dict[str, Any], job_id: str, seq: int
) -> dict[str, Any]:
    """Make chunk `seq` of a job from the state before it, or find it made by an earlier
    delivery of the same task; either way return the state for the next chunk."""
    chunks = context.chunks(job_id)
    made = chunks.done_meta(seq)
    if made is not None:
        return dict(made["state_out"])
    plan = context.plan(job_id)
    if context.records.get(job_id)["status"] == "queued":
        context.records.set_status(job_id, "running")
    engine = context.engine(plan.options.voice, plan.options.engine)
    chunk, state_in = plan.chunks[seq], SessionState.from_dict(state)
    placement = {name: getattr(chunk, name) for name in JOB_FIELDS}
    reused = chunks.reuse(seq, key_for(engine, chunk, state_in), placement)
    if reused is not None:
        state_out: dict[str, Any] = reused["state_out"]
        return state_out
    rendered = render_chunk(engine, chunk, state_in)
    chunks.commit(seq, rendered.wav, rendered.meta)
    return rendered.next_state.to_dict()


def stitch(context: WorkerContext, job_id: str) -> StitchResult:
    """Stitch a job whose chunks are all made, and record it as succeeded."""
    context.records.set_status(job_id, "stitching")
    plan = context.plan(job_id)
    with tempfile.TemporaryDirectory(prefix="narration-stitch-") as workdir:
        result = stitch_job(plan, context.chunks(job_id), Path(workdir))
    context.records.set_status(
        job_id, "succeeded", output_uri=result.output_uri, duration_s=result.duration_s
    )
    return result
