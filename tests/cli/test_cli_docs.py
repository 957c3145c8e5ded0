"""docs/CLI.md against the commands: each command's documented flags are the flags its `--help`
shows, no more and no fewer, so the reference cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import pytest
import typer
from typer.testing import CliRunner

from narration.cli.main import app

DOC: Final = Path(__file__).resolve().parents[2] / "docs" / "CLI.md"
FLAG: Final = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
JOB_OPTIONS: Final = "[options]"
"""A command row that says this takes every flag of the job options table."""


def _rows(table_heading: str) -> list[str]:
    """The first cells of the table that follows `table_heading` in docs/CLI.md."""
    text = DOC.read_text()
    start = text.index(table_heading)
    cells: list[str] = []
    for line in text[start:].splitlines()[1:]:
        if not line.strip():
            if cells:
                break
            continue
        if line.startswith("|") and not line.startswith(("|---", "| Command", "| Option")):
            cells.append(line.split(" | ")[0].lstrip("| "))
    return cells


def _documented() -> dict[str, set[str]]:
    job_flags = {flag for cell in _rows("Job options (") for flag in FLAG.findall(cell)}
    commands: dict[str, set[str]] = {}
    for cell in _rows("## Commands"):
        words = cell.strip("`").split()
        assert words[0] == "narrate", cell
        name = " ".join(w for w in words[1:3] if re.fullmatch(r"[a-z]+", w))
        flags = set(FLAG.findall(cell))
        commands[name] = flags | (job_flags if JOB_OPTIONS in cell else set())
    return commands


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
            if command.invoke_without_command:
                found[f"{prefix}{name}"] = command
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS: Final = _commands(typer.main.get_command(app))


def test_every_command_is_documented() -> None:
    assert set(_documented()) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_documented_flags_are_the_flags_help_shows(name: str) -> None:
    shown = {
        opt
        for param in COMMANDS[name].params
        for opt in (*param.opts, *param.secondary_opts)
        if opt.startswith("--")
    } - {"--help"}
    result = CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert all(flag in result.output for flag in shown)
    documented = _documented()[name]
    assert not shown - documented, f"docs/CLI.md lacks {sorted(shown - documented)} for {name}"
    assert not documented - shown, f"{name} has no {sorted(documented - shown)} (docs/CLI.md)"
