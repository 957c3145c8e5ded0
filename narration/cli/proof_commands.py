"""`narrate proof JOB`: what a `--proof` job's recogniser heard, and where to listen."""

from __future__ import annotations

from pathlib import Path

import typer

from narration.cli.app import app
from narration.cli.common import connect, handle_errors, print_json


@app.command()
@handle_errors
def proof(
    job: str,
    json_output: bool = typer.Option(False, "--json", help="The whole report as JSON."),
    write_lexicon: Path | None = typer.Option(
        None,
        "--write-lexicon",
        help="Write the suspects' suggested lexemes as a PLS file to edit and store "
        "(`narrate lexicon put NAME FILE`).",
    ),
) -> None:
    """Report a --proof job: every chunk's score and the suspects to listen to."""
    from narration.production.proofing.report import pls_document, proof_report

    report = proof_report(connect().chunks(job))
    if write_lexicon is not None:
        write_lexicon.write_text(pls_document(report["suspects"]), encoding="utf-8")
    if json_output:
        print_json(report)
        return
    summary = report["proof"]
    typer.echo(
        f"{summary['chunks']} chunks proofed, {summary['suspects']} suspect, "
        f"{summary['rerendered']} rendered again, word error rate {summary['wer']:.1%}"
    )
    for suspect in report["suspects"]:
        minutes, ms = divmod(suspect["time"], 60_000)
        typer.echo(
            f"{minutes:d}:{ms / 1000:06.3f}  chunk {suspect['seq']}: "
            f"{suspect['word']!r} heard as {suspect['heard']!r}"
        )
