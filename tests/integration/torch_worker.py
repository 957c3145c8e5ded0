"""`narrate worker --engine torch --device cpu` as the torch-worker tests start it: a real
Celery worker on queue `synth-torch`, its log kept to read the micro-batcher's batch sizes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.integration.faults import wait_until

BATCH_LINE = re.compile(r"batch of (\d+) chunks")


class TorchWorker:
    """`narrate worker --engine torch --device cpu`, started and stopped by the test."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._env = env
        self.log = log
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "narration.cli.main", "worker", "--engine", "torch"]
        command += ["--device", "cpu", "--batch", "4", "--concurrency", "8"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=self._env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
        self.starts += 1
        wait_until(
            lambda: self.log.read_text().count(" ready.") >= self.starts, 120, "the torch worker"
        )

    def kill(self) -> None:
        """SIGKILL, as a machine that dies: nothing acknowledged, nothing cleaned up."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def batch_sizes(self) -> list[int]:
        return [int(size) for size in BATCH_LINE.findall(self.log.read_text())]
