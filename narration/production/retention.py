"""Intermediate objects are deleted after `chunk_retention_days`: a job's chunk metadata once
the job has been over that long, a chunk-cache entry once it has not been used that long.

Workers run `sweep` from their background thread about once an hour. Deleting is idempotent and
every worker may run it; a job's record notes when its chunks were purged so it is skipped.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from narration.adapters.chunk_store import expire_cache
from narration.adapters.job_records import FINAL_STATUSES
from narration.production.context import WorkerContext

_LOGGER = logging.getLogger(__name__)

SWEEP_INTERVAL_S: Final = 3600.0
SWEEP_BATCH: Final = 10_000


def sweep(context: WorkerContext, retention_days: float, now: float | None = None) -> list[str]:
    """Purge the chunks of every job that ended more than `retention_days` ago, and the cache
    entries unused for as long; returns the jobs purged."""
    now = time.time() if now is None else now
    cutoff = now - retention_days * 86400.0
    records = context.records
    purged = []
    for record in records.list(SWEEP_BATCH):
        finished = record.get("finished_at")
        if record["status"] not in FINAL_STATUSES or record.get("chunks_purged_at"):
            continue
        if finished is None or finished > cutoff:
            continue
        removed = context.chunks(record["job_id"]).purge()
        records.update(record["job_id"], chunks_purged_at=now)
        _LOGGER.info("job %s: removed %d intermediate objects", record["job_id"], removed)
        purged.append(record["job_id"])
    expired = expire_cache(context.objects, records, cutoff)
    if expired:
        _LOGGER.info("removed %d chunk-cache entries unused for %s days", expired, retention_days)
    return purged
