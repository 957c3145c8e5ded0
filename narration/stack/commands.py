"""The command lines of the narration processes a stack runs: Celery workers and `narrate serve`.

`narrate up` starts them in the background; `narrate worker` runs the same worker command in the
foreground, and benchmarks and tests start workers of their own shape through it.
"""

from __future__ import annotations

import os
import sys
from typing import Final

WORKER_MODULE: Final = "narration.workers.main"
"""A worker process's entry point; a benchmark may name its own (which calls the same app)."""


def processes_per_worker(workers: int) -> int:
    """Share the cores: one single-threaded engine process per core across all workers.

    Measured on 2 cores (docs/BENCHMARKS.md): two processes with one onnxruntime thread each
    narrate 2.2× faster than two processes competing with the default thread count.
    """
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def worker_command(
    queues: str = "synth,stitch",
    concurrency: int = 1,
    name: str = "",
    module: str = WORKER_MODULE,
    pool: str = "",
) -> list[str]:
    """A Celery worker through `module` (`narration.workers.main`, which loads the settings).

    `pool` is Celery's (empty: its default, prefork); a torch worker runs `threads`, so its task
    slots share one loaded model and one micro-batcher."""
    command = [
        sys.executable,
        "-m",
        module,
        "-Q",
        queues,
        "--concurrency",
        str(concurrency),
        "--prefetch-multiplier",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    if name:
        command += ["-n", name]
    if pool:
        command += ["--pool", pool]
    return command


def supervised(command: list[str]) -> list[str]:
    """`command` under the worker supervisor (`narration.workers.supervise`), as `up` runs it."""
    return [sys.executable, "-m", "narration.workers.supervise", *command]


def serve_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "narration.cli.main",
        "serve",
        "--host",
        host,
        "--port",
        str(port),
    ]
