"""Load-time settings: configs/default.toml, then --config FILE, then NARRATION_* variables.

Per-job options live in `narration.pipeline.plan.JobOptions`; this module is only about where the
services are and how the machine is set up. The environment is read here and nowhere else.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from narration.errors import InputError

ENV_PREFIX: Final = "NARRATION_"
DEFAULT_CONFIG: Final = Path(__file__).resolve().parent / "data" / "default.toml"


@dataclass(frozen=True)
class Settings:
    """Where the broker and object store are, and the defaults jobs start from."""

    home: Path = field(default_factory=lambda: Path.home() / ".narration")
    broker_url: str = ""
    s3_endpoint: str = ""
    s3_bucket: str = "narration"
    s3_prefix: str = "jobs"
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    voice: str = "en_US-joe-medium"
    voice_dirs: tuple[Path, ...] = ()
    format: str = "mp3"
    loudness_lufs: float = -16.0
    max_input_bytes: int = 20_000_000
    engine_threads: int = 1
    visibility_timeout_s: int = 300
    chunk_retention_days: float = 7.0
    segment_max_chunks: int = 10

    @property
    def uses_local_stack(self) -> bool:
        """True when broker or storage are the embedded servers `narrate up` runs."""
        return not self.broker_url or not self.s3_endpoint

    def __repr__(self) -> str:
        """Never print secrets."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("s3_secret_key", "s3_access_key"):
            if shown[name]:
                shown[name] = "***"
        shown["broker_url"] = redact_url(self.broker_url)
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


def redact_url(url: str) -> str:
    """Hide the password part of a redis://user:password@host URL."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def _coerce(name: str, raw: Any, current: Any) -> Any:
    try:
        if isinstance(current, Path):
            return Path(str(raw)).expanduser()
        if isinstance(current, tuple):
            items = raw if isinstance(raw, list) else [p for p in str(raw).split(os.pathsep) if p]
            return tuple(Path(str(p)).expanduser() for p in items)
        if isinstance(current, bool):
            return str(raw).lower() in ("1", "true", "yes", "on")
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as error:
        raise InputError(f"setting {name}: cannot use {raw!r} ({error})") from None


def _apply(settings: Settings, values: dict[str, Any], origin: str) -> Settings:
    known = {f.name for f in fields(Settings)}
    changes = {}
    for key, raw in values.items():
        if key not in known:
            raise InputError(f"{origin}: unknown setting {key!r}")
        changes[key] = _coerce(key, raw, getattr(settings, key))
    return replace(settings, **changes)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"config file {path} is not valid TOML: {error}") from None
    section = data.get("narration", {})
    if not isinstance(section, dict):
        raise InputError(f"config file {path}: [narration] must be a table")
    return section


def load_settings(
    config_file: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Defaults < configs/default.toml < config_file < NARRATION_* environment."""
    env = os.environ if environ is None else environ
    settings = _apply(Settings(), _read_toml(DEFAULT_CONFIG), str(DEFAULT_CONFIG))
    chosen = config_file or (Path(env["NARRATION_CONFIG"]) if env.get("NARRATION_CONFIG") else None)
    if chosen is not None:
        settings = _apply(settings, _read_toml(chosen), str(chosen))
    from_env = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX) and key != "NARRATION_CONFIG"
    }
    return _apply(settings, from_env, "environment")
