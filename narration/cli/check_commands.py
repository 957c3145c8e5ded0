"""`narrate check`: is this deployment usable? For operators, and for containers' health checks
and first start (compose.yaml creates the bucket with it).
"""

from __future__ import annotations

import socket

import typer

from narration.cli.app import app
from narration.cli.common import connect, err_console, handle_errors, print_json
from narration.errors import ServiceError


@app.command()
@handle_errors
def check(
    create_bucket: bool = typer.Option(
        False, "--create-bucket", help="Create the bucket named by the settings if it is missing."
    ),
    worker: bool = typer.Option(
        False,
        "--worker",
        help="Also require a live worker on this host (its heartbeat in the last 30 s).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print what was checked as JSON."),
) -> None:
    """Check that the broker answers and the bucket is usable; exit 3 if not."""
    from narration.adapters.worker_reports import WorkerReports

    services = connect()
    store = services.store()
    if create_bucket:
        store.ensure_bucket()
    if not store.bucket_exists():
        raise ServiceError(
            f"bucket {services.bucket!r} is missing or refused to these credentials "
            "(narrate check --create-bucket makes it)"
        )
    found = {"broker": True, "bucket": services.bucket}
    if worker:
        host = socket.gethostname()
        live = WorkerReports.connect(services.broker()).live_workers()
        nodes = [w["node"] for w in live if str(w["node"]).split("@", 1)[-1] == host]
        if not nodes:
            raise ServiceError(f"no worker on {host} has reported in the last 30 s")
        found["workers"] = nodes
    if json_output:
        print_json(found)
    else:
        err_console.print("ok: " + ", ".join(f"{key} {value}" for key, value in found.items()))
