"""Checks of compose.yaml that need no container engine: each returns a list of problems.

Used by tests/test_compose.py on the real files, and on broken copies to show each check can
fail. Values are interpolated as `docker compose` would, from .env.example.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import typer
import typer.main
import yaml
from celery.bin.celery import celery as celery_group
from tornado.options import options as tornado_options

from narration.cli.main import app as narrate_app
from narration.errors import InputError
from narration.settings import load_settings

_VARIABLE: Final = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
_SECRET_NAME: Final = re.compile(r"PASSWORD|SECRET|ACCESS_KEY|API_KEYS|AUTH", re.IGNORECASE)
_SECRET_FLAGS: Final = ("--requirepass", "--masterauth", "-a", "--pass", "--password", "-u")
MIN_SECRET_CHARS: Final = 8
_SETTINGS_ROW: Final = re.compile(r"`(NARRATION_[A-Z0-9_]+)`")


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def read_env_file(path: Path) -> dict[str, str]:
    """`NAME=value` lines of an env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def secret_names(env: Mapping[str, str]) -> set[str]:
    return {name for name in env if _SECRET_NAME.search(name)}


def variables(text: str) -> set[str]:
    """The variables a compose string interpolates."""
    found = set()
    for match in _VARIABLE.finditer(text):
        name = match.group("braced") or match.group("bare")
        if name:
            found.add(name)
    return found


def interpolate(text: str, env: Mapping[str, str], problems: list[str], where: str) -> str:
    """Compose's interpolation: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}."""

    def value(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op") or "", match.group("arg") or ""
        if name in env and (env[name] or not op.startswith(":")):
            return env[name]
        if op.endswith("-"):
            return arg
        problems.append(f"{where}: ${{{name}}} is not set in .env.example and has no default")
        return ""

    return _VARIABLE.sub(value, text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _argv(value: Any) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _healthcheck_argv(service: Mapping[str, Any]) -> list[str]:
    test = _argv((service.get("healthcheck") or {}).get("test"))
    return test[1:] if test and test[0] == "CMD" else []


def undefined_variables(compose: Mapping[str, Any], env: Mapping[str, str]) -> list[str]:
    """Every variable compose.yaml uses is in .env.example or has a default."""
    problems: list[str] = []
    for text in _strings(compose):
        interpolate(text, env, problems, "compose.yaml")
    return problems


def command_problems(name: str, argv: list[str]) -> list[str]:
    """A `narrate` command must parse with the real CLI; `celery -A MODULE SUB` must name an
    existing module and a Celery subcommand."""
    if not argv:
        return []
    if argv[0] == "narrate":
        return _narrate_problems(name, argv[1:])
    if argv[0] == "celery":
        return _celery_problems(name, argv[1:])
    return [f"{name}: runs {argv[0]!r}, which is neither narrate nor celery"]


def _narrate_problems(name: str, args: list[str]) -> list[str]:
    command: Any = typer.main.get_command(narrate_app)
    path = ["narrate"]
    while hasattr(command, "commands"):
        if not args or args[0].startswith("-"):
            return [f"{name}: `{' '.join(path)}` needs a subcommand"]
        sub = command.commands.get(args[0])
        if sub is None:
            return [f"{name}: `{' '.join(path)}` has no command {args[0]!r}"]
        command, path, args = sub, [*path, args[0]], args[1:]
    try:
        command.make_context(path[-1], list(args))
    except typer.TyperException as error:
        return [f"{name}: `{' '.join(path)}` refuses {args}: {error}"]
    return []


def _celery_problems(name: str, args: list[str]) -> list[str]:
    if len(args) < 3 or args[0] != "-A":
        return [f"{name}: celery must be run as `celery -A MODULE SUBCOMMAND`"]
    module, subcommand = args[1], args[2]
    problems = []
    if importlib.util.find_spec(module) is None:
        problems.append(f"{name}: celery app module {module!r} does not exist")
    if subcommand not in celery_group.commands:
        problems.append(f"{name}: celery has no subcommand {subcommand!r}")
    return problems


def settings_variables(settings_doc: str) -> set[str]:
    """NARRATION_* variables in the Environment column of docs/SETTINGS.md's table."""
    found = set()
    for line in settings_doc.splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            found.update(_SETTINGS_ROW.findall(cells[2]))
    return found


def environment_problems(
    name: str, environment: Mapping[str, Any], env: Mapping[str, str], documented: set[str]
) -> list[str]:
    """NARRATION_* variables: in the settings table, and accepted by `load_settings`;
    FLOWER_* variables: Flower options; nothing else."""
    problems: list[str] = []
    for key, raw in environment.items():
        value = interpolate(str(raw), env, problems, f"{name}: {key}")
        if key.startswith("NARRATION_"):
            if key not in documented:
                problems.append(f"{name}: {key} is not in docs/SETTINGS.md's table")
                continue
            try:
                load_settings(environ={key: value})
            except InputError as error:
                problems.append(f"{name}: {key}={value!r} is refused: {error}")
        elif key.startswith("FLOWER_"):
            if key.removeprefix("FLOWER_").lower() not in tornado_options:
                problems.append(f"{name}: {key} is not a Flower option")
        else:
            problems.append(f"{name}: unexpected environment variable {key}")
    return problems


def secret_problems(name: str, service: Mapping[str, Any], env: Mapping[str, str]) -> list[str]:
    """No secret on a command line: no secret variable, no secret value, no password flag in
    the command, entrypoint or health check."""
    problems: list[str] = []
    secrets = secret_names(env)
    for part in ("command", "entrypoint", "healthcheck"):
        raw = service.get(part)
        if part == "healthcheck":
            raw = (raw or {}).get("test")
        argv = _argv(raw)
        for arg in argv:
            for variable in variables(arg) & secrets:
                problems.append(f"{name}: {part} interpolates the secret {variable}")
            if arg in _SECRET_FLAGS:
                problems.append(f"{name}: {part} passes {arg} (a credential flag)")
            ignored: list[str] = []
            resolved = interpolate(arg, env, ignored, name)
            for secret in secrets:
                if any(value in resolved for value in _secret_values(env[secret])):
                    problems.append(f"{name}: {part} contains the value of {secret}")
    return problems


def _secret_values(value: str) -> set[str]:
    """A secret's value, and its parts: `id:secret` pairs and `user:password` hold a secret."""
    parts = {part for part in re.split(r"[,:]", value) if len(part) >= MIN_SECRET_CHARS}
    return ({value} if value else set()) | parts


def healthcheck_problems(name: str, service: Mapping[str, Any]) -> list[str]:
    """Every long-running service has a health check (a one-shot, `restart: "no"`, needs none)."""
    if service.get("restart") == "no":
        return []
    check = service.get("healthcheck") or {}
    if check.get("disable") or not _argv(check.get("test")) or _argv(check["test"]) == ["NONE"]:
        return [f"{name}: no health check"]
    return []


def volume_problems(compose: Mapping[str, Any]) -> list[str]:
    """Only named volumes, each declared at the top level."""
    declared = set((compose.get("volumes") or {}).keys())
    problems = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith((".", "/", "~")):
                problems.append(f"{name}: bind mount {volume!r}; use a named volume")
            elif source not in declared:
                problems.append(f"{name}: volume {source!r} is not declared")
    return problems


def service_problems(
    compose: Mapping[str, Any], env: Mapping[str, str], documented: set[str]
) -> list[str]:
    """Every check above, over every service."""
    problems = undefined_variables(compose, env) + volume_problems(compose)
    for name, service in compose["services"].items():
        ignored: list[str] = []
        command = [interpolate(a, env, ignored, name) for a in _argv(service.get("command"))]
        problems += command_problems(name, command)
        health = [interpolate(a, env, ignored, name) for a in _healthcheck_argv(service)]
        if health and health[0] in ("narrate", "celery"):
            problems += command_problems(f"{name} health check", health)
        problems += environment_problems(name, service.get("environment", {}), env, documented)
        problems += secret_problems(name, service, env)
        problems += healthcheck_problems(name, service)
    return problems


def documented_rows(operations_doc: str, heading: str) -> dict[str, str]:
    """The rows of the table under `heading`, by the service named in their first cell."""
    rows: dict[str, str] = {}
    section = operations_doc.split(heading, 1)[1] if heading in operations_doc else ""
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = line
    return rows


def doc_problems(
    compose: Mapping[str, Any], env: Mapping[str, str], operations_doc: str, heading: str
) -> list[str]:
    """Each service has a row in docs/OPERATIONS.md's ports-and-volumes table naming each of
    its published ports and volumes, and the table names no service compose.yaml lacks."""
    rows = documented_rows(operations_doc, heading)
    problems = [
        f"docs list {name!r}, which compose.yaml lacks"
        for name in rows
        if name not in compose["services"]
    ]
    for name, service in compose["services"].items():
        row = rows.get(name)
        if row is None:
            problems.append(f"{name}: no row in the docs' ports and volumes table")
            continue
        ignored: list[str] = []
        for item in [*service.get("ports", []), *service.get("volumes", [])]:
            shown = interpolate(str(item), env, ignored, name)
            if f"`{shown}`" not in row:
                problems.append(f"{name}: `{shown}` is not in its docs row")
    return problems
