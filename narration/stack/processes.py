"""The stack's background processes: start one in its own session, wait until it answers, stop
it with its session.

Each process writes to a log file under `$NARRATION_HOME/stack/`; a service that does not answer
within `STARTUP_TIMEOUT_S` is reported with the log to read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from narration.errors import ServiceError

STARTUP_TIMEOUT_S: Final = 60.0
STOP_TIMEOUT_S: Final = 15.0


def spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> int:
    """Start a background process in its own session, its output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    return process.pid


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True


def wait_until(check: Callable[[], bool], what: str, log: Path) -> None:
    """Poll `check` until it returns true (its errors count as "not yet")."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise ServiceError(f"{what} did not start within {STARTUP_TIMEOUT_S:.0f} s; see {log}")


def stop_process(pid: int) -> None:
    """SIGTERM a process `spawn` started, with its session; SIGKILL it if it lingers."""
    if not alive(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def kill_process(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    """Stop a process with its session abruptly, as a crash would; wait until it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
