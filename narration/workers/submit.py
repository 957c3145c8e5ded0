"""Turn a plan into Celery work: a chord of one chain per segment (its chunks, then its last
part where the format is made in parts), then the stitch task. A long segment's earlier part
(`Plan.parts`) is linked to the synth task of its last chunk: it is sent when that chunk is
made, and encoded while the segment's last chunks are synthesised.

Used by `narrate submit` for new jobs and by `narrate resume`, which re-sends only the chains
that still have missing chunks, each starting from the stored state of the chunk before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from celery import Signature, chain, chord
from celery.result import GroupResult, ResultBase

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.job_record import JobRecord
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
    fields: Mapping[str, object] | None = None,
    priority: int = JOB_PRIORITY,
) -> JobRecord:
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
    chains = job_chains(plan, stored, lambda seq: chunks.meta(seq)["state_out"], priority)
    ahead = min(priority, AHEAD_PRIORITY)
    if chains:
        result = chord(chains)(stitch.si(plan.job_id).set(priority=ahead))
    else:
        result = stitch.si(plan.job_id).apply_async(priority=ahead)
    _stop_listening(result)
    return sum(1 for chunk in plan.chunks if chunk.seq not in stored)


def job_chains(
    plan: Plan, stored: set[int], state_after: Callable[[int], dict[str, Any]], priority: int
) -> list[Signature]:
    """The chains that make the chunks not `stored`, each from its first missing chunk (whose
    state is `state_after` the chunk before it), in the order they are published: the job's
    first chunk (its first audio), then the longest chains, so idle workers start on them."""
    in_parts = encoded_in_parts(plan.options.format, plan.options.master)
    kind = engine_kind(plan.options.engine)
    # Queue and routing key both: the route of `narration.synth` names `synth`'s key, and a
    # message for another engine's queue must not keep it.
    route = {"queue": kind.queue, "routing_key": kind.queue}
    priorities = chunk_priorities(plan, priority)
    ahead = min(priority, AHEAD_PRIORITY)
    part_after = _parts_by_last_chunk(plan) if in_parts else {}
    chains: list[tuple[bool, int, Signature]] = []
    for segment in plan.segments:
        todo = [chunk for chunk in segment if chunk.seq not in stored]
        if not todo:
            continue
        first = todo[0]
        state = first_state(plan).to_dict() if first.index == 0 else state_after(first.seq - 1)
        steps = []
        for chunk in segment[first.index :]:
            args = (state, plan.job_id, chunk.seq) if chunk is first else (plan.job_id, chunk.seq)
            made = synth.s(*args).set(**route, priority=priorities[chunk.seq])
            # A segment's first part is sent when its last chunk is made; when a resumed chain
            # starts after that chunk, with its first chunk (a part already made is found so).
            # At the job's own priority, not ahead: the part has until the segment's last
            # chunk to be made, and taken before the segment's next chunk it would hold the
            # chain up. The segment's last part ends the chain instead.
            ends = segment[: first.index + 1] if chunk is first else (chunk,)
            for end in ends:
                if end is not segment[-1] and end.seq in part_after:
                    made.link(part.si(plan.job_id, part_after[end.seq]).set(priority=priority))
            steps.append(made)
        if in_parts:
            steps.append(part.si(plan.job_id, part_after[segment[-1].seq]).set(priority=ahead))
        chains.append((first.seq != 0, -sum(len(chunk.text) for chunk in todo), chain(*steps)))
    chains.sort(key=lambda order: order[:2])
    return [sent for *_, sent in chains]


def _parts_by_last_chunk(plan: Plan) -> dict[int, int]:
    """Each part's number (`Plan.parts`), by the seq of its last chunk."""
    return {run[-1].seq: number for number, run in enumerate(plan.parts)}


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
