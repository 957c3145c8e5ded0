"""Session fixtures: the real local stack (Valkey, SeaweedFS, a Celery worker) started once.

A stack that cannot start fails the session loudly; it is never skipped in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from narration import stack
from narration.connections import Services, resolve
from narration.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
TEST_VISIBILITY_TIMEOUT_S = "20"


def up_stack(home: Path, workers: int) -> None:
    """Start the local stack under `home` (or bring it to `workers`) with the tests' settings."""
    settings = load_settings(environ={"NARRATION_HOME": str(home)})
    stack.up(
        settings, workers=workers, overrides={"VISIBILITY_TIMEOUT_S": TEST_VISIBILITY_TIMEOUT_S}
    )


@pytest.fixture(scope="session")
def stack_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("narration-home")
    try:
        up_stack(home, workers=1)
    except Exception:
        stack.down(home)
        raise
    yield home
    stack.down(home)


@pytest.fixture(scope="session")
def stack_env(stack_home: Path) -> dict[str, str]:
    """Environment for `narrate` subprocesses that talk to the test stack."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {
        **clean,
        "NARRATION_HOME": str(stack_home),
        "NARRATION_VISIBILITY_TIMEOUT_S": TEST_VISIBILITY_TIMEOUT_S,
    }


@pytest.fixture(scope="session")
def settings(stack_env: dict[str, str]) -> Settings:
    return load_settings(environ=stack_env)


@pytest.fixture(scope="session")
def services(settings: Settings) -> Services:
    return resolve(settings)


def narrate(
    env: dict[str, str], *args: str, stdin: bytes | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real `narrate` console script."""
    return subprocess.run(
        [sys.executable, "-m", "narration.cli.main", *args],
        env=env,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
