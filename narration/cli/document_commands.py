"""Commands that need no services: the voices workers can use, and a document's plan."""

from __future__ import annotations

import typer

from narration.cli import job_options as options
from narration.cli.app import app
from narration.cli.common import handle_errors, print_json, state


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
    keep_front_matter: bool = options.KEEP_FRONT_MATTER,
    code: str = options.CODE,
    footnotes: str = options.FOOTNOTES,
    table_max_rows: int = options.TABLE_MAX_ROWS,
    text_type: str = options.TEXT_TYPE,
) -> None:
    """Show chapters and chunks of a document without synthesising it."""
    from narration.cli.documents import describe, read_document

    reading = options.reading_options(code, footnotes, table_max_rows)
    document = read_document(
        path,
        state.settings,
        None,
        keep_front_matter=keep_front_matter,
        reading=reading,
        text_type=text_type,
    )
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
