"""A job's work as plain values, and the seam that sends it to the task queue.

A job is a chord: one chain per segment (its chunks, then its last part where the format is
made in parts), then the stitch. A long segment's earlier part (`Plan.parts`) is sent when
the synth task of its last chunk has made it, and encoded while the segment's last chunks are
synthesised. `job_work` decides all of it; a `Dispatcher` only turns it into messages. The
Celery edge provides one (`workers.celery_dispatch`), handed out with the service clients
(`Services.dispatcher`), so planning and creating a job needs no Celery.

Used by `narrate submit` for new jobs and by `narrate resume`, which re-sends only the chains
that still have missing chunks, each starting from the stored state of the chunk before.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from narration.adapters.chunk_store import ChunkStore
from narration.adapters.job_record import JobRecord
from narration.adapters.job_records import new_job_id
from narration.connections import Services
from narration.engines.registry import engine_kind
from narration.pipeline.document import Document
from narration.pipeline.lexicon import Lexicon
from narration.pipeline.plan import JobOptions, Plan, heard_first, long_way_to_go, make_plan
from narration.pipeline.presets import encoded_in_parts
from narration.pipeline.prosody import SessionState
from narration.production.segment_start import first_state
from narration.settings import Settings

JOB_PRIORITY: Final = 6
"""Priority of a job's messages. On the Redis transport 0 is taken first (kombu keeps one list
per priority step, 0/3/6/9); short requests (the HTTP service's SynthesizeSpeech and OpenAI
speech) and HLS segments send at `SHORT_PRIORITY`, so they overtake long jobs' queued chunks."""
SHORT_PRIORITY: Final = 0
AHEAD_PRIORITY: Final = 3
"""Between the two: a job's chunks whose segment has the most left to do
(`pipeline.plan.long_way_to_go`), its parts and its stitch, so that its chains end together
and nothing waits behind other work once the last chunk is made."""


@dataclass(frozen=True)
class ChunkMessage:
    """One synth task: make chunk `seq`, then send the parts that end with it."""

    seq: int
    priority: int
    parts_after: tuple[int, ...] = ()
    """Parts (`Plan.parts` numbers) sent at the job's priority once this chunk is made."""


@dataclass(frozen=True)
class SegmentChain:
    """The chunks of one segment still to make, in order, and the part that ends the chain."""

    state: SessionState
    """The session state the chain's first chunk starts from."""
    chunks: tuple[ChunkMessage, ...]
    last_part: int | None
    """The segment's last part, sent ahead when its chunks are made; None where the format
    is not made in parts."""


@dataclass(frozen=True)
class JobWork:
    """Everything a dispatcher sends for a job: its chains, in publishing order, then the
    stitch once every chain has finished."""

    job_id: str
    queue: str
    """The queue (and routing key) of the job's engine kind."""
    priority: int
    ahead: int
    """The priority of the chains' last parts and of the stitch."""
    chains: tuple[SegmentChain, ...]
    proof: bool = False
    """Each chunk made is proofed (`production.proofing`) on the `proof` queue, and the
    stitch waits for every chunk's proof; the parts are made after it, from the kept takes."""


class Dispatcher(Protocol):
    """Sends a job's work as task messages (the Celery edge: `workers.celery_dispatch`)."""

    def send(self, work: JobWork) -> None: ...


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
    dispatch(plan, chunks, services.work_queue(), priority, stored=set())
    return record


def dispatch(
    plan: Plan,
    chunks: ChunkStore,
    dispatcher: Dispatcher,
    priority: int = JOB_PRIORITY,
    stored: set[int] | None = None,
) -> int:
    """Send the chains whose chunks are not all `stored` (None: list them in storage, as a
    resumed job must); returns how many chunks are missing."""
    if stored is None:
        stored = chunks.stored_seqs()
    dispatcher.send(job_work(plan, stored, functools.partial(_state_after, chunks), priority))
    return sum(1 for chunk in plan.chunks if chunk.seq not in stored)


def job_work(
    plan: Plan, stored: set[int], state_after: Callable[[int], SessionState], priority: int
) -> JobWork:
    """The chains that make the chunks not `stored`, each from its first missing chunk (whose
    state is `state_after` the chunk before it), in the order they are published: the job's
    first chunk (its first audio), then the longest chains, so idle workers start on them."""
    # A proofed job's parts are made once its chunks are proofed (a take kept in a chunk's
    # place changes its part), by the task that waits for the proofs.
    in_parts = encoded_in_parts(plan.options.format, plan.options.master)
    in_parts = in_parts and not plan.options.proof
    priorities = chunk_priorities(plan, priority)
    part_after = _parts_by_last_chunk(plan) if in_parts else {}
    chains: list[tuple[bool, int, SegmentChain]] = []
    for segment in plan.segments:
        todo = [chunk for chunk in segment if chunk.seq not in stored]
        if not todo:
            continue
        first = todo[0]
        state = first_state(plan) if first.index == 0 else state_after(first.seq - 1)
        messages = []
        for chunk in segment[first.index :]:
            # A segment's first part is sent when its last chunk is made; when a resumed chain
            # starts after that chunk, with its first chunk (a part already made is found so).
            # At the job's own priority, not ahead: the part has until the segment's last
            # chunk to be made, and taken before the segment's next chunk it would hold the
            # chain up. The segment's last part ends the chain instead.
            ends = segment[: first.index + 1] if chunk is first else (chunk,)
            parts = tuple(
                part_after[end.seq]
                for end in ends
                if end is not segment[-1] and end.seq in part_after
            )
            messages.append(ChunkMessage(chunk.seq, priorities[chunk.seq], parts))
        last_part = part_after[segment[-1].seq] if in_parts else None
        chain = SegmentChain(state, tuple(messages), last_part)
        chains.append((first.seq != 0, -sum(len(chunk.text) for chunk in todo), chain))
    chains.sort(key=lambda order: order[:2])
    queue = engine_kind(plan.options.engine).queue
    ahead = min(priority, AHEAD_PRIORITY)
    sent = tuple(chain for *_, chain in chains)
    return JobWork(plan.job_id, queue, priority, ahead, sent, plan.options.proof)


def _state_after(chunks: ChunkStore, seq: int) -> SessionState:
    """The state stored with committed chunk `seq`: where the chain after it starts."""
    return SessionState.from_dict(chunks.meta(seq)["state_out"])


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
