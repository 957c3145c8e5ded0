"""Celery tasks, kept thin: decode ids, call pipeline/ and engines/, map errors to retry or fail.

`synth` makes one chunk and returns the session state for the next one in its segment's chain;
its audio and metadata are in object storage before it returns (and so before the late ack).
`stitch` runs once every chain has finished, as the chord's callback.
"""

from __future__ import annotations

import functools
import json
import logging
import tempfile
from pathlib import Path
from typing import Any, Final

from celery import Task
from celery.exceptions import Ignore

from narration.errors import InputError, PermanentError, RetryableError
from narration.pipeline import stitcher
from narration.pipeline.plan import Plan
from narration.pipeline.prosody import SessionState
from narration.pipeline.render import render_chunk
from narration.pipeline.storage import ObjectNotFound
from narration.services import Services
from narration.settings import Settings
from narration.workers.app import app
from narration.workers.engines import engine_for

_LOGGER = logging.getLogger(__name__)

MAX_RETRIES: Final = 10
MAX_BACKOFF_S: Final = 30


def _settings() -> Settings:
    settings: Settings = app.conf.narration_settings
    return settings


def _services() -> Services:
    services: Services = app.conf.narration_services
    return services


@functools.lru_cache(maxsize=1)
def _store_and_records() -> tuple[Any, Any]:
    services = _services()
    return services.store(), services.records()


@functools.lru_cache(maxsize=16)
def _plan(job_id: str) -> Plan:
    store, _ = _store_and_records()
    return Plan.from_json(store.get_bytes(_services().keys(job_id).plan))


def _retry_or_fail(task: Task, job_id: str, error: Exception) -> None:
    """Retry transient errors with capped exponential backoff; fail the job on anything else."""
    _, records = _store_and_records()
    if isinstance(error, RetryableError | ObjectNotFound) and task.request.retries < MAX_RETRIES:
        countdown = min(MAX_BACKOFF_S, 2**task.request.retries)
        _LOGGER.warning("job %s: %s; retry in %s s", job_id, error, countdown)
        raise task.retry(exc=error, countdown=countdown)
    reason = str(error) if isinstance(error, InputError | PermanentError) else repr(error)
    records.set_status(job_id, "failed", error=reason[:500])
    raise error


def _stored_state(
    store: Any, records: Any, meta_key: str, job_id: str, seq: int
) -> dict[str, Any] | None:
    """The next state of a chunk made before (a redelivered task), or None.

    The job's done set in Redis answers in one round trip, where asking storage would cost an S3
    HEAD per chunk. A chunk stored by a task that died before recording it is simply made
    again: rendering is deterministic, so the same bytes are written over the same keys.
    """
    if not records.is_chunk_done(job_id, str(seq)):
        return None
    try:
        meta = json.loads(store.get_bytes(meta_key))
    except ObjectNotFound:
        return None
    records.chunk_done(job_id, str(seq), meta["duration_s"])
    state: dict[str, Any] = meta["state_out"]
    return state


@app.task(name="narration.synth", bind=True, max_retries=MAX_RETRIES)
def synth(self: Task, state: dict[str, Any], job_id: str, seq: int) -> dict[str, Any]:
    store, records = _store_and_records()
    if records.is_cancelled(job_id):
        raise Ignore()
    keys = _services().keys(job_id)
    try:
        stored = _stored_state(store, records, keys.chunk_meta(seq), job_id, seq)
        if stored is not None:
            return stored
        plan = _plan(job_id)
        if records.get(job_id)["status"] == "queued":
            records.set_status(job_id, "running")
        chunk = plan.chunks[seq]
        engine = engine_for(plan.options.voice, _settings())
        rendered = render_chunk(engine, chunk, SessionState.from_dict(state))
        store.put_bytes(keys.chunk_audio(seq), rendered.wav, "audio/wav")
        store.put_bytes(
            keys.chunk_meta(seq), json.dumps(rendered.meta).encode(), "application/json"
        )
        records.chunk_done(job_id, str(seq), rendered.meta["duration_s"])
        return rendered.next_state.to_dict()
    except Exception as error:
        _retry_or_fail(self, job_id, error)
        raise


@app.task(name="narration.stitch", bind=True, max_retries=MAX_RETRIES)
def stitch(self: Task, job_id: str) -> dict[str, Any]:
    store, records = _store_and_records()
    if records.is_cancelled(job_id):
        raise Ignore()
    try:
        records.set_status(job_id, "stitching")
        plan = _plan(job_id)
        with tempfile.TemporaryDirectory(prefix="narration-stitch-") as workdir:
            result = stitcher.stitch_job(plan, store, _services().keys(job_id), Path(workdir))
        records.set_status(
            job_id,
            "succeeded",
            output_uri=result.output_uri,
            duration_s=result.duration_s,
        )
        return {"output_uri": result.output_uri}
    except Exception as error:
        _retry_or_fail(self, job_id, error)
        raise
