"""Reproducible by default, and an edit re-renders only what changed.

Seeds come from each chunk's content, so the same document narrated twice gives the same bytes
without `--seed`; the chunk cache lets an edited document reuse every chunk whose key is
unchanged, which is at most about two segments' worth of new synthesis.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.connections import Services
from narration.pipeline.plan import Plan
from tests.conftest import narrate
from tests.integration.faults import output_bytes, submit, wait_final

PARAGRAPHS = [
    f"Paragraph {n} tells of the lighthouse keeper's day number {n}. The lamp was lit at dusk."
    for n in range(36)
]


def _document(tmp_path: Path, name: str, paragraphs: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n\n".join(paragraphs) + "\n")
    return path


def _artifacts(services: Services, job_id: str) -> dict[str, bytes]:
    store, keys = services.store(), services.keys(job_id)
    found = {"audio": output_bytes(services, job_id)}
    for name in ("captions.vtt", "captions.srt", "marks.json"):
        found[name] = store.get_bytes(keys.artifact(name))
    return found


def _segments(services: Services, job_id: str) -> list[tuple[str, ...]]:
    plan = Plan.from_json(services.store().get_bytes(services.keys(job_id).plan))
    return [tuple(chunk.text for chunk in segment) for segment in plan.segments]


@pytest.fixture(autouse=True)
def empty_cache(services: Services) -> None:
    services.store().delete_prefix(CACHE_PREFIX)


def test_same_document_twice_without_seed_gives_identical_files(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    document = _document(tmp_path, "keeper.txt", PARAGRAPHS[:6])
    first = submit(stack_env, document)
    assert wait_final(services, first)["status"] == "succeeded"
    services.store().delete_prefix(CACHE_PREFIX)  # the second run must synthesise again
    second = submit(stack_env, document)
    record = wait_final(services, second)
    assert record["status"] == "succeeded"
    assert record["chunks_reused"] == 0
    assert _artifacts(services, first) == _artifacts(services, second)


def test_an_edited_document_reuses_unchanged_chunks(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    original = submit(stack_env, _document(tmp_path, "a.txt", PARAGRAPHS))
    assert wait_final(services, original, timeout=600)["status"] == "succeeded"
    edited_paragraphs = list(PARAGRAPHS)
    edited_paragraphs[18] = edited_paragraphs[18].replace("lamp was lit", "lamp was trimmed")
    edited = submit(stack_env, _document(tmp_path, "b.txt", edited_paragraphs))
    record = wait_final(services, edited, timeout=600)
    assert record["status"] == "succeeded", record["error"]

    remade = record["chunks_total"] - record["chunks_reused"]
    before = _segments(services, original)
    changed = [segment for segment in _segments(services, edited) if segment not in before]
    assert 1 <= len(changed) <= 2
    assert 1 <= remade <= sum(len(segment) for segment in changed)
    status = narrate(stack_env, "status", edited, "--json")
    assert json.loads(status.stdout)["chunks_reused"] == record["chunks_reused"]

    # A purge removes only the job's own objects: the cache still serves the next job.
    assert narrate(stack_env, "purge", original).returncode == 0
    (tmp_path / "again").mkdir()
    again = submit(stack_env, _document(tmp_path / "again", "a.txt", PARAGRAPHS))
    record = wait_final(services, again, timeout=600)
    assert record["status"] == "succeeded", record["error"]
    assert record["chunks_reused"] == record["chunks_total"]
    assert output_bytes(services, again) == output_bytes(services, original)  # same title too
