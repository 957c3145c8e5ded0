"""The Celery tasks of a `--proof` job, kept thin like `workers.tasks`.

`proof` hears one stored chunk on the `proof` queue, sent when its synth task has made it
(`production.proofing.takes`). `proofed` is the job's chord callback in the stitch's place: it
waits, by retrying itself, until every chunk has its proof (sending the proofs a resumed job's
earlier chunks never had), records the job's proof summary, then sends the parts and the
stitch, made from the kept takes.
"""

from __future__ import annotations

import logging
from typing import Final

from celery import Task, chord
from celery.exceptions import Ignore, Retry

from narration.pipeline.presets import encoded_in_parts
from narration.production.context import current
from narration.production.dispatch import AHEAD_PRIORITY, JOB_PRIORITY
from narration.production.proofing.results import proofed_seqs, stored_proof, summary
from narration.production.proofing.takes import proof_chunk
from narration.workers.app import app
from narration.workers.tasks import MAX_RETRIES, part, retry_or_fail, stitch

_LOGGER = logging.getLogger(__name__)

PROOF_QUEUE: Final = "proof"
PROOF_WAIT_S: Final = 0.5
"""How often the stitch's gate looks for the proofs still to come: the stitch starts up to this
long after the last proof lands, and each look is one listing of the job's proofs."""


@app.task(name="narration.proof", bind=True, max_retries=MAX_RETRIES, ignore_result=True)
def proof(self: Task, job_id: str, seq: int) -> None:
    context = current()
    try:
        if context.records.is_cancelled(job_id):
            raise Ignore()
        proof_chunk(context, job_id, seq)
    except Ignore:
        raise
    except Exception as error:
        retry_or_fail(self, context, job_id, error)
        raise


@app.task(name="narration.proofed", bind=True, max_retries=None)
def proofed(self: Task, job_id: str) -> None:
    """Send the parts and the stitch once every chunk of the job is proofed."""
    context = current()
    try:
        if context.records.is_cancelled(job_id):
            raise Ignore()
        plan = context.plan(job_id)
        chunks = context.chunks(job_id)
        done = proofed_seqs(chunks)
        missing = [chunk.seq for chunk in plan.chunks if chunk.seq not in done]
        if missing:
            if not self.request.retries:
                for seq in missing:
                    proof.si(job_id, seq).apply_async(
                        queue=PROOF_QUEUE, routing_key=PROOF_QUEUE, priority=JOB_PRIORITY
                    )
            raise self.retry(countdown=PROOF_WAIT_S)
        proofs = [stored_proof(chunks, chunk.seq) for chunk in plan.chunks]
        context.records.update(job_id, proof=summary([p for p in proofs if p is not None]))
    except (Ignore, Retry):
        raise
    except Exception as error:
        retry_or_fail(self, context, job_id, error)
        raise
    last = stitch.si(job_id).set(priority=AHEAD_PRIORITY)
    if encoded_in_parts(plan.options.format, plan.options.master) and plan.parts:
        parts = [
            part.si(job_id, number).set(priority=AHEAD_PRIORITY)
            for number in range(len(plan.parts))
        ]
        chord(parts)(last)
    else:
        last.apply_async()
