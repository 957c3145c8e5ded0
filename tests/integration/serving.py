"""`narrate serve` on the session stack with settings of a test's own, in the background."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx

from tests.integration.faults import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.contextmanager
def serving(stack_env: dict[str, str], **settings: str) -> Iterator[str]:
    """The service's base URL (http://127.0.0.1:PORT), with `NARRATION_<NAME>` settings set."""
    port = free_port()
    env = {**stack_env, **{f"NARRATION_{name.upper()}": v for name, v in settings.items()}}
    process = subprocess.Popen(
        [sys.executable, "-m", "narration.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: process.poll() is not None or _healthy(url), 60, "narrate serve")
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
