"""The `narrate` Typer application and the options given before any command."""

from __future__ import annotations

from pathlib import Path

import typer

from narration.cli.common import state
from narration.cli.flag_conversion import FlagGroup

app = typer.Typer(
    cls=FlagGroup,
    help="Narrate long documents into podcast- and audiobook-length audio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    config: Path | None = typer.Option(None, "--config", help="TOML settings file."),
) -> None:
    state.config = config
    state.__dict__.pop("settings", None)
