"""The job options as `narrate` flags, built from their one declaration (`narration.job_options`).

`job_command(surface)` gives a command every option that `surface` shows, with the spec's
names, defaults and help, and hands the command a checked `SubmitRequest` (`validate`) in place
of the raw flag values; on `submit` and `run` also the files given with the job (`JobFiles`).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import typer

from narration.job_options import FILE_INPUTS, options_on, validate
from narration.option_spec import Option, Surface

PATH: Final = typer.Argument(..., help="Document path, - for stdin, or s3://bucket/key.")
_INJECTED: Final = ("request", "files")
"""The parameters a job command receives from here instead of from the command line."""


@dataclass(frozen=True)
class JobFiles:
    """The files given with a job (`job_options.FILE_INPUTS`): paths, or None."""

    cover: Path | None = None
    intro: Path | None = None
    outro: Path | None = None


def job_command(surface: Surface) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the job options of `surface` to a command, after its own parameters.

    The command declares `request` (a `SubmitRequest`) and, on `submit` and `run`, `files`
    (`JobFiles`); both are filled from the flags here.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(command)
        own = [
            parameter.replace(annotation=hints[parameter.name], kind=inspect.Parameter.KEYWORD_ONLY)
            for parameter in inspect.signature(command).parameters.values()
            if parameter.name not in _INJECTED
        ]
        options = options_on(surface)
        with_files = surface in (Surface.SUBMIT, Surface.RUN)
        added = [_option_parameter(item, surface) for item in options]
        if with_files:
            added += [_file_parameter(item.name, item.help) for item in FILE_INPUTS]

        @functools.wraps(command)
        def run_command(**values: Any) -> Any:
            request = validate({item.name: values.pop(item.name) for item in options}, surface)
            injected: dict[str, Any] = {"request": request}
            if with_files:
                files = {item.name: values.pop(item.name) for item in FILE_INPUTS}
                injected["files"] = JobFiles(**files)
            return command(**injected, **values)

        parameters = [*own, *added]
        run_command.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
        run_command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
        return run_command

    return decorate


def _option_parameter(item: Option, surface: Surface) -> inspect.Parameter:
    default = item.default_on(surface)
    annotation = item.type
    names = item.flag
    if typing.get_origin(item.type) is tuple:
        annotation, default = list[str], list(default)
    if item.type == bool | None:  # unset, on or off: `--script`, `--no-script`
        names = f"{item.flag}/--no-{item.flag.removeprefix('--')}"
    return inspect.Parameter(
        item.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(default, names, help=item.spec.help),
        annotation=annotation,
    )


def _file_parameter(name: str, help: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(None, f"--{name}", help=help),
        annotation=Path | None,
    )
