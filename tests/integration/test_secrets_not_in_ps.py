"""No secret on a command line: `ps` shows every user's argv, so the Valkey password, the S3
keys and the service's API keys must reach the stack's processes another way (Valkey's config
file and SeaweedFS's identities file, both mode 0600; the environment for workers and serve).

A private stack with a worker and `narrate serve` is started, and the argv of each of its
processes (and their children: the worker's pool, the serve process) is searched for the
secrets, as is `ps -eo args` of the whole machine.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from narration.connections import read_stack_file
from tests.conftest import narrate
from tests.integration.faults import wait_until

API_SECRET = "s3cr3t-api-key-for-the-ps-test-" + os.urandom(6).hex()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def private_stack(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    home = tmp_path / "home"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")},
        "NARRATION_HOME": str(home),
        "NARRATION_API_KEYS": f"ops:{API_SECRET}",
    }
    started = narrate(env, "up", "--workers", "1", "--serve", "--port", str(_free_port()))
    try:
        assert started.returncode == 0, started.stderr
        yield home, env
    finally:
        narrate(env, "down", timeout=120)


def _descendants(pids: list[int]) -> set[int]:
    found: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def _argv(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_no_secret_appears_in_any_command_line(
    private_stack: tuple[Path, dict[str, str]],
) -> None:
    home, _ = private_stack
    info = read_stack_file(home)
    assert info is not None
    root = home / "stack"
    wait_until(lambda: b" ready." in (root / "worker-0.log").read_bytes(), 120, "worker ready")
    password = urlsplit(info["broker_url"]).password or ""
    secrets = {
        "Valkey password": password,
        "S3 secret key": info["s3_secret_key"],
        "API key": API_SECRET,
    }
    assert all(secrets.values()), secrets
    pids: dict[str, object] = info["pids"]  # type: ignore[assignment]
    roots = [int(str(pids[name])) for name in ("valkey", "seaweedfs", "serve")]
    roots += [int(pid) for pid in pids["workers"]]  # type: ignore[attr-defined]
    processes = _descendants(roots)
    assert len(processes) > len(roots), "the worker's pool processes were not found"
    command_lines = {pid: _argv(pid) for pid in processes}
    assert any("valkey-server" in argv for argv in command_lines.values())
    machine = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    for what, secret in secrets.items():
        leaked = [argv for argv in command_lines.values() if secret in argv]
        assert not leaked, f"the {what} is on a command line: {leaked}"
        assert secret not in machine.stdout, f"the {what} is in `ps -eo args`"
    for holder in (root / "valkey" / "valkey.conf", root / "s3.json", root / "stack.json"):
        assert stat.S_IMODE(holder.stat().st_mode) == 0o600, holder
    assert json.loads((root / "s3.json").read_text())["identities"]
