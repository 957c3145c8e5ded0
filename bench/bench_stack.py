"""A private local stack for one benchmark, driven through `narration.stack`.

`BenchStack.running()` starts Valkey and SeaweedFS with `stack.up` under a throwaway
NARRATION_HOME in /tmp, with default settings (the caller's NARRATION_* and config are
ignored), and `stack.down` stops them on exit, also when the benchmark fails or is killed.
Workers start through the stack's own launcher (`stack.worker_command`, `stack.spawn`,
`stack.stop_process`), because a benchmark chooses each worker's shape (concurrency, entry
module) and settings (engine threads, …), which `narrate up` fixes. A worker is ready when its
heartbeat arrives (the same record `narrate check --worker` reads).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from checkout import ROOT

from narration import stack
from narration.adapters.worker_reports import WorkerReports
from narration.connections import resolve
from narration.settings import ENV_PREFIX, Settings, child_environment, load_settings

WORKER_READY_TIMEOUT_S: Final = 120.0


def clean_environ() -> dict[str, str]:
    """This process's environment without NARRATION_* (a benchmark ignores the caller's
    configuration), with the repository on PYTHONPATH so workers can run bench modules."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


@dataclass
class Worker:
    pid: int
    log: Path
    name: str
    """Celery's node name up to the `@`."""


@dataclass
class BenchStack:
    """Valkey + SeaweedFS under a /tmp home (`narration.stack.up` with no workers), and the
    workers this benchmark starts with the shape it measures."""

    settings: Settings
    workers: list[Worker] = field(default_factory=list)
    _counter: int = 0

    @classmethod
    @contextlib.contextmanager
    def running(cls) -> Iterator[BenchStack]:
        home = Path(tempfile.mkdtemp(prefix="narration-bench-"))
        settings = load_settings(environ={f"{ENV_PREFIX}HOME": str(home)})
        bench = cls(settings)
        # Stop cleanly on Ctrl-C and on `kill`, also when started in the background (where a
        # shell leaves SIGINT ignored): both unwind through the `finally` below.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            stack.up(settings, workers=0)
            yield bench
        finally:
            bench.stop_workers()
            stack.down(home)
            shutil.rmtree(home, ignore_errors=True)

    def start_workers(
        self,
        count: int,
        *,
        concurrency: int = 1,
        overrides: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        module: str = stack.WORKER_MODULE,
    ) -> None:
        """Start `count` workers running `module`; wait until each is ready.

        They load this stack's settings with `overrides` (setting name to value) on top, as
        `stack.up` gives its workers; `env` adds variables only a bench module reads.
        """
        environ = {
            **child_environment(self.settings, overrides, base=clean_environ()),
            **(env or {}),
        }
        started = []
        for _ in range(count):
            self._counter += 1
            name = f"bench{self._counter}-{os.getpid()}"
            command = stack.worker_command(
                concurrency=concurrency, name=f"{name}@%h", module=module
            )
            log = self.settings.home / "stack" / f"bench-worker-{self._counter}.log"
            started.append(Worker(stack.spawn(command, log, environ), log, name))
        self.workers += started
        self._wait_ready(started)

    def _wait_ready(self, workers: list[Worker]) -> None:
        """Wait for each worker's first heartbeat, sent once it is ready to take tasks."""
        reports = WorkerReports.connect(resolve(self.settings).broker())
        waiting = {worker.name: worker for worker in workers}
        deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
        while waiting:
            for live in reports.live_workers():
                waiting.pop(str(live["node"]).split("@", 1)[0], None)
            for worker in waiting.values():
                if time.monotonic() > deadline or _exited(worker.pid):
                    tail = worker.log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"worker {worker.name} did not start:\n{tail}")
            time.sleep(0.1)

    def pids(self) -> list[int]:
        """Valkey, SeaweedFS and the workers: every process a job's work runs in."""
        info = stack.status(self.settings.home) or {}
        services = [int(p) for k, p in info.get("pids", {}).items() if k != "workers" and p]
        return services + [worker.pid for worker in self.workers]

    def stop_workers(self) -> None:
        for worker in self.workers:
            stack.stop_process(worker.pid)
        self.workers = []


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _exited(pid: int) -> bool:
    """Whether a worker this process started has exited (reaping it if so)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid
