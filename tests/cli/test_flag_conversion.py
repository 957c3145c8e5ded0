"""`FlagCommand` converts every flag value as Typer's own conversion does, building it only for
values that it changes (narration/cli/flag_conversion.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter

from narration.cli.flag_conversion import DeferredConversion, FlagCommand, FlagGroup
from narration.cli.main import app
from tests.conftest import narrate

SAMPLES: dict[Any, tuple[Any, ...]] = {
    str: ("some words", "", "\udcff.txt", "-"),
    int: (0, 5, -1, 100, "7", " 8 ", "abc", "1.5", 2.0),
    float: (1.0, 0.5, "1.5", "2", "x", 3),
    bool: (True, False, "yes", "off"),
    Path: ("page.txt", Path("page.txt")),
    list[str]: ([], ["a", "b"], ("a",)),
}
"""Values each annotation meets: its defaults' types, what a command line gives, bad input."""


def flag_parameters() -> list[tuple[str, _TyperParameter, Any]]:
    """(command name, parameter, context) of every parameter of the commands using `FlagCommand`,
    the group's own options and each one's help option included."""
    group = typer.main.get_command(app)
    assert isinstance(group, FlagGroup)
    found = []
    commands = {"": group, **getattr(group, "commands", {})}
    for name, command in commands.items():
        if not isinstance(command, FlagCommand | FlagGroup):
            continue
        ctx = Context(command, info_name=name or "narrate")
        for param in [*command.params, command.get_help_option(ctx)]:
            assert isinstance(param, _TyperParameter)
            found.append((name, param, ctx))
    return found


def convert(conversion: Any, value: Any, param: _TyperParameter, ctx: Context) -> Any:
    """The converted value and its type, or the message of the error it raises."""
    try:
        converted = conversion.coerce(value, param=param, ctx=ctx)
    except BadParameter as error:
        return ("error", error.message)
    return (converted, type(converted))


def test_the_job_commands_and_the_group_defer_their_conversions() -> None:
    names = {name for name, _, _ in flag_parameters()}
    assert {"", "submit", "run", "inspect", "status", "list", "wait"} <= names


@pytest.mark.parametrize(
    ("name", "param", "ctx"),
    flag_parameters(),
    ids=lambda item: item if isinstance(item, str) else getattr(item, "name", None),
)
def test_each_value_converts_as_typer_converts_it(
    name: str, param: _TyperParameter, ctx: Context
) -> None:
    ours = param.get_runtime_param()
    assert isinstance(ours, DeferredConversion)
    descriptor = param.type_descriptor
    for value in (param.default, None):
        typers = build_runtime_param(descriptor)
        assert convert(ours, value, param, ctx) == convert(typers, value, param, ctx), value
    assert "typer_conversion" not in ours.__dict__, "a default or unset value built the adapter"
    for value in SAMPLES[descriptor.annotation]:
        typers = build_runtime_param(descriptor)
        assert convert(ours, value, param, ctx) == convert(typers, value, param, ctx), value


def test_a_bad_number_is_refused_with_typers_message(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    env = {**clean, "NARRATION_HOME": str(tmp_path / "home")}
    page = tmp_path / "page.txt"
    page.write_text("A page.\n")
    result = narrate(env, "submit", str(page), "--speed", "fast", timeout=60)
    assert result.returncode == 2
    assert "Invalid value for '--speed': Input should be a valid number" in result.stderr
    result = narrate(env, "list", "--limit", "0", timeout=60)
    assert result.returncode == 2
    assert "Invalid value for '--limit'" in result.stderr
