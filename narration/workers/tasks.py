"""Celery tasks, kept thin: decode ids, call `production.steps`, map errors to retry or fail.

`synth` makes one chunk and returns the session state for the next one in its segment's chain
(Celery puts it into the chain's next message; no result is stored, which saves a write per
chunk, and a chord still counts the task); its audio and metadata are committed in the
background (`production.commits`), and a part task re-makes a chunk whose commit was lost.
`part` ends each chain: it masters and encodes the segment's last part of the output while
other segments are still being synthesised; a long segment's earlier part is sent by the synth
task of its last chunk (`production.dispatch`), while the segment's last chunks are made. `stitch`
runs once every chain has finished, as the chord's callback. Each checks for a cancelled job
inside the retry path, so a broker blip during that check is retried too.
"""

from __future__ import annotations

import logging
import time
from typing import Final, NoReturn, TypedDict

from celery import Task
from celery.exceptions import Ignore, Reject

from narration.errors import InputError, ObjectNotFound, PermanentError, RetryableError
from narration.production import hls_preview, steps
from narration.production.context import WorkerContext, current
from narration.production.dispatch import SHORT_PRIORITY
from narration.production.render_ahead import ChainMessage, ChainStep
from narration.workers.app import app

_LOGGER = logging.getLogger(__name__)

MAX_RETRIES: Final = 10
MAX_BACKOFF_S: Final = 30
RETRY_SEND_WINDOW_S: Final = 60.0
"""How long a task keeps trying to send its retry while the broker is down."""
RETRY_SEND_PAUSE_S: Final = 2.0


class PartDone(TypedDict):
    """A part task's result (JSON, in the result backend): the part and its length."""

    part: int
    samples: int


class StitchDone(TypedDict):
    """The stitch task's result: where the output went."""

    output_uri: str


def retry_or_fail(task: Task, context: WorkerContext, job_id: str, error: Exception) -> None:
    """Retry transient errors with capped exponential backoff; fail the job on anything else.

    A missing object is retried too: a plan or chunk written by another worker may not be
    visible yet on an eventually consistent store.
    """
    transient = isinstance(error, RetryableError | ObjectNotFound)
    if transient and task.request.retries < MAX_RETRIES:
        countdown = min(MAX_BACKOFF_S, 2**task.request.retries)
        _LOGGER.warning("job %s: %s; retry in %s s", job_id, error, countdown)
        send_retry(task, error, countdown)
    reason = str(error) if isinstance(error, InputError | PermanentError) else repr(error)
    context.records.set_status(job_id, "failed", error=reason[:500])
    raise error


def send_retry(
    task: Task, error: Exception, countdown: int, window_s: float = RETRY_SEND_WINDOW_S
) -> NoReturn:
    """Send the task's retry; while the broker is unreachable, keep trying for `window_s`.

    Celery sends a retry as a new message. When that send fails, Celery rejects the task without
    requeueing it, which drops the message and fails the chord: the job would never finish
    (found by bench/soak.py, a Valkey restart during a chunk's broker error). Once the window
    has passed, the message is requeued instead; if even that cannot reach the broker, it stays
    unacknowledged and the visibility-timeout scan delivers it again.
    """
    deadline = time.monotonic() + window_s
    while True:
        try:
            raise task.retry(exc=error, countdown=countdown)
        except Reject as refused:
            if time.monotonic() >= deadline:
                raise Reject(refused.reason, requeue=True) from None
            _LOGGER.warning("retry of %s not sent (%s); trying again", task.name, refused.reason)
            time.sleep(RETRY_SEND_PAUSE_S)


@app.task(name="narration.synth", bind=True, max_retries=MAX_RETRIES, ignore_result=True)
def synth(self: Task, state: ChainMessage, job_id: str, seq: int) -> ChainMessage:
    """Make chunk `seq` from the state before it (or find it made by the task before, with
    the next one: `production.render_ahead`); the state after it, the next synth task's first
    argument. Messages carry the state as JSON; the production code takes it typed."""
    context = current()
    try:
        if context.records.is_cancelled(job_id):
            raise Ignore()
        step = steps.make_chain_step(context, ChainStep.from_message(state), job_id, seq)
        if context.plan(job_id).options.hls:
            hls_preview.advance_soon(context, job_id)
            hls_segments.apply_async((job_id,), priority=SHORT_PRIORITY)
        return step.to_message()
    except Ignore:
        raise
    except Exception as error:
        retry_or_fail(self, context, job_id, error)
        raise


@app.task(name="narration.part", bind=True, max_retries=MAX_RETRIES)
def part(self: Task, job_id: str, number: int) -> PartDone:
    context = current()
    try:
        if context.records.is_cancelled(job_id):
            raise Ignore()
        made = steps.make_part(context, job_id, number)
        return {"part": number, "samples": made["samples"]}
    except Ignore:
        raise
    except Exception as error:
        retry_or_fail(self, context, job_id, error)
        raise


@app.task(name="narration.stitch", bind=True, max_retries=MAX_RETRIES)
def stitch(self: Task, job_id: str) -> StitchDone:
    context = current()
    try:
        if context.records.is_cancelled(job_id):
            raise Ignore()
        result = steps.stitch(context, job_id)
        return {"output_uri": result.output_uri}
    except Ignore:
        raise
    except Exception as error:
        retry_or_fail(self, context, job_id, error)
        raise


@app.task(name="narration.hls", bind=True, max_retries=3, ignore_result=True)
def hls_segments(self: Task, job_id: str) -> None:
    """Grow the job's HLS playlist (a preview: its failure never fails the job)."""
    try:
        hls_preview.advance(current(), job_id)
    except RetryableError as error:
        raise self.retry(exc=error, countdown=2) from None
    except Exception as error:
        _LOGGER.warning("job %s: HLS playlist not grown: %s", job_id, error)
