"""A small fleet in network namespaces: a services host, worker hosts, the client in root.

The services host runs the embedded stack (`narrate up --workers 0`: Valkey and SeaweedFS, as
on one machine, bound to its loopback) and the latency proxy, which publishes them on its links
as Redis on 6379 and S3 on 8333 with 10-30 ms added each way. Each worker host runs a real
`narrate worker` under its own hostname (so Celery names it `celery@worker-<host>`), configured
the way an operator configures a remote machine: broker URL, S3 endpoint and keys in
NARRATION_* variables. The client (`narrate submit`, `status`, `fetch`) runs in the root
namespace with the same kind of settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from narration import stack
from narration.connections import read_stack_file
from tests.conftest import ROOT, narrate
from tests.integration.faults import wait_until
from tests.integration.netns import Network

REDIS_PORT: Final = 6379
S3_PORT: Final = 8333
WORKER_SUBNETS: Final = {"a": 251, "b": 252}
"""Third octets of the worker links (inside the namespaces only; the root link uses 1-240)."""
_TASK_LINE = re.compile(r"Task ([\w.]+)\[([0-9a-f-]{36})\] (received|succeeded|raised|retry)")


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}


@dataclass
class Fleet:
    net: Network
    root: Path
    settings: dict[str, str] = field(default_factory=dict)
    """NARRATION_* settings every host shares (visibility timeout, segment size)."""
    client_env: dict[str, str] = field(default_factory=dict)
    worker_pids: dict[str, int] = field(default_factory=dict)
    proxy_pid: int = 0
    password: str = ""
    s3_keys: dict[str, str] = field(default_factory=dict)

    @property
    def services_home(self) -> Path:
        return self.root / "services"

    def start_services(self) -> None:
        """The embedded stack inside the services namespace, then the proxy in front of it."""
        env = {**_clean_environment(), "NARRATION_HOME": str(self.services_home)}
        command = ["ip", "netns", "exec", self.net.namespace("s"), sys.executable]
        result = narrate_in(command, env, "up", "--workers", "0")
        assert result.returncode == 0, result.stderr
        info = read_stack_file(self.services_home)
        assert info is not None
        broker, s3 = urlsplit(info["broker_url"]), urlsplit(info["s3_endpoint"])
        log = self.root / "proxy.log"
        self.proxy_pid = stack.spawn(
            [
                *command,
                "-m",
                "tests.integration.latency_proxy",
                f"{REDIS_PORT}=127.0.0.1:{broker.port}",
                f"{S3_PORT}=127.0.0.1:{s3.port}",
            ],
            log,
        )
        wait_until(lambda: "ready" in _read(log), 30, "the latency proxy")
        self.password = broker.password or ""
        self.s3_keys = {
            "NARRATION_S3_ACCESS_KEY": info["s3_access_key"],
            "NARRATION_S3_SECRET_KEY": info["s3_secret_key"],
        }
        self.client_env = self.host_env("client", self.net.services_address)

    def host_env(self, host: str, services_address: str) -> dict[str, str]:
        """Settings of a machine that reaches the services at `services_address`."""
        return {
            **_clean_environment(),
            **self.settings,
            **self.s3_keys,
            "NARRATION_HOME": str(self.root / host),
            "NARRATION_BROKER_URL": f"redis://:{self.password}@{services_address}:{REDIS_PORT}/0",
            "NARRATION_S3_ENDPOINT": f"http://{services_address}:{S3_PORT}",
        }

    def start_worker_host(self, host: str) -> None:
        """A worker host linked to the services host; waits until its worker is ready."""
        self.net.add_worker_host(host, WORKER_SUBNETS[host])
        env = self.host_env(f"worker-{host}", self.net.worker_gateways[host])
        command = [
            *self.net.exec_prefix(host, f"worker-{host}"),
            sys.executable, "-m", "narration.cli.main", "worker", "--concurrency", "1",
        ]  # fmt: skip
        self.worker_pids[host] = stack.spawn(command, self.worker_log(host), env)

    def wait_ready(self, host: str) -> None:
        wait_until(lambda: " ready." in _read(self.worker_log(host)), 120, f"worker-{host}")

    def worker_log(self, host: str) -> Path:
        return self.root / f"worker-{host}.log"

    def tasks(self, host: str, event: str, name: str = "narration.synth") -> list[str]:
        """Ids of the `name` tasks `host` logged `event` for (received, succeeded...), in order."""
        return [
            match.group(2)
            for match in _TASK_LINE.finditer(_read(self.worker_log(host)))
            if match.group(1) == name and match.group(3) == event
        ]

    def stop(self) -> None:
        """Stop the workers together (each warm shutdown may take seconds), then the rest."""
        for pid in self.worker_pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
        for pid in self.worker_pids.values():
            stack.stop_process(pid)
        if self.proxy_pid:
            stack.stop_process(self.proxy_pid)
        stack.down(self.services_home)


def narrate_in(
    prefix: list[str], env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """`narrate` run through `prefix` (an `ip netns exec NS python` command)."""
    return subprocess.run(
        [*prefix, "-m", "narration.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def status(env: dict[str, str], job_id: str) -> dict[str, object]:
    result = narrate(env, "status", job_id, "--json")
    assert result.returncode == 0, result.stderr
    record: dict[str, object] = json.loads(result.stdout)
    return record


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
