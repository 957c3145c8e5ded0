"""Commands that run processes: the local stack, a worker, and the one-shot `run`.

Each command imports what it runs in its own body, so that `narrate --help` does not load the
stack's clients, the engines or the Celery app.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import typer

from narration.cli.app import app
from narration.cli.collector import collect_as_usual
from narration.cli.common import (
    connect,
    err_console,
    fail,
    handle_errors,
    job_records,
    print_json,
    state,
)
from narration.cli.flag_conversion import FlagCommand
from narration.cli.job_commands import fetch, submit_document
from narration.cli.job_flags import PATH, JobFiles, job_command
from narration.errors import EXIT_JOB_FAILED
from narration.job_options import SubmitRequest
from narration.option_spec import Surface
from narration.pipeline.defaults import DEFAULT_ENGINE
from narration.settings import child_environment


@app.command()
@handle_errors
def up(
    workers: int = typer.Option(1, "--workers", min=0, help="Worker processes to run."),
    proof_workers: int = typer.Option(
        1, "--proof-workers", min=0, help="Proof worker processes (`--proof` jobs); 0 for none."
    ),
    serve: bool = typer.Option(False, "--serve", help="Also run `narrate serve` (loopback)."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port of --serve."),
    json_output: bool = typer.Option(False, "--json", help="Print the stack as JSON."),
) -> None:
    """Start the embedded local stack (Valkey, SeaweedFS S3, workers) in the background."""
    from narration import stack

    info = stack.up(
        state.settings,
        workers=workers,
        serve_port=port if serve else None,
        proof_workers=proof_workers,
    )
    summary = {
        "home": str(state.settings.home),
        "broker": info["broker_url"].split("@")[-1],
        "s3_endpoint": info["s3_endpoint"],
        "workers": len(info["pids"]["workers"]),
        "proof_workers": len(info["pids"].get("proof_workers", [])),
    }
    if info.get("serve_url"):
        summary["serve_url"] = info["serve_url"]
    if json_output:
        print_json(summary)
    else:
        err_console.print(
            f"local stack up: broker {summary['broker']}, S3 {summary['s3_endpoint']}, "
            f"{summary['workers']} worker(s), {summary['proof_workers']} proof worker(s); "
            f"logs in {state.settings.home / 'stack'}"
            + (f"; API at {summary['serve_url']}" if "serve_url" in summary else "")
        )


@app.command()
@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535),
) -> None:
    """Run the HTTP service (Polly-compatible, OpenAI-compatible and native job APIs).

    Any address but loopback needs API keys (setting api_keys). It loads no voice: every
    synthesis goes through the workers.
    """
    import uvicorn

    from narration.service.app import create_app
    from narration.service.auth import check_bind, parse_api_keys

    settings = state.settings
    check_bind(host, parse_api_keys(settings.api_keys))
    collect_as_usual()
    uvicorn.run(
        create_app(settings, host), host=host, port=port, server_header=False, log_level="info"
    )


@app.command()
@handle_errors
def down() -> None:
    """Stop what `narrate up` started."""
    from narration import stack

    stopped = stack.down(state.settings.home)
    err_console.print("local stack stopped" if stopped else "no local stack was running")


@app.command()
@handle_errors
def worker(
    engine: str = typer.Option(
        DEFAULT_ENGINE,
        "--engine",
        help="onnx (CPU processes; alias piper) or torch (batched, one device).",
    ),
    device: str = typer.Option(
        "",
        "--device",
        help="torch: auto (a GPU if one is visible, else the CPU), cpu, cuda or cuda:N "
        "(default: the torch_device setting).",
    ),
    precision: str = typer.Option(
        "", "--precision", help="torch: the decoder's fp32, fp16 or bf16 (default: settings)."
    ),
    batch: int = typer.Option(
        0, "--batch", min=0, help="torch: chunks per device batch (default: torch_batch)."
    ),
    queues: str = typer.Option(
        "",
        "--queues",
        help="Comma-separated queues (default: piper synth,stitch; torch synth-torch).",
    ),
    concurrency: int = typer.Option(
        0,
        "--concurrency",
        min=0,
        help="piper: processes (0: one per core); torch: task threads (0: torch_slots, 2 x batch).",
    ),
) -> None:
    """Run a Celery worker in the foreground (for other machines: set the broker and S3)."""
    from narration import stack
    from narration.engines.registry import engine_kind
    from narration.production.loaded_engines import engine_options

    settings = state.settings
    kind = engine_kind(engine)
    options = engine_options(settings)
    options = replace(
        options,
        device=device or (options.device if kind.batches else "cpu"),
        precision=precision or options.precision,
        max_batch=batch or options.max_batch,
    )
    kind.check(options)
    connect()
    if kind.batches:
        overrides = {
            "TORCH_DEVICE": options.device,
            "TORCH_PRECISION": options.precision,
            "TORCH_BATCH": str(options.max_batch),
        }
        slots = concurrency or settings.torch_slots or 2 * options.max_batch
        command = stack.worker_command(queues or kind.queue, slots, pool="threads")
    else:
        overrides = {}
        processes = concurrency or stack.processes_per_worker(1)
        command = stack.worker_command(queues or f"{kind.queue},stitch", processes)
    os.execve(command[0], command, child_environment(settings, overrides))


@app.command(cls=FlagCommand)
@handle_errors
@job_command(Surface.RUN)
def run(
    request: SubmitRequest,
    files: JobFiles,
    path: str = PATH,
    output: Path = typer.Option(..., "-o", "--output", help="The local file to write."),
    workers: int = typer.Option(2, "--workers", min=1, help="Workers if the stack is started."),
    wait: bool = typer.Option(False, "--wait", help="Accepted as on submit: run always waits."),
) -> None:
    """One shot on the embedded stack: start it if needed, narrate, download to OUTPUT.

    Takes every option of `submit` but --json, except that -o/--output is the local file to
    write, and --format defaults from its extension.
    """
    from narration import stack
    from narration.cli.progress import follow_job

    settings = state.settings
    if settings.uses_local_stack and stack.status(settings.home) is None:
        err_console.print("starting the local stack…")
        stack.up(settings, workers=workers)
    if not request.format and output.suffix:
        request = replace(request, format=output.suffix.lstrip(".").lower())
    record = submit_document(path, request, files)
    err_console.print(f"job {record['job_id']}: {record['chunks_total']} chunks")
    started = time.monotonic()
    final = follow_job(job_records(), record["job_id"], show=True)
    if final["status"] != "succeeded":
        raise fail(f"job {final['status']}: {final.get('error') or ''}", EXIT_JOB_FAILED)
    fetch(record["job_id"], output, "audio")
    err_console.print(
        f"{final['audio_seconds'] / 60:.1f} min of audio in {time.monotonic() - started:.0f} s"
    )
