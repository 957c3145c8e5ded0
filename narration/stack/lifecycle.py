"""Bringing the stack up and down: which servers and workers run, started in order, stopped in
reverse (workers first), and a server stopped and started again as a crash would.

`up` is idempotent: it starts only what is not running and records every pid in `stack.json`;
`down` stops only the processes `up` recorded.
"""

from __future__ import annotations

import os
import secrets
import signal
from pathlib import Path
from typing import Any

from narration.connections import read_stack_file, stack_file
from narration.settings import Settings, child_environment
from narration.stack import record
from narration.stack.commands import processes_per_worker, supervised, worker_command
from narration.stack.processes import alive, kill_process, spawn, stop_process, wait_until
from narration.stack.servers import (
    S3_ACCESS_KEY,
    broker_answers,
    start_seaweedfs,
    start_serve,
    start_valkey,
    wait_for_bucket,
)


def status(home: Path) -> dict[str, Any] | None:
    """The running stack's record, or None when nothing `up` started is alive."""
    info = read_stack_file(home)
    if info is None:
        return None
    pids: dict[str, Any] = info.get("pids", {})  # type: ignore[assignment]
    if not pids or not all(alive(int(pid)) for pid in _service_pids(pids)):
        return None
    return info


def _service_pids(pids: dict[str, Any]) -> list[int]:
    return [int(pids["valkey"]), int(pids["seaweedfs"])]


def up(
    settings: Settings,
    workers: int = 1,
    overrides: dict[str, str] | None = None,
    serve_port: int | None = None,
    proof_workers: int = 1,
) -> dict[str, Any]:
    """Start what is not running yet; return the stack record.

    `proof_workers` single-process workers serve the `proof` queue (`--proof` jobs); each
    loads the recogniser on its first task.

    Workers get `settings` through their environment (its config file and NARRATION_*
    variables), with `overrides` (setting name to value) on top. With `serve_port`, `narrate
    serve` runs too, on 127.0.0.1 at that port.
    """
    home, bucket = settings.home, settings.s3_bucket
    root = home / "stack"
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    info: dict[str, Any] | None = status(home)
    if info is None:
        down(home)
        password = secrets.token_hex(16)
        secret = secrets.token_hex(20)
        valkey_pid, broker_url, valkey_command = start_valkey(root, password)
        weed_pid, endpoint, weed_command = start_seaweedfs(root, secret)
        info = {
            "broker_url": broker_url,
            "s3_endpoint": endpoint,
            "s3_access_key": S3_ACCESS_KEY,
            "s3_secret_key": secret,
            "pids": {"valkey": valkey_pid, "seaweedfs": weed_pid, "workers": []},
            "commands": {"valkey": valkey_command, "seaweedfs": weed_command},
            "bucket": bucket,
        }
        record.write(home, info)
        wait_for_bucket(info, bucket, root / "seaweedfs.log")
    live_workers = [pid for pid in info["pids"]["workers"] if alive(int(pid))]
    worker_env = child_environment(settings, overrides)
    concurrency = processes_per_worker(workers)
    for number in range(len(live_workers), workers):
        log = root / f"worker-{number}.log"
        command = worker_command(concurrency=concurrency, name=f"local{number}-{os.getpid()}@%h")
        live_workers.append(spawn(supervised(command), log, worker_env))
    info["pids"]["workers"] = live_workers
    live_proofers = [pid for pid in info["pids"].get("proof_workers", []) if alive(int(pid))]
    for number in range(len(live_proofers), proof_workers):
        log = root / f"proof-worker-{number}.log"
        command = worker_command("proof", name=f"proof{number}-{os.getpid()}@%h")
        live_proofers.append(spawn(supervised(command), log, worker_env))
    info["pids"]["proof_workers"] = live_proofers
    serve_pid = int(info["pids"].get("serve") or 0)
    if serve_port is not None and not (serve_pid > 0 and alive(serve_pid)):
        info["pids"]["serve"] = start_serve(root, serve_port, worker_env)
        info["serve_url"] = f"http://127.0.0.1:{serve_port}"
    record.write(home, info)
    return info


def stop_service(home: Path, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
    """Stop the stack's `valkey` or `seaweedfs` abruptly, as a crash would."""
    info = record.require(home)
    kill_process(int(info["pids"][name]), sig)


def start_service(home: Path, name: str) -> None:
    """Start a stopped `valkey` or `seaweedfs` again on the same ports and data."""
    info = record.require(home)
    root = home / "stack"
    log = root / f"{name}.log"
    info["pids"][name] = spawn(info["commands"][name], log)
    record.write(home, info)
    if name == "valkey":
        wait_until(lambda: broker_answers(info["broker_url"]), "Valkey", log)
    else:
        wait_for_bucket(info, info.get("bucket", "narration"), log)


def stop_workers(home: Path) -> None:
    info = read_stack_file(home)
    if not info:
        return
    pids: dict[str, Any] = info["pids"]  # type: ignore[assignment]
    for pid in [*pids.get("workers", []), *pids.get("proof_workers", [])]:
        stop_process(int(pid))
    pids["workers"] = []
    pids["proof_workers"] = []
    record.write(home, info)


def down(home: Path) -> bool:
    """Stop what `up` started (workers first); returns whether anything was recorded."""
    info = read_stack_file(home)
    if info is None:
        return False
    pids: dict[str, Any] = info.get("pids", {})  # type: ignore[assignment]
    for pid in [
        pids.get("serve"),
        *pids.get("workers", []),
        *pids.get("proof_workers", []),
        pids.get("seaweedfs"),
        pids.get("valkey"),
    ]:
        if pid:
            stop_process(int(pid))
    stack_file(home).unlink(missing_ok=True)
    return True
