"""Commands on jobs: submit, follow, list, fetch, cancel, resume, purge.

Each command imports the modules it works with in its own body: `narrate --help`, `status` and
`list` must start without the document pipeline, the Celery app, boto3 or numpy
(tests/cli/test_startup_imports.py checks which modules they load).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from narration.cli.app import app
from narration.cli.common import (
    connect,
    err_console,
    handle_errors,
    job_records,
    print_json,
    state,
)
from narration.cli.flag_conversion import FlagCommand
from narration.cli.job_flags import PATH, JobFiles, job_command
from narration.errors import EXIT_JOB_FAILED, EXIT_OK, InputError
from narration.job_options import SubmitRequest
from narration.option_spec import Surface

if TYPE_CHECKING:
    from narration.adapters.job_record import JobRecord
    from narration.adapters.object_store import ObjectStore


@app.command(cls=FlagCommand)
@handle_errors
@job_command(Surface.SUBMIT)
def submit(
    request: SubmitRequest,
    files: JobFiles,
    path: str = PATH,
    wait: bool = typer.Option(False, "--wait", help="Follow progress until the job ends."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Submit a document for narration."""
    record = submit_document(path, request, files)
    if not wait:
        if json_output:
            print_json({"job_id": record["job_id"]})
        else:
            typer.echo(record["job_id"])
        return
    if not json_output:
        err_console.print(f"job {record['job_id']}: {record['chunks_total']} chunks")
    # Imported once the job is sent: its progress display takes a tenth of a second to load.
    from narration.cli.progress import follow_job

    final = follow_job(job_records(), record["job_id"], show=not json_output)
    if json_output:
        print_json(final)
    raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


def submit_document(path: str, request: SubmitRequest, files: JobFiles | None = None) -> JobRecord:
    """Read a document, check the options against this process's settings, submit the job.

    Empty options take their defaults from the settings. Returns the new job record.
    """
    from narration import jobs
    from narration.cli.documents import read_clip, read_cover, read_document, skipped_lines

    files = files or JobFiles()
    settings = state.settings
    jobs.job_options(settings, request)
    services = connect()
    jobs.check_output(services, settings, request.output)
    document = read_document(
        path,
        settings,
        services,
        keep_front_matter=request.keep_front_matter,
        reading=jobs.reading_options(request),
        text_type=request.text_type,
    )
    for line in skipped_lines(document):
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    return jobs.submit(
        services,
        settings,
        document,
        request,
        cover=read_cover(files.cover),
        intro=read_clip(files.intro, "intro"),
        outro=read_clip(files.outro, "outro"),
    )


@app.command(cls=FlagCommand)
@handle_errors
def status(job: str, json_output: bool = typer.Option(False, "--json")) -> None:
    """Show a job record."""
    record = job_records().get(job)
    if json_output:
        print_json(record)
        return
    for key in (
        "job_id",
        "title",
        "status",
        "chunks_done",
        "chunks_total",
        "audio_seconds",
        "output_uri",
        "compliance",
        "error",
    ):
        typer.echo(f"{key:>14}: {record.get(key, '')}")


@app.command(cls=FlagCommand)
@handle_errors
def wait(
    job: str,
    timeout: float | None = typer.Option(None, "--timeout", help="Give up after S seconds."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Follow a job until it ends; exit 0 if it succeeded, 1 otherwise."""
    from narration.cli.progress import follow_job

    final = follow_job(job_records(), job, show=not json_output, timeout=timeout)
    if json_output:
        print_json(final)
    raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


@app.command("list", cls=FlagCommand)
@handle_errors
def list_jobs(
    json_output: bool = typer.Option(False, "--json"),
    limit: int = typer.Option(100, "--limit", min=1),
) -> None:
    """List recent jobs, newest first."""
    records = job_records().list(limit)
    if json_output:
        print_json({"jobs": records})
        return
    for record in records:
        typer.echo(
            f"{record['job_id']}  {record['status']:<10} {record['chunks_done']:>5}/"
            f"{record['chunks_total']:<5} {record.get('title', '')}"
        )


@app.command()
@handle_errors
def fetch(
    job: str,
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the file."),
    what: str = typer.Option(
        "audio",
        "--what",
        help="audio, chapters (-o names a folder), sample, manifest, vtt, srt or marks.",
    ),
) -> None:
    """Download a finished job's audio, its chapter files or one of its artifacts."""
    from narration import jobs

    services = connect()
    if what == "chapters":
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"cannot make folder {output}: {error.strerror or error}") from None
        for store, key in jobs.chapter_files(services, job):
            _download(store, key, output / Path(key).name)
        return
    store, key = jobs.artifact(services, job, what)
    if output.is_dir():
        output = output / Path(key).name
    _download(store, key, output)


def _download(store: ObjectStore, key: str, output: Path) -> None:
    tmp = output.with_name(f".{output.name}.part")
    try:
        store.download_file(key, tmp)
        tmp.replace(output)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    err_console.print(f"wrote {output}")


@app.command()
@handle_errors
def url(
    job: str,
    what: str = typer.Option("audio", "--what", help="audio, sample, manifest, vtt, srt or marks."),
    expires: int = typer.Option(3600, "--expires", min=1, max=7 * 24 * 3600),
) -> None:
    """Print a presigned HTTPS URL for a finished job's audio or artifact."""
    from narration import jobs

    store, key = jobs.artifact(connect(), job, what)
    typer.echo(store.presign(key, expires))


@app.command()
@handle_errors
def cancel(job: str) -> None:
    """Cancel a job: no chunk starts after this."""
    from narration import jobs

    jobs.cancel(connect(), job)
    err_console.print(f"job {job} cancelled")


@app.command()
@handle_errors
def resume(job: str, wait: bool = typer.Option(False, "--wait")) -> None:
    """Re-run only the missing chunks of a failed or interrupted job, then stitch."""
    from narration import jobs
    from narration.cli.progress import follow_job

    services = connect()
    missing = jobs.resume(services, job)
    err_console.print(f"job {job}: {missing} chunk(s) to make, then stitch")
    if wait:
        final = follow_job(services.records(), job, show=True)
        raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


@app.command()
@handle_errors
def purge(job: str) -> None:
    """Delete a job's intermediate chunk objects (its outputs stay)."""
    from narration import jobs

    removed = jobs.purge(connect(), job)
    err_console.print(f"job {job}: removed {removed} intermediate object(s)")
