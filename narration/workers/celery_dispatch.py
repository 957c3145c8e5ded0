"""The Celery dispatcher: a job's work (`production.dispatch.JobWork`) as a chord of chains,
one per segment, with the stitch task as its callback.

Tasks are named, not imported (`narration.workers.tasks` defines them): a process that only
sends jobs, as `narrate submit` does, loads neither the tasks nor the code they run.
"""

from __future__ import annotations

from typing import Any, Final

from celery import Celery, Signature, chain, chord
from celery.result import GroupResult, ResultBase

from narration.production.dispatch import JobWork

SYNTH: Final = "narration.synth"
PART: Final = "narration.part"
STITCH: Final = "narration.stitch"
PROOF: Final = "narration.proof"
PROOFED: Final = "narration.proofed"
PROOF_QUEUE: Final = "proof"


class CeleryDispatcher:
    """Sends work to the queues of a Celery app configured beforehand (`workers.celery_config`)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def send(self, work: JobWork) -> None:
        chains = job_chains(self.app, work)
        gate = PROOFED if work.proof else STITCH
        callback = self.app.signature(gate, (work.job_id,), immutable=True)
        callback.set(priority=work.ahead)
        result = chord(chains, app=self.app)(callback) if chains else callback.apply_async()
        _stop_listening(result)


def job_chains(app: Celery, work: JobWork) -> list[Signature]:
    """One Celery chain per segment chain of `work`, in its order."""
    # Queue and routing key both: the route of `narration.synth` names `synth`'s key, and a
    # message for another engine's queue must not keep it. The synth task stores no result
    # (`ignore_result` on the task): said here too, so the sender does not wait for one.
    synth: dict[str, Any] = {"queue": work.queue, "routing_key": work.queue, "ignore_result": True}
    chains = []
    for segment in work.chains:
        steps = []
        for chunk in segment.chunks:
            first = chunk is segment.chunks[0]
            state = segment.state.to_dict()
            args = (state, work.job_id, chunk.seq) if first else (work.job_id, chunk.seq)
            made = app.signature(SYNTH, args).set(**synth, priority=chunk.priority)
            if work.proof:
                made.link(proof_of(app, work.job_id, chunk.seq, work.priority))
            for number in chunk.parts_after:
                made.link(_part(app, work.job_id, number, work.priority))
            steps.append(made)
        if segment.last_part is not None:
            steps.append(_part(app, work.job_id, segment.last_part, work.ahead))
        chains.append(chain(*steps, app=app))
    return chains


def proof_of(app: Celery, job_id: str, seq: int, priority: int) -> Signature:
    """The proof task of a chunk, on the proof queue."""
    signature = app.signature(PROOF, (job_id, seq), immutable=True)
    return signature.set(queue=PROOF_QUEUE, routing_key=PROOF_QUEUE, priority=priority)


def _part(app: Celery, job_id: str, number: int, priority: int) -> Signature:
    return app.signature(PART, (job_id, number), immutable=True).set(priority=priority)


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
