"""Commands that need no services: a document's plan."""

from __future__ import annotations

import typer

from narration.cli.app import app
from narration.cli.common import handle_errors, print_json, state
from narration.cli.flag_conversion import FlagCommand
from narration.cli.job_flags import PATH, job_command
from narration.job_options import SubmitRequest
from narration.option_spec import Surface
from narration.pipeline.document import Document


@app.command(cls=FlagCommand)
@handle_errors
@job_command(Surface.INSPECT)
def inspect(
    request: SubmitRequest,
    path: str = PATH,
    json_output: bool = typer.Option(False, "--json"),
    chunks: bool = typer.Option(False, "--chunks", help="Include every chunk."),
    spoken: bool = typer.Option(
        False,
        "--spoken",
        help="Each chunk as the voice is given it (SSML, lexicons, normalisation), one a line.",
    ),
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
    if spoken:
        _inspect_spoken(document, request, json_output)
        return
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


def _inspect_spoken(document: Document, request: SubmitRequest, json_output: bool) -> None:
    """`inspect --spoken`: one line per chunk, or the `--json --chunks` report with `spoken`."""
    from narration.cli.documents import describe
    from narration.cli.spoken import spoken_lines, spoken_texts, with_spoken

    texts = spoken_texts(document, request, state.settings)
    if json_output:
        print_json(with_spoken(describe(document, with_chunks=True), texts))
        return
    for line in spoken_lines(texts):
        typer.echo(line)


def _print_report(document: Document, json_output: bool) -> None:
    from narration.cli.document_report import reading_report, report_lines

    found = reading_report(document)
    if json_output:
        print_json(found)
        return
    for line in report_lines(found):
        typer.echo(line)
