"""A Kokoro job rendered by a real `narrate worker --engine torch --device cpu`: made by the
torch runtime, spoken as the onnxruntime engine speaks it (the same words and word timings, the
same spectrum where the timings agree, the same word error rate), and, batched with another
job on queue `synth-torch`, the same bytes as rendered alone."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narration import stack
from narration.adapters.chunk_store import CACHE_PREFIX
from narration.connections import Services, resolve
from narration.engines.kokoro import assets
from narration.settings import load_settings
from tests.conftest import ROOT
from tests.helpers import decode, log_spectral_distance, word_error_rate, words_of
from tests.integration import kokoro_jobs
from tests.integration.faults import output_bytes, wait_final
from tests.integration.torch_worker import TorchWorker

pytestmark = pytest.mark.skipif(
    not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
)
RATE = 24_000
OTHER = "The lighthouse keeper wrote in his log. The wind had turned to the north at noon."
"""The job that shares the torch worker's batches with the shared one."""
VISIBILITY_TIMEOUT_S = "600"
BATCH_WAIT_MS = "1000"
"""Long enough for two jobs submitted together to meet in one batch on a busy machine."""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A stack of its own: the session stack redelivers a task unacknowledged for 20 s, and a
    Kokoro batch on a busy 2-core CPU can take longer, so its chunks would be rendered again
    and again while the first render runs."""
    home = tmp_path_factory.mktemp("kokoro-torch-home")
    settings = load_settings(environ={"NARRATION_HOME": str(home)})
    try:
        stack.up(settings, workers=1, overrides={"VISIBILITY_TIMEOUT_S": VISIBILITY_TIMEOUT_S})
    except Exception:
        stack.down(home)
        raise
    yield home
    stack.down(home)


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {
        **clean,
        "NARRATION_HOME": str(home),
        "NARRATION_VISIBILITY_TIMEOUT_S": VISIBILITY_TIMEOUT_S,
    }


@pytest.fixture(scope="module")
def services(env: dict[str, str]) -> Services:
    return resolve(load_settings(environ=env))


@pytest.fixture(scope="module")
def worker(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[TorchWorker]:
    started = TorchWorker(
        {**env, "NARRATION_TORCH_BATCH_WAIT_MS": BATCH_WAIT_MS},
        tmp_path_factory.mktemp("kokoro-torch-worker") / "worker.log",
    )
    started.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def onnx_job(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return kokoro_jobs.render(env, tmp_path_factory.mktemp("kokoro-onnx"))


@pytest.fixture(scope="module")
def torch_job(
    env: dict[str, str], worker: TorchWorker, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return kokoro_jobs.render(env, tmp_path_factory.mktemp("kokoro-torch"), "--engine", "torch")


def _intervals(path: Path) -> list[tuple[str, int, int]]:
    """Each word but the last with its start and the next word's start, in samples."""
    marks = kokoro_jobs.word_marks(path)
    return [
        (mark["value"], mark["time"] * RATE // 1000, after["time"] * RATE // 1000)
        for mark, after in itertools.pairwise(marks)
    ]


def test_the_torch_runtime_made_it(torch_job: dict[str, Any], worker: TorchWorker) -> None:
    assert torch_job["record"]["status"] == "succeeded"
    manifest = json.loads(torch_job["manifest"].read_text())
    engine = manifest["engine"]
    assert (engine["name"], engine["device"], engine["precision"]) == ("torch", "cpu", "fp32")
    assert engine["params"]["voice"]["family"] == "kokoro"
    assert 2 <= len(manifest["chunks"]) <= 3
    assert len(worker.batch_sizes()) >= len(manifest["chunks"])


def test_it_speaks_as_the_onnx_runtime_does(
    torch_job: dict[str, Any], onnx_job: dict[str, Any]
) -> None:
    ours, theirs = _intervals(torch_job["marks"]), _intervals(onnx_job["marks"])
    assert [word for word, *_ in ours] == [word for word, *_ in theirs]
    same = [
        (mine, other)
        for mine, other in zip(ours, theirs, strict=True)
        if abs((mine[2] - mine[1]) - (other[2] - other[1])) <= RATE // 1000
    ]
    audio = {
        "torch": decode(torch_job["audio"], RATE),
        "onnx": decode(onnx_job["audio"], RATE),
    }
    spans = [(audio["torch"][a:b], audio["onnx"][c : c + (b - a)]) for (_, a, b), (_, c, _) in same]
    lsd = log_spectral_distance(
        np.concatenate([mine for mine, _ in spans]), np.concatenate([other for _, other in spans])
    )
    starts = max(abs(m[1] - o[1]) for m, o in zip(ours, theirs, strict=True)) / RATE
    rates = {
        name: word_error_rate(
            words_of(kokoro_jobs.SPOKEN), [w for w, _ in kokoro_jobs.heard_words(job["audio"])]
        )
        for name, job in (("torch", torch_job), ("onnx", onnx_job))
    }
    assert len(same) >= 0.75 * len(ours)
    assert starts <= 0.1
    assert lsd < 8.0
    assert abs(rates["torch"] - rates["onnx"]) <= 0.02


def test_batched_with_another_job_the_same_bytes(
    env: dict[str, str],
    services: Services,
    worker: TorchWorker,
    torch_job: dict[str, Any],
    tmp_path: Path,
) -> None:
    alone = output_bytes(services, torch_job["record"]["job_id"])
    services.store().delete_prefix(CACHE_PREFIX)  # rendered again, in batches this time
    (tmp_path / "harbour.ssml").write_text(kokoro_jobs.SSML)
    (tmp_path / "log.txt").write_text(OTHER)
    before = len(worker.batch_sizes())
    command = [sys.executable, "-m", "narration.cli.main", "submit", "--voice", kokoro_jobs.VOICE]
    command += ["--format", "wav", "--engine", "torch", "--json"]
    submits = [  # at once, so that their chunks meet in the worker's batches
        subprocess.Popen(
            [*command, str(tmp_path / name)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for name in ("harbour.ssml", "log.txt")
    ]
    job_ids = []
    for submit in submits:
        out, err = submit.communicate(timeout=120)
        assert submit.returncode == 0, err
        job_ids.append(json.loads(out)["job_id"])
    for job_id in job_ids:
        record = wait_final(services, job_id, timeout=300)
        assert record["status"] == "succeeded", record["error"]
    assert max(worker.batch_sizes()[before:]) >= 2
    assert output_bytes(services, job_ids[0]) == alone
