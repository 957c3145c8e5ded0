"""Commands on jobs: submit, follow, list, fetch, cancel, resume, purge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from narration.adapters.job_records import FINAL_STATUSES
from narration.adapters.object_store import ObjectStore, parse_s3_uri
from narration.cli import job_options as options
from narration.cli.app import app
from narration.cli.common import connect, err_console, handle_errors, print_json, state
from narration.cli.documents import check_title, read_document, skipped_lines, upload_cover
from narration.cli.progress import follow_job
from narration.engines.registry import engine_kind
from narration.engines.voices import find_voice
from narration.errors import EXIT_JOB_FAILED, EXIT_OK, InputError
from narration.pipeline.ingest import ReadingOptions
from narration.pipeline.plan import JobOptions, Plan, select_chapters
from narration.services import Services
from narration.workers.submit import dispatch, start_job

WHAT_KEYS = {
    "manifest": "manifest.json",
    "vtt": "captions.vtt",
    "srt": "captions.srt",
    "marks": "marks.json",
}


@app.command()
@handle_errors
def submit(
    path: str = options.PATH,
    voice: str = options.VOICE,
    fmt: str = options.FORMAT,
    title: str = options.TITLE,
    author: str = options.AUTHOR,
    output: str = typer.Option("", "--output", help="Place the audio at s3://bucket/key."),
    loudness: float | None = options.LOUDNESS,
    bitrate: str = options.BITRATE,
    chapters: str = options.CHAPTERS,
    split_chapters: bool = options.SPLIT_CHAPTERS,
    cover: Path | None = options.COVER,
    seed: int = options.SEED,
    engine: str = options.ENGINE,
    keep_front_matter: bool = options.KEEP_FRONT_MATTER,
    code: str = options.CODE,
    footnotes: str = options.FOOTNOTES,
    table_max_rows: int = options.TABLE_MAX_ROWS,
    wait: bool = typer.Option(False, "--wait", help="Follow progress until the job ends."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Submit a document for narration."""
    record = submit_document(
        path,
        voice=voice,
        fmt=fmt,
        title=title,
        author=author,
        output=output,
        loudness=loudness,
        bitrate=bitrate,
        chapters=chapters,
        split_chapters=split_chapters,
        cover=cover,
        seed=seed,
        engine=engine,
        keep_front_matter=keep_front_matter,
        reading=options.reading_options(code, footnotes, table_max_rows),
    )
    if not wait:
        if json_output:
            print_json({"job_id": record["job_id"]})
        else:
            typer.echo(record["job_id"])
        return
    if not json_output:
        err_console.print(f"job {record['job_id']}: {record['chunks_total']} chunks")
    final = follow_job(connect().records(), record["job_id"], show=not json_output)
    if json_output:
        print_json(final)
    raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


def submit_document(
    path: str,
    *,
    voice: str = "",
    fmt: str = "",
    title: str = "",
    author: str = "",
    output: str = "",
    loudness: float | None = None,
    bitrate: str = "",
    chapters: str = "",
    split_chapters: bool = False,
    cover: Path | None = None,
    seed: int = 0,
    engine: str = "",
    keep_front_matter: bool = False,
    reading: ReadingOptions | None = None,
) -> dict[str, Any]:
    """Read a document, check the options against this process's settings, submit the job.

    Empty options take their defaults from the settings; returns the new job record.
    """
    settings = state.settings
    voice_info = find_voice(voice or settings.voice, settings.voice_dirs)
    kind = engine_kind(engine or settings.engine)
    options = JobOptions(
        voice=voice or settings.voice,
        format=(fmt or settings.format).lower(),
        title=check_title(title),
        author=check_title(author),
        output_uri=output,
        loudness_lufs=settings.loudness_lufs if loudness is None else loudness,
        bitrate=bitrate,
        seed=seed,
        chapters=chapters,
        split_chapters=split_chapters,
        engine=kind.name,
    )
    services = connect()
    if output:
        target = parse_s3_uri(output)
        if services.store(target.bucket).exists(target.key):
            raise InputError(f"{output} already exists; choose another --output key")
    document = read_document(
        path, settings, services, keep_front_matter=keep_front_matter, reading=reading
    )
    for line in skipped_lines(document):
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    document = select_chapters(document, chapters)
    if cover is not None:
        options = upload_cover(options, cover, services)
    voice_dict = {
        "name": voice_info.name,
        "language": voice_info.language,
        "sample_rate": voice_info.sample_rate,
        "engine": kind.name,
    }
    return start_job(services, settings, document, options, voice_dict)


@app.command()
@handle_errors
def status(job: str, json_output: bool = typer.Option(False, "--json")) -> None:
    """Show a job record."""
    record = connect().records().get(job)
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
        "error",
    ):
        typer.echo(f"{key:>14}: {record.get(key, '')}")


@app.command()
@handle_errors
def wait(
    job: str,
    timeout: float | None = typer.Option(None, "--timeout", help="Give up after S seconds."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Follow a job until it ends; exit 0 if it succeeded, 1 otherwise."""
    final = follow_job(connect().records(), job, show=not json_output, timeout=timeout)
    if json_output:
        print_json(final)
    raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


@app.command("list")
@handle_errors
def list_jobs(
    json_output: bool = typer.Option(False, "--json"),
    limit: int = typer.Option(100, "--limit", min=1),
) -> None:
    """List recent jobs, newest first."""
    records = connect().records().list(limit)
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
    what: str = typer.Option("audio", "--what", help="audio, manifest, vtt, srt or marks."),
) -> None:
    """Download a finished job's audio or one of its artifacts."""
    services = connect()
    store, key = _artifact(services, job, what)
    if output.is_dir():
        output = output / Path(key).name
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
    what: str = typer.Option("audio", "--what", help="audio, manifest, vtt, srt or marks."),
    expires: int = typer.Option(3600, "--expires", min=1, max=7 * 24 * 3600),
) -> None:
    """Print a presigned HTTPS URL for a finished job's audio or artifact."""
    store, key = _artifact(connect(), job, what)
    typer.echo(store.presign(key, expires))


def _artifact(services: Services, job: str, what: str) -> tuple[ObjectStore, str]:
    record = services.records().get(job)
    if what == "audio":
        if record["status"] != "succeeded" or not record.get("output_uri"):
            raise InputError(f"job {job} has no audio yet (status: {record['status']})")
        location = parse_s3_uri(record["output_uri"])
        return services.store(location.bucket), location.key
    if what not in WHAT_KEYS:
        raise InputError(f"--what must be audio, {', '.join(WHAT_KEYS)}")
    if record["status"] != "succeeded":
        raise InputError(f"job {job} has no {what} yet (status: {record['status']})")
    return services.store(), services.keys(job).artifact(WHAT_KEYS[what])


@app.command()
@handle_errors
def cancel(job: str) -> None:
    """Cancel a job: no chunk starts after this."""
    records = connect().records()
    if not records.set_status(job, "cancelled"):
        raise InputError(f"job {job} already ended ({records.get(job)['status']})")
    err_console.print(f"job {job} cancelled")


@app.command()
@handle_errors
def resume(job: str, wait: bool = typer.Option(False, "--wait")) -> None:
    """Re-run only the missing chunks of a failed or interrupted job, then stitch."""
    services = connect()
    records = services.records()
    record = records.get(job)
    if record["status"] == "succeeded":
        raise InputError(f"job {job} already succeeded")
    chunks = services.chunks(job)
    plan = Plan.from_json(chunks.objects.get_bytes(chunks.keys.plan))
    records.update(job, status="queued", error="", finished_at="")
    missing = dispatch(plan, chunks)
    err_console.print(f"job {job}: {missing} chunk(s) to make, then stitch")
    if wait:
        final = follow_job(records, job, show=True)
        raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


@app.command()
@handle_errors
def purge(job: str) -> None:
    """Delete a job's intermediate chunk objects (its outputs stay)."""
    services = connect()
    record = services.records().get(job)
    if record["status"] not in FINAL_STATUSES:
        raise InputError(f"job {job} is still {record['status']}; cancel it first")
    removed = services.chunks(job).purge()
    err_console.print(f"job {job}: removed {removed} intermediate object(s)")
