"""Turn a plan into Celery work: a chord of one chain per segment (its chunks, then its part
where the format is made in parts), then the stitch task.

Used by `narrate submit` for new jobs and by `narrate resume`, which re-sends only the chains
that still have missing chunks, each starting from the stored state of the chunk before.
"""

from __future__ import annotations

import json
from typing import Any

from celery import Signature, chain, chord
from celery.result import GroupResult, ResultBase

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.job_records import new_job_id
from narration.engines.registry import engine_kind
from narration.pipeline.document import Document
from narration.pipeline.lexicon import Lexicon
from narration.pipeline.plan import JobOptions, Plan, heard_first, long_way_to_go, make_plan
from narration.pipeline.presets import encoded_in_parts
from narration.services import Services
from narration.settings import Settings
from narration.workers.app import AHEAD_PRIORITY, JOB_PRIORITY
from narration.workers.steps import first_state
from narration.workers.tasks import part, stitch, synth


def start_job(
    services: Services,
    settings: Settings,
    document: Document,
    options: JobOptions,
    voice_info: dict[str, Any],
    lexicon: Lexicon | None = None,
    *,
    job_id: str = "",
    fields: dict[str, Any] | None = None,
    priority: int = JOB_PRIORITY,
) -> dict[str, Any]:
    """Store the plan, create the job record (with `fields` added) and send the work."""
    job_id = job_id or new_job_id()
    plan = make_plan(job_id, document, options, settings.segment_max_chunks, lexicon)
    plan = Plan(**{**plan.__dict__, "voice_info": voice_info})
    chunks = services.chunks(job_id)
    chunks.objects.put_bytes(chunks.keys.plan, plan.to_json(), "application/json")
    records = services.records()
    record = records.create(
        job_id,
        {
            "title": plan.title,
            "voice": options.voice,
            "format": options.format,
            "chunks_total": len(plan.chunks),
            "segments": len(plan.segments),
            "options": json.dumps(options.__dict__),
            **(fields or {}),
        },
    )
    # A new job has nothing stored: not listing its chunks sends chunk 0 a request sooner.
    dispatch(plan, chunks, priority, stored=set())
    return record


def dispatch(
    plan: Plan, chunks: ChunkStore, priority: int = JOB_PRIORITY, stored: set[int] | None = None
) -> int:
    """Send the chains whose chunks are not all `stored` (None: list them in storage, as a
    resumed job must); returns how many chunks are missing."""
    if stored is None:
        stored = chunks.stored_seqs()
    in_parts = encoded_in_parts(plan.options.format, plan.options.master)
    kind = engine_kind(plan.options.engine)
    # Queue and routing key both: the route of `narration.synth` names `synth`'s key, and a
    # message for another engine's queue must not keep it.
    route = {"queue": kind.queue, "routing_key": kind.queue}
    priorities = chunk_priorities(plan, priority)
    ahead = min(priority, AHEAD_PRIORITY)
    chains: list[tuple[bool, int, Signature]] = []
    missing = 0
    for segment in plan.segments:
        todo = [chunk for chunk in segment if chunk.seq not in stored]
        if not todo:
            continue
        missing += len(todo)
        first = todo[0]
        if first.index == 0:
            state = first_state(plan).to_dict()
        else:
            state = chunks.meta(first.seq - 1)["state_out"]
        steps = [
            synth.s(state, plan.job_id, first.seq).set(**route, priority=priorities[first.seq])
        ]
        steps += [
            synth.s(plan.job_id, chunk.seq).set(**route, priority=priorities[chunk.seq])
            for chunk in segment[first.index + 1 :]
        ]
        if in_parts:
            steps.append(part.si(plan.job_id, first.segment).set(priority=ahead))
        chains.append((first.seq != 0, -sum(len(chunk.text) for chunk in todo), chain(*steps)))
    # The job's first chunk (its first audio), then the longest chains, are published first,
    # so idle workers start on them.
    chains.sort(key=lambda order: order[:2])
    if chains:
        result = chord([sent for *_, sent in chains])(stitch.si(plan.job_id).set(priority=ahead))
    else:
        result = stitch.si(plan.job_id).apply_async(priority=ahead)
    _stop_listening(result)
    return missing


def chunk_priorities(plan: Plan, priority: int) -> list[int]:
    """Each chunk's message priority, by seq: `priority`, or `AHEAD_PRIORITY` where that goes
    first and the chunk's segment has a long way to go or a listener waits for it first."""
    ahead = long_way_to_go(plan) | heard_first(plan)
    return [
        min(priority, AHEAD_PRIORITY) if chunk.seq in ahead else priority for chunk in plan.chunks
    ]


def _stop_listening(result: ResultBase) -> None:
    """Unsubscribe now from the results of the tasks just sent; nobody here waits on them.

    Celery's Redis backend subscribes a sender to the result of every task it sends, and
    unsubscribes in `AsyncResult.__del__`; run at interpreter exit, that finds redis-py unable
    to connect and prints a traceback after every `narrate submit` and `narrate run`.
    """
    consumer = getattr(result.backend, "result_consumer", None)
    if consumer is None:
        return
    pending: list[ResultBase | None] = [result]
    while pending:
        item = pending.pop()
        if item is None:
            continue
        if isinstance(item, GroupResult):
            pending.extend(item.results)
        else:
            consumer.cancel_for(item.id)
        pending.append(item.parent)
