"""`narrate lexicon put|get|list|delete`: pronunciation lexicons stored in the bucket."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from narration.cli.app import app
from narration.cli.common import handle_errors, print_json, state
from narration.connections import resolve
from narration.errors import InputError

if TYPE_CHECKING:
    from narration.adapters.lexicons import LexiconStore

lexicon_app = typer.Typer(
    help="Pronunciation lexicons (W3C PLS 1.0) applied with `submit --lexicon NAME`.",
    no_args_is_help=True,
)
app.add_typer(lexicon_app, name="lexicon")


def _store() -> LexiconStore:
    return resolve(state.settings).lexicons()


@lexicon_app.command("put")
@handle_errors
def put(
    name: str = typer.Argument(..., help="1-20 letters and digits."),
    file: Path = typer.Argument(..., help="The PLS file, or - for standard input."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Store a lexicon under NAME (replacing one of that name)."""
    if str(file) == "-":
        content = sys.stdin.buffer.read()
    elif not file.is_file():
        raise InputError(f"{file}: no such file")
    else:
        content = file.read_bytes()
    attributes = _store().put(name, content)
    if json_output:
        print_json(asdict(attributes))
    else:
        typer.echo(f"{name}: {attributes.lexemes} lexemes")


@lexicon_app.command("get")
@handle_errors
def get(
    name: str = typer.Argument(...),
    json_output: bool = typer.Option(False, "--json", help="Attributes and content as JSON."),
) -> None:
    """Print a stored lexicon's PLS content."""
    store = _store()
    content = store.get(name)
    if json_output:
        print_json({**asdict(store.describe(name)), "content": content.decode("utf-8", "replace")})
        return
    sys.stdout.buffer.write(content)
    sys.stdout.flush()


@lexicon_app.command("list")
@handle_errors
def list_lexicons(json_output: bool = typer.Option(False, "--json")) -> None:
    """The stored lexicons with their language and number of lexemes."""
    rows = _store().list()
    if json_output:
        print_json({"lexicons": [asdict(row) for row in rows]})
        return
    for row in rows:
        typer.echo(f"{row.name:<20} {row.language or '-':<8} {row.lexemes:>6} lexemes")


@lexicon_app.command("delete")
@handle_errors
def delete(name: str = typer.Argument(...)) -> None:
    """Delete a stored lexicon."""
    _store().delete(name)
