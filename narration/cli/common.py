"""What every command shares: settings, services, error → exit code mapping, JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from narration.connections import Services, resolve
from narration.errors import NarrationError
from narration.settings import Settings, load_settings

if TYPE_CHECKING:
    from narration.adapters.job_records import RedisJobRecords

err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Options given before the command (`narrate --config FILE submit ...`); the settings
    are built from them once, on first use, and are this process's only settings."""

    config: Path | None = None

    @functools.cached_property
    def settings(self) -> Settings:
        return load_settings(self.config)


state = State()


def connect() -> Services:
    """The services, with a Celery app to send jobs through, once the broker answers.

    For commands that send tasks or touch the bucket; Celery is imported here, when such a
    command runs, not when `narrate` starts, and only to send: no task, no worker context
    (`workers.sender`).
    """
    from narration.workers.sender import sending_services

    services = sending_services(state.settings)
    services.records().ping()
    return services


def job_records() -> RedisJobRecords:
    """The job records alone, for commands that only read them (`status`, `list`, `wait`):
    no Celery app, no object store client, so they answer in a few tenths of a second."""
    records = resolve(state.settings).records()
    records.ping()
    return records


def fail(message: str, code: int) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """One clear line on stderr and the error's own exit code, never a traceback.

    The adapters have already mapped every foreign error onto our tree; this only prints it.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NarrationError as error:
            raise fail(str(error), error.exit_code) from None

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()
