"""`narrate`: the command line. A thin layer: parse, call pipeline/ and workers/, print.

Exit codes: 0 ok; 1 job failed or cancelled; 2 bad input or usage; 3 a service is unreachable.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import typer

from narration import stack
from narration.cli.common import (
    EXIT_JOB_FAILED,
    EXIT_OK,
    err_console,
    fail,
    handle_errors,
    print_json,
    state,
)
from narration.cli.documents import read_document
from narration.cli.progress import follow_job
from narration.errors import InputError
from narration.jobs import FINAL_STATUSES

app = typer.Typer(
    help="Narrate long documents into podcast- and audiobook-length audio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

KEEP_HELP = "Read everything: cover, contents, copyright page, licence."
WHAT_KEYS = {
    "manifest": "manifest.json",
    "vtt": "captions.vtt",
    "srt": "captions.srt",
    "marks": "marks.json",
}


@app.callback()
def main(
    config: Path | None = typer.Option(None, "--config", help="TOML settings file."),
) -> None:
    state.config = config
    state.__dict__.pop("settings", None)


def _services() -> Any:
    from narration.workers.app import configure

    services = configure(state.settings)
    services.records().ping()
    return services


@app.command()
@handle_errors
def up(
    workers: int = typer.Option(1, "--workers", min=0, help="Worker processes to run."),
    json_output: bool = typer.Option(False, "--json", help="Print the stack as JSON."),
) -> None:
    """Start the embedded local stack (Valkey, SeaweedFS S3, workers) in the background."""
    info = stack.up(state.settings.home, workers=workers, bucket=state.settings.s3_bucket)
    summary = {
        "home": str(state.settings.home),
        "broker": info["broker_url"].split("@")[-1],
        "s3_endpoint": info["s3_endpoint"],
        "workers": len(info["pids"]["workers"]),
    }
    if json_output:
        print_json(summary)
    else:
        err_console.print(
            f"local stack up: broker {summary['broker']}, S3 {summary['s3_endpoint']}, "
            f"{summary['workers']} worker(s); logs in {state.settings.home / 'stack'}"
        )


@app.command()
@handle_errors
def down() -> None:
    """Stop what `narrate up` started."""
    stopped = stack.down(state.settings.home)
    err_console.print("local stack stopped" if stopped else "no local stack was running")


@app.command()
@handle_errors
def worker(
    queues: str = typer.Option("synth,stitch", "--queues", help="Comma-separated queues."),
    concurrency: int = typer.Option(
        0, "--concurrency", min=0, help="Worker processes (0: one per core)."
    ),
) -> None:
    """Run a Celery worker in the foreground (for other machines: set the broker and S3)."""
    _services()
    command = stack.worker_command(queues, concurrency or stack.processes_per_worker(1))
    os.execv(command[0], command)


@app.command()
@handle_errors
def voices(json_output: bool = typer.Option(False, "--json")) -> None:
    """List the voices workers can use."""
    from narration.engines.voices import default_voice, discover_voices

    found = [default_voice(), *discover_voices(list(state.settings.voice_dirs))]
    rows = [
        {
            "name": v.name,
            "language": v.language,
            "sample_rate": v.sample_rate,
            "engine": v.engine,
            "path": v.path,
        }
        for v in found
    ]
    if json_output:
        print_json({"voices": rows})
        return
    for row in rows:
        typer.echo(
            f"{row['name']:<28} {row['language']:<8} {row['sample_rate']:>6} Hz  {row['engine']}"
        )


@app.command()
@handle_errors
def inspect(
    path: str = typer.Argument(..., help="Document path, - for stdin, or s3://bucket/key."),
    json_output: bool = typer.Option(False, "--json"),
    chunks: bool = typer.Option(False, "--chunks", help="Include every chunk."),
    keep_front_matter: bool = typer.Option(False, "--keep-front-matter", help=KEEP_HELP),
) -> None:
    """Show chapters and chunks of a document without synthesising it."""
    from narration.cli.documents import describe

    document = read_document(path, state.settings, None, keep_front_matter=keep_front_matter)
    report = describe(document, with_chunks=chunks)
    if json_output:
        print_json(report)
        return
    typer.echo(f"{report['title']} — {report['author'] or 'unknown author'} [{report['language']}]")
    typer.echo(
        f"{report['chars']} characters, {report['chunks_total']} chunks, "
        f"about {report['est_duration_s'] / 60:.1f} min"
    )
    for number, chapter in enumerate(report["chapters"], 1):
        typer.echo(
            f"{number:>4}. {chapter['title']}  ({chapter['chars']} chars, "
            f"{chapter['chunk_count']} chunks)"
        )


@app.command()
@handle_errors
def submit(
    path: str = typer.Argument(..., help="Document path, - for stdin, or s3://bucket/key."),
    voice: str = typer.Option("", "--voice", help="Voice name or .onnx path."),
    fmt: str = typer.Option("", "--format", help="mp3, m4b, m4a, opus, ogg, flac or wav."),
    title: str = typer.Option("", "--title"),
    author: str = typer.Option("", "--author"),
    output: str = typer.Option("", "--output", help="Place the audio at s3://bucket/key."),
    loudness: float | None = typer.Option(None, "--loudness", help="Target LUFS (default -16)."),
    bitrate: str = typer.Option("", "--bitrate", help="e.g. 64k, 128k."),
    chapters: str = typer.Option("", "--chapters", help="Subset, e.g. 3-7 or 1,4."),
    split_chapters: bool = typer.Option(
        False, "--split-chapters", help="Also one file per chapter."
    ),
    cover: Path | None = typer.Option(None, "--cover", help="Cover image (JPEG or PNG)."),
    seed: int = typer.Option(0, "--seed", help="Fix the job seed (0: random)."),
    keep_front_matter: bool = typer.Option(False, "--keep-front-matter", help=KEEP_HELP),
    wait: bool = typer.Option(False, "--wait", help="Follow progress until the job ends."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Submit a document for narration."""
    record = _submit(
        path,
        voice,
        fmt,
        title,
        author,
        output,
        loudness,
        bitrate,
        chapters,
        split_chapters,
        cover,
        seed,
        keep_front_matter=keep_front_matter,
    )
    if not wait:
        if json_output:
            print_json({"job_id": record["job_id"]})
        else:
            typer.echo(record["job_id"])
        return
    if not json_output:
        err_console.print(f"job {record['job_id']}: {record['chunks_total']} chunks")
    final = follow_job(_services().records(), record["job_id"], show=not json_output)
    if json_output:
        print_json(final)
    raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


def _submit(
    path: str,
    voice: str,
    fmt: str,
    title: str,
    author: str,
    output: str,
    loudness: float | None,
    bitrate: str,
    chapters: str,
    split_chapters: bool,
    cover: Path | None,
    seed: int,
    *,
    keep_front_matter: bool = False,
) -> dict[str, Any]:
    from narration.cli.documents import check_title, skipped_lines, upload_cover
    from narration.engines.voices import find_voice
    from narration.pipeline.plan import JobOptions, select_chapters
    from narration.pipeline.storage import parse_s3_uri
    from narration.workers.submit import submit as submit_job

    settings = state.settings
    voice_info = find_voice(voice or settings.voice, settings.voice_dirs)
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
    )
    services = _services()
    if output:
        target = parse_s3_uri(output)
        if services.store(target.bucket).exists(target.key):
            raise InputError(f"{output} already exists; choose another --output key")
    document = read_document(path, settings, services, keep_front_matter=keep_front_matter)
    for line in skipped_lines(document):
        typer.echo(line, err=True)
    document = select_chapters(document, chapters)
    if cover is not None:
        options = upload_cover(options, cover, services)
    voice_dict = {
        "name": voice_info.name,
        "language": voice_info.language,
        "sample_rate": voice_info.sample_rate,
        "engine": voice_info.engine,
    }
    return submit_job(services, settings, document, options, voice_dict)


@app.command()
@handle_errors
def status(job: str, json_output: bool = typer.Option(False, "--json")) -> None:
    """Show a job record."""
    record = _services().records().get(job)
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
    final = follow_job(_services().records(), job, show=not json_output, timeout=timeout)
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
    records = _services().records().list(limit)
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
    services = _services()
    store, key = _artifact(services, job, what)
    if output.is_dir():
        output = output / Path(key).name
    tmp = output.with_name(f".{output.name}.part")
    store.download_file(key, tmp)
    tmp.replace(output)
    err_console.print(f"wrote {output}")


@app.command()
@handle_errors
def url(
    job: str,
    what: str = typer.Option("audio", "--what", help="audio, manifest, vtt, srt or marks."),
    expires: int = typer.Option(3600, "--expires", min=1, max=7 * 24 * 3600),
) -> None:
    """Print a presigned HTTPS URL for a finished job's audio or artifact."""
    store, key = _artifact(_services(), job, what)
    typer.echo(store.presign(key, expires))


def _artifact(services: Any, job: str, what: str) -> tuple[Any, str]:
    from narration.pipeline.storage import parse_s3_uri

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
    records = _services().records()
    if not records.set_status(job, "cancelled"):
        raise InputError(f"job {job} already ended ({records.get(job)['status']})")
    err_console.print(f"job {job} cancelled")


@app.command()
@handle_errors
def resume(job: str, wait: bool = typer.Option(False, "--wait")) -> None:
    """Re-run only the missing chunks of a failed or interrupted job, then stitch."""
    from narration.pipeline.plan import Plan
    from narration.workers.submit import dispatch

    services = _services()
    records = services.records()
    record = records.get(job)
    if record["status"] == "succeeded":
        raise InputError(f"job {job} already succeeded")
    store = services.store()
    plan = Plan.from_json(store.get_bytes(services.keys(job).plan))
    records.update(job, status="queued", error="", finished_at="")
    missing = dispatch(plan, store, services)
    err_console.print(f"job {job}: {missing} chunk(s) to make, then stitch")
    if wait:
        final = follow_job(records, job, show=True)
        raise typer.Exit(EXIT_OK if final["status"] == "succeeded" else EXIT_JOB_FAILED)


@app.command()
@handle_errors
def purge(job: str) -> None:
    """Delete a job's intermediate chunk objects (its outputs stay)."""
    services = _services()
    record = services.records().get(job)
    if record["status"] not in FINAL_STATUSES:
        raise InputError(f"job {job} is still {record['status']}; cancel it first")
    removed = services.store().delete_prefix(services.keys(job).chunks_prefix)
    err_console.print(f"job {job}: removed {removed} intermediate object(s)")


@app.command()
@handle_errors
def run(
    path: str = typer.Argument(..., help="Document path, - for stdin, or s3://bucket/key."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the audio."),
    fmt: str = typer.Option("", "--format"),
    voice: str = typer.Option("", "--voice"),
    workers: int = typer.Option(2, "--workers", min=1, help="Workers if the stack is started."),
) -> None:
    """One shot on the embedded stack: start it if needed, narrate, download to OUTPUT."""
    settings = state.settings
    if settings.uses_local_stack and stack.status(settings.home) is None:
        err_console.print("starting the local stack…")
        stack.up(settings.home, workers=workers, bucket=settings.s3_bucket)
    fmt = fmt or (output.suffix.lstrip(".").lower() if output.suffix else "")
    record = _submit(path, voice, fmt, "", "", "", None, "", "", False, None, 0)
    err_console.print(f"job {record['job_id']}: {record['chunks_total']} chunks")
    started = time.monotonic()
    final = follow_job(_services().records(), record["job_id"], show=True)
    if final["status"] != "succeeded":
        raise fail(f"job {final['status']}: {final.get('error') or ''}", EXIT_JOB_FAILED)
    fetch(record["job_id"], output, "audio")
    err_console.print(
        f"{final['audio_seconds'] / 60:.1f} min of audio in {time.monotonic() - started:.0f} s"
    )


def entry() -> None:
    app(prog_name="narrate")


if __name__ == "__main__":
    entry()
