"""`narrate serve` on the session stack, with API keys (so Polly requests are SigV4-signed and
checked), started once for every test that talks to the service."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narration import stack
from narration.connections import read_stack_file
from tests.conftest import narrate
from tests.integration import console_browser
from tests.integration.service_api import KEY_ID, SECRET


@pytest.fixture(scope="session")
def api(stack_home: Path, stack_env: dict[str, str]) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**stack_env, "NARRATION_API_KEYS": f"{KEY_ID}:{SECRET},other:another-secret"}
    started = narrate(env, "up", "--serve", "--port", str(port), "--json", timeout=120)
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["serve_url"] == f"http://127.0.0.1:{port}"
    yield f"http://127.0.0.1:{port}"
    info: dict[str, Any] = dict(read_stack_file(stack_home) or {})
    serve_pid = info.get("pids", {}).get("serve")
    if serve_pid:
        stack.stop_process(int(serve_pid))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through Selenium (the console's browser tests)."""
    yield from console_browser.start_browser()


@pytest.fixture(scope="module")
def console(stack_home: Path, stack_env: dict[str, str]) -> Iterator[str]:
    """`narrate serve` with the console's API key, on a port of its own."""
    yield from console_browser.serve_console(stack_home, stack_env)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return console_browser.screenshot_folder(tmp_path_factory)
