"""What every command shares: settings, services, error → exit code mapping, JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

import redis
import typer
from rich.console import Console
from rich.markup import escape

from narration.errors import InputError, JobNotFound, NarrationError, ServiceError
from narration.settings import Settings, load_settings

EXIT_OK: Final = 0
EXIT_JOB_FAILED: Final = 1
EXIT_BAD_INPUT: Final = 2
EXIT_SERVICE: Final = 3

err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Options given before the command (`narrate --config FILE submit ...`)."""

    config: Path | None = None

    @functools.cached_property
    def settings(self) -> Settings:
        return load_settings(self.config)


state = State()


def fail(message: str, code: int) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Map our error tree onto exit codes with one clear line on stderr, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (InputError, JobNotFound) as error:
            raise fail(str(error), EXIT_BAD_INPUT) from None
        except ServiceError as error:
            raise fail(str(error), EXIT_SERVICE) from None
        except NarrationError as error:
            raise fail(str(error), EXIT_JOB_FAILED) from None
        except redis.AuthenticationError as error:
            raise fail(f"broker refused the credentials: {error}", EXIT_SERVICE) from None
        except (redis.RedisError, ConnectionError) as error:
            raise fail(f"broker unreachable: {error}", EXIT_SERVICE) from None

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()
