"""Commands that need no services: the voices workers can use, and a document's plan."""

from __future__ import annotations

from typing import Any

import typer

from narration.cli.app import app
from narration.cli.common import handle_errors, print_json, state
from narration.cli.job_flags import PATH, job_command
from narration.job_options import SubmitRequest, Surface


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
@job_command(Surface.INSPECT)
def inspect(
    request: SubmitRequest,
    path: str = PATH,
    json_output: bool = typer.Option(False, "--json"),
    chunks: bool = typer.Option(False, "--chunks", help="Include every chunk."),
    show_report: bool = typer.Option(
        False,
        "--report",
        help="Chapters, chunks, median chunk length, chunks ending mid-sentence, skipped blocks.",
    ),
) -> None:
    """Show chapters and chunks of a document without synthesising it."""
    from narration.cli.documents import describe, read_document
    from narration.jobs import reading_options

    document = read_document(
        path,
        state.settings,
        None,
        keep_front_matter=request.keep_front_matter,
        reading=reading_options(request),
        text_type=request.text_type,
    )
    if show_report:
        _print_report(document, json_output)
        return
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


def _print_report(document: Any, json_output: bool) -> None:
    from narration.cli.document_report import reading_report, report_lines

    found = reading_report(document)
    if json_output:
        print_json(found)
        return
    for line in report_lines(found):
        typer.echo(line)
