"""Load-time settings: defaults, then --config FILE (or NARRATION_CONFIG), then NARRATION_*.

A process builds its `Settings` once, at its edge (the CLI's callback, a worker's start), and
passes it on explicitly. Processes it starts (`narrate up`, `run`, `worker`) get the same
configuration through `child_environment`. Per-job options live in
`narration.pipeline.plan.JobOptions`; this module is only about where the services are and how
the machine is set up. The environment is read here and nowhere else. configs/default.toml lists
the same defaults as a commented starting point (a test keeps the two in step).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from narration.errors import InputError
from narration.pipeline.defaults import (
    DEFAULT_ENGINE,
    DEFAULT_FORMAT,
    DEFAULT_TARGET_LUFS,
    DEFAULT_VOICE_NAME,
)

ENV_PREFIX: Final = "NARRATION_"
CONFIG_VARIABLE: Final = "NARRATION_CONFIG"
DATA_DIR_VARIABLE: Final = "NARRATION_DATA_DIR"
"""Where per-user voice files live (`engines.kokoro.assets`): read there, not a setting."""


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
    ca_bundle: str = ""
    """A PEM file of CAs trusted for `rediss://` brokers and `https://` S3 endpoints (empty: the
    system's CAs). Certificates are always verified."""
    broker_client_cert: str = ""
    """A PEM client certificate presented to a `rediss://` broker that asks for one (mutual
    TLS); `broker_client_key` is its private key (empty: in the certificate's file)."""
    broker_client_key: str = ""
    voice: str = DEFAULT_VOICE_NAME
    voice_dirs: tuple[Path, ...] = ()
    format: str = DEFAULT_FORMAT
    loudness_lufs: float = DEFAULT_TARGET_LUFS
    max_input_bytes: int = 20_000_000
    engine_threads: int = 1
    engine_sentence_threads: int = 2
    """Sentences of one Piper chunk a worker process renders at once, each on a one-thread
    run, while the host has a free core for each (1: one after another); above 1, a lone
    chain also synthesises its next chunks ahead on a free core (`production.render_ahead`).
    Same bytes either way; what a chain running alone on a host gains (`engines.sentence_pool`)."""
    engine: str = DEFAULT_ENGINE
    cast: str = ""
    """A script's default cast, `SPEAKER=voice,...`: a `[cast]` table in the config file."""
    torch_device: str = "cpu"
    torch_precision: str = "fp32"
    torch_batch: int = 16
    torch_batch_wait_ms: float = 20.0
    torch_slots: int = 0
    visibility_timeout_s: int = 300
    chunk_retention_days: float = 7.0
    segment_max_chunks: int = 10
    api_keys: str = ""
    """`narrate serve`'s keys: comma-separated `id:secret` pairs (secrets are never printed)."""
    speech_max_chars: int = 4096
    """Longest text the short speech endpoints (Polly SynthesizeSpeech, OpenAI) accept."""
    allowed_hosts: str = ""
    """Host names `narrate serve` answers to besides its address and loopback: comma-separated
    names, `.example.com` for a domain and its subdomains, `*` for any (docs/OPERATIONS.md)."""
    output_allow: str = ""
    """Where `--output`/`output=` may write: comma-separated `bucket` or `bucket/prefix/`
    entries (empty: the configured bucket); never the service's own places."""
    request_limits: str = "auto"
    """`narrate serve`'s per-caller limits: auto (on with api_keys, off on a loopback service
    without keys), on or off."""
    requests_per_minute: int = 120
    """Requests a caller (API key, else client address) may make per minute (0: no limit)."""
    concurrent_requests: int = 8
    """Requests a caller may have in progress at once (0: no limit)."""
    config_file: Path | None = field(default=None, compare=False)
    """The file these settings were read from, handed on to the processes we start."""

    @property
    def uses_local_stack(self) -> bool:
        """True when broker or storage are the embedded servers `narrate up` runs."""
        return not self.broker_url or not self.s3_endpoint

    def __repr__(self) -> str:
        """Never print secrets."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("s3_secret_key", "s3_access_key", "api_keys"):
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
    known = {f.name for f in fields(Settings)} - {"config_file"}
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
    cast = data.get("cast", {})
    if not isinstance(cast, dict):
        raise InputError(f"config file {path}: [cast] must be a table of SPEAKER = voice")
    if cast:
        section = {**section, "cast": ",".join(f"{k}={v}" for k, v in cast.items())}
    return section


def load_settings(
    config_file: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Defaults < config_file (or $NARRATION_CONFIG) < NARRATION_* environment."""
    env = os.environ if environ is None else environ
    settings = Settings()
    chosen = config_file or (Path(env[CONFIG_VARIABLE]) if env.get(CONFIG_VARIABLE) else None)
    if chosen is not None:
        settings = _apply(settings, _read_toml(chosen), str(chosen))
        settings = replace(settings, config_file=chosen.resolve())
    from_env = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX) and key not in (CONFIG_VARIABLE, DATA_DIR_VARIABLE)
    }
    return _apply(settings, from_env, "environment")


def child_environment(
    settings: Settings,
    overrides: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a process we start, so that it loads the same `Settings`.

    The config file travels as NARRATION_CONFIG (an absolute path), the NARRATION_* variables of
    this process are inherited, and `overrides` (e.g. VISIBILITY_TIMEOUT_S) are set on top.
    """
    env = dict(os.environ if base is None else base)
    if settings.config_file is not None:
        env[CONFIG_VARIABLE] = str(settings.config_file)
    env[ENV_PREFIX + "HOME"] = str(settings.home)
    for name, value in (overrides or {}).items():
        env[ENV_PREFIX + name.upper()] = value
    return env
