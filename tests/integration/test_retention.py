"""Chunk objects of ended jobs are purged after the retention period; outputs stay."""

from __future__ import annotations

import time
from pathlib import Path

from narration.connections import Services
from narration.production.context import WorkerContext
from narration.production.retention import sweep
from narration.settings import Settings
from tests.integration.faults import submit, wait_final


def test_sweep_purges_chunks_of_jobs_past_retention(
    stack_env: dict[str, str], services: Services, settings: Settings, tmp_path: Path
) -> None:
    context = WorkerContext.connect(settings, services)
    source = tmp_path / "kept.txt"
    source.write_text("A short job whose chunks will be swept away.")
    job_id = submit(stack_env, source)
    assert wait_final(services, job_id)["status"] == "succeeded"
    store = services.store()
    keys = services.keys(job_id)
    assert store.list_keys(keys.chunks_prefix)
    assert job_id not in sweep(context, retention_days=7)
    assert store.list_keys(keys.chunks_prefix)
    purged = sweep(context, retention_days=1, now=time.time() + 2 * 86400)
    assert job_id in purged
    assert store.list_keys(keys.chunks_prefix) == []
    assert store.exists(keys.manifest)
    assert services.records().get(job_id)["chunks_purged_at"]
    assert job_id not in sweep(context, retention_days=1, now=time.time() + 2 * 86400)
