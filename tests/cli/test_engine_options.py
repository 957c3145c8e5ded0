"""Engine choices through the real CLI: an unknown engine, a device the worker cannot use, a
precision it does not know are refused with one line and exit code 2 before anything starts
(listed in docs/BAD_INPUT.md, "Engines")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from tests.cli.test_bad_input import assert_refused
from tests.conftest import narrate


@pytest.fixture(scope="module")
def no_stack_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No broker runs here: a refusal must come before the CLI tries to reach one."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    home = tmp_path_factory.mktemp("engine-options-home")
    return {**clean, "NARRATION_HOME": str(home), "NARRATION_BROKER_URL": "redis://127.0.0.1:1/0"}


def test_an_unknown_engine_is_refused_at_submit(
    no_stack_env: dict[str, str], tmp_path: Path
) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("A small document.\n")
    assert_refused(
        narrate(no_stack_env, "submit", str(document), "--engine", "espeak"),
        "unknown engine 'espeak'; choose one of onnx, torch",
    )


def test_an_unknown_engine_is_refused_by_worker(no_stack_env: dict[str, str]) -> None:
    assert_refused(
        narrate(no_stack_env, "worker", "--engine", "espeak"),
        "unknown engine 'espeak'; choose one of onnx, torch",
    )


def test_onnx_on_a_gpu_is_refused(no_stack_env: dict[str, str]) -> None:
    assert_refused(
        narrate(no_stack_env, "worker", "--device", "cuda:0"),
        "the onnx engine runs on the CPU only, not 'cuda:0'; use the torch engine for a GPU "
        "(docs/ENGINE.md)",
    )


def test_an_unknown_precision_is_refused(no_stack_env: dict[str, str]) -> None:
    assert_refused(
        narrate(no_stack_env, "worker", "--engine", "torch", "--precision", "fp8"),
        "precision must be one of fp32, fp16, bf16, not 'fp8'",
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_a_torch_worker_without_a_gpu_is_refused(no_stack_env: dict[str, str]) -> None:
    assert_refused(
        narrate(no_stack_env, "worker", "--engine", "torch", "--device", "cuda:0"),
        "device 'cuda:0': no CUDA device is available to this process",
    )
