"""A job rendered with `--engine torch` by a real `narrate worker --engine torch --device cpu`:
chunks batched by its micro-batcher, speech of its text as the piper engine speaks it, and the
same bytes after the worker is killed mid-job and its tasks come back to a new one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narration.adapters.chunk_store import CACHE_PREFIX
from narration.adapters.job_record import JobRecord
from narration.connections import Services
from tests.conftest import narrate
from tests.helpers import decode, transcribe, word_error_rate, words_of
from tests.integration.faults import output_bytes, submit, wait_final, wait_until
from tests.integration.torch_worker import TorchWorker

CHAPTERS = {
    "Morning": (
        "The old man woke before the sun came up. He made a pot of tea and sat by the window. "
        "The street was quiet, and the first birds were singing in the trees. He read the paper "
        "for an hour, then he put on his coat and went out to feed the ducks at the pond."
    ),
    "The Market": (
        "At the market he bought bread, cheese and a bag of green apples. The woman at the fruit "
        "stall asked about his garden. He told her that the roses were doing well this year, but "
        "the rain had been hard on the beans. She laughed and gave him an extra apple."
    ),
    "The Letter": (
        "When he came home there was a letter on the mat. It was from his sister, who lived by "
        "the sea. She wrote that the summer had been warm and that the children had grown tall. "
        "She hoped he would come to visit before the end of the year."
    ),
    "Evening": (
        "In the evening he wrote a long answer to his sister. He told her about the ducks, the "
        "market and the roses. Then he made a simple dinner, washed the plates and went to bed "
        "early, because tomorrow he wanted to work in the garden all day."
    ),
}
"""Four chapters: four segments, so four chains are in flight at once and batches can form."""
SEED = "77"


@pytest.fixture(scope="module")
def worker(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TorchWorker]:
    started = TorchWorker(stack_env, tmp_path_factory.mktemp("torch-worker") / "worker.log")
    started.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("torch-job") / "keeper.md"
    path.write_text("".join(f"# {title}\n\n{text}\n\n" for title, text in CHAPTERS.items()))
    return path


@pytest.fixture(scope="module")
def torch_job(
    stack_env: dict[str, str], services: Services, worker: TorchWorker, document: Path
) -> JobRecord:
    services.store().delete_prefix(CACHE_PREFIX)
    job_id = submit(stack_env, document, "--engine", "torch", "--seed", SEED)
    record = wait_final(services, job_id, timeout=300)
    assert record["status"] == "succeeded", record["error"]
    return record


def _fetch(env: dict[str, str], job_id: str, what: str, path: Path) -> Path:
    result = narrate(env, "fetch", job_id, "--what", what, "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


def test_a_whole_job_through_the_torch_worker_in_batches(
    stack_env: dict[str, str], worker: TorchWorker, torch_job: dict[str, Any], tmp_path: Path
) -> None:
    manifest = json.loads(
        _fetch(stack_env, torch_job["job_id"], "manifest", tmp_path / "m.json").read_text()
    )
    assert manifest["engine"]["name"] == "torch"
    assert (manifest["engine"]["device"], manifest["engine"]["precision"]) == ("cpu", "fp32")
    assert [c["title"] for c in manifest["chapters"]] == list(CHAPTERS)
    assert torch_job["chunks_done"] == torch_job["chunks_total"] == len(manifest["chunks"])
    assert max(worker.batch_sizes()) > 1


def test_speech_of_its_text_as_the_piper_engine_speaks_it(
    stack_env: dict[str, str],
    services: Services,
    torch_job: dict[str, Any],
    document: Path,
    tmp_path: Path,
) -> None:
    piper_id = submit(stack_env, document, "--engine", "piper", "--seed", SEED)
    assert wait_final(services, piper_id)["status"] == "succeeded"
    reference = words_of(" ".join(f"{title}. {text}" for title, text in CHAPTERS.items()))
    rates, lengths = {}, {}
    for engine, job_id in (("torch", torch_job["job_id"]), ("piper", piper_id)):
        audio = _fetch(stack_env, job_id, "audio", tmp_path / f"{engine}.mp3")
        lengths[engine] = len(decode(audio))
        rates[engine] = word_error_rate(reference, words_of(transcribe(audio)))
    assert rates["torch"] <= 0.15
    assert abs(rates["torch"] - rates["piper"]) <= 0.02, rates
    assert abs(lengths["torch"] - lengths["piper"]) <= 0.02 * lengths["piper"], lengths


def test_killed_mid_job_a_new_worker_makes_the_same_bytes(
    stack_env: dict[str, str],
    services: Services,
    worker: TorchWorker,
    torch_job: dict[str, Any],
    document: Path,
) -> None:
    reference = output_bytes(services, torch_job["job_id"])
    services.store().delete_prefix(CACHE_PREFIX)  # identical bytes must prove determinism
    job_id = submit(stack_env, document, "--engine", "torch", "--seed", SEED)
    records = services.records()
    wait_until(lambda: records.get(job_id)["chunks_done"] >= 1, 180, "a first chunk")
    worker.kill()
    killed_at = records.get(job_id)
    assert killed_at["status"] == "running" and killed_at["chunks_done"] < killed_at["chunks_total"]
    worker.start()
    record = wait_final(services, job_id, timeout=300)
    assert record["status"] == "succeeded", record["error"]
    assert output_bytes(services, job_id) == reference
