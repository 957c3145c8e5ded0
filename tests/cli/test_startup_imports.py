"""Which modules `narrate --help`, `status`, `list` and `submit` load: none they do not need.

They answer in a few tenths of a second only while they import no Celery, boto3, numpy, scipy or
engine (docs/BENCHMARKS.md, "CLI start-up"). These tests run the CLI's entry point in a fresh
interpreter, as the `narrate` script does, and read `sys.modules` as it exits, so a module that
creeps back into start-up fails here, without timing anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from narration.adapters.job_records import new_job_id
from narration.connections import Services
from narration.errors import EXIT_SERVICE
from tests.conftest import ROOT

HEAVY: tuple[str, ...] = (
    "boto3",
    "botocore",
    "s3transfer",
    "celery",
    "kombu",
    "billiard",
    "numpy",
    "scipy",
    "torch",
    "onnxruntime",
    "piper",
    "blingfire",
    "lxml",
    "ebooklib",
    "uvicorn",
    "starlette",
    "narration.workers",
    "narration.jobs",
    "narration.engines",
    "narration.stack",
    "pydantic",
    "typer._adapters",
    "redis.asyncio.client",
    "redis.asyncio.connection",
)
"""Packages (with their submodules) none of these commands needs: pydantic converts only a flag
value given on the command line that needs converting (`cli.flag_conversion`), and redis-py's
asyncio client runs only where it is used (`adapters.redis_package`)."""

_RUN_CLI = """
import atexit, json, pathlib, sys
dump = pathlib.Path(sys.argv[1])
atexit.register(lambda: dump.write_text(json.dumps(sorted(sys.modules))))
sys.argv = ["narrate", *sys.argv[2:]]
from narration.cli.main import entry
entry()
"""
"""`narrate ARGS` in this interpreter; at exit, the names of the loaded modules go to a file."""


def loaded_modules(
    env: dict[str, str], tmp_path: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    dump = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", _RUN_CLI, str(dump), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    return result, set(json.loads(dump.read_text()))


def heavy(modules: set[str], packages: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.fixture()
def no_stack_env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {**clean, "NARRATION_HOME": str(tmp_path / "home")}


def test_the_check_sees_a_heavy_import(no_stack_env: dict[str, str], tmp_path: Path) -> None:
    """`inspect` reads the document with the pipeline: the check must report it."""
    document = tmp_path / "page.txt"
    document.write_text("One sentence to read.\n")
    result, modules = loaded_modules(no_stack_env, tmp_path, "inspect", str(document))
    assert result.returncode == 0, result.stderr
    assert "narration.pipeline.chunker" in modules


def test_help_loads_no_heavy_module_and_no_redis(
    no_stack_env: dict[str, str], tmp_path: Path
) -> None:
    result, modules = loaded_modules(no_stack_env, tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert "status" in result.stdout
    assert heavy(modules, (*HEAVY, "redis")) == []


def test_voices_help_loads_no_heavy_module(no_stack_env: dict[str, str], tmp_path: Path) -> None:
    result, modules = loaded_modules(no_stack_env, tmp_path, "voices", "--help")
    assert result.returncode == 0, result.stderr
    assert "install" in result.stdout
    assert heavy(modules, (*HEAVY, "redis")) == []


@pytest.mark.parametrize("args", [("status", "0" * 32), ("list",)])
def test_status_and_list_load_no_heavy_module(
    no_stack_env: dict[str, str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Against a broker that refuses connections: they still load the job records' client."""
    env = {
        **no_stack_env,
        "NARRATION_BROKER_URL": "redis://127.0.0.1:9/0",
        "NARRATION_S3_ENDPOINT": "http://127.0.0.1:9",
    }
    result, modules = loaded_modules(env, tmp_path, *args)
    assert result.returncode == EXIT_SERVICE, result.stderr
    assert "narration.adapters.job_records" in modules
    assert heavy(modules) == []


@pytest.mark.integration
def test_status_of_a_real_job_loads_no_heavy_module(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    job_id = new_job_id()
    services.records().create(job_id, {"title": "start-up imports"})
    result, modules = loaded_modules(stack_env, tmp_path, "status", job_id, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "start-up imports"
    assert heavy(modules) == []


SUBMIT_SPARED: tuple[str, ...] = (
    "pydantic",
    "typer._adapters",
    "redis.asyncio.client",
    "redis.asyncio.connection",
    "numpy",
    "blingfire",
    "lxml",
    "boto3",
    "botocore",
    "s3transfer",
    "scipy",
    "torch",
    "onnxruntime",
    "onnx",
    "piper",
    "uvicorn",
    "starlette",
    "narration.engines.piper",
    "narration.engines.torch_vits",
    "narration.stack",
    "narration.service",
    "narration.workers.app",
    "narration.workers.tasks",
    "narration.production.steps",
    "narration.production.context",
    "narration.production.stitch",
    "narration.cli.progress",
    "narration.adapters.bookends",
    "narration.adapters.ffmpeg",
    "narration.pipeline.timeline",
)
"""What `narrate submit` sends a job without: no engine runtime, no signal processing, no
service or stack; it names the Celery tasks without importing them or the code they run
(`workers.sender`), puts the plan without boto3 (`adapters.s3_put`), decodes no intro or outro
and parses no lexicon (lxml) it was not given, splits sentences with blingfire's library alone
(its package imports numpy), without `--wait` shows no progress (it needs Celery, redis-py and
the pipeline's planning), and converts no flag value through pydantic (`cli.flag_conversion`)
and loads no asyncio Redis client (`adapters.redis_package`)."""


@pytest.mark.integration
def test_submit_loads_no_engine_runtime(stack_env: dict[str, str], tmp_path: Path) -> None:
    document = tmp_path / "page.txt"
    document.write_text("A short page to narrate. It has two sentences.\n")
    result, modules = loaded_modules(stack_env, tmp_path, "submit", str(document))
    assert result.returncode == 0, result.stderr
    assert "narration.jobs" in modules
    assert heavy(modules, SUBMIT_SPARED) == []
