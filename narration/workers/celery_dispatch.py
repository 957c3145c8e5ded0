"""The Celery dispatcher: a job's work (`production.dispatch.JobWork`) as a chord of chains,
one per segment, with the stitch task as its callback."""

from __future__ import annotations

from celery import Signature, chain, chord
from celery.result import GroupResult, ResultBase

from narration.production.dispatch import JobWork
from narration.workers.proof_tasks import PROOF_QUEUE, proof, proofed
from narration.workers.tasks import part, stitch, synth


class CeleryDispatcher:
    """Sends work to the queues of the Celery app (`workers.app`), configured beforehand."""

    def send(self, work: JobWork) -> None:
        chains = job_chains(work)
        gate = proofed if work.proof else stitch
        callback = gate.si(work.job_id).set(priority=work.ahead)
        result = chord(chains)(callback) if chains else callback.apply_async()
        _stop_listening(result)


def job_chains(work: JobWork) -> list[Signature]:
    """One Celery chain per segment chain of `work`, in its order."""
    # Queue and routing key both: the route of `narration.synth` names `synth`'s key, and a
    # message for another engine's queue must not keep it.
    route = {"queue": work.queue, "routing_key": work.queue}
    chains = []
    for segment in work.chains:
        steps = []
        for chunk in segment.chunks:
            first = chunk is segment.chunks[0]
            state = segment.state.to_dict()
            args = (state, work.job_id, chunk.seq) if first else (work.job_id, chunk.seq)
            made = synth.s(*args).set(**route, priority=chunk.priority)
            if work.proof:
                made.link(proof_of(work.job_id, chunk.seq, work.priority))
            for number in chunk.parts_after:
                made.link(part.si(work.job_id, number).set(priority=work.priority))
            steps.append(made)
        if segment.last_part is not None:
            steps.append(part.si(work.job_id, segment.last_part).set(priority=work.ahead))
        chains.append(chain(*steps))
    return chains


def proof_of(job_id: str, seq: int, priority: int) -> Signature:
    """The proof task of a chunk, on the proof queue."""
    return proof.si(job_id, seq).set(queue=PROOF_QUEUE, routing_key=PROOF_QUEUE, priority=priority)


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
