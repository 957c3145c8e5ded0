"""Session fixtures: the real local stack (Valkey, SeaweedFS, a Celery worker) started once.

A stack that cannot start fails the session loudly; it is never skipped in CI. Every test that
uses the stack, or lives in tests/integration, is marked `integration` here, so the fast tier
(`scripts/test --fast`, `-m "not integration"`) is the tests that need no stack (a few engine
tests that render a whole model for tens of seconds are marked `integration` by hand, to keep
that tier within its 3 minutes); there a
guard fails any test that leaves a process of its own running (a stack it started by mistake).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from narration import stack
from narration.connections import Services, resolve
from narration.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION_DIR = ROOT / "tests" / "integration"
TEST_VISIBILITY_TIMEOUT_S = "20"
_PR_SET_CHILD_SUBREAPER = 36
_GUARDED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `integration` every test that lives in tests/integration or uses the stack."""
    for item in items:
        in_integration = item.path.is_relative_to(INTEGRATION_DIR)
        if in_integration or "stack_home" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


def pytest_collection_finish(session: pytest.Session) -> None:
    """In a run without the stack, guard every test, and adopt orphaned descendants so the
    guard also sees a stack that a `narrate` subprocess started and left behind. (Not with the
    stack: its own processes come and go, and its tests kill supervisors and expect init to
    reap the orphans.)"""
    needs_stack = any(item.get_closest_marker("integration") for item in session.items)
    if sys.platform == "linux" and not needs_stack:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        session.config.stash[_GUARDED] = True


def _live_descendants(pid: int) -> dict[int, str]:
    """Process id to command line of every live (not zombie) descendant of `pid`."""
    found: dict[int, str] = {}
    pending = [pid]
    while pending:
        parent = pending.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue
        if parent == pid:
            continue
        try:
            state = Path(f"/proc/{parent}/stat").read_text().rpartition(")")[2].split()[0]
            command = Path(f"/proc/{parent}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError):
            continue
        if state != "Z":
            found[parent] = command.decode(errors="replace").strip()
    return found


@pytest.fixture(autouse=True)
def _no_process_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """In the fast tier no test may leave a process running (a stack, a worker, a server)."""
    if not request.config.stash.get(_GUARDED, False):
        yield
        return
    before = _live_descendants(os.getpid())
    yield
    left = {
        pid: command for pid, command in _live_descendants(os.getpid()).items() if pid not in before
    }
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert not left, f"left running by a test not marked integration: {left}"


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
