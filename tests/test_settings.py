from __future__ import annotations

from pathlib import Path

import pytest

from narration.errors import InputError
from narration.settings import load_settings, redact_url


def test_defaults_come_from_the_packaged_toml() -> None:
    settings = load_settings(environ={})
    assert settings.s3_bucket == "narration"
    assert settings.format == "mp3"
    assert settings.loudness_lufs == -16.0


def test_config_file_then_environment_override(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[narration]\ns3_bucket = "books"\nformat = "m4b"\nvoice_dirs = ["/v"]\n')
    settings = load_settings(config, environ={"NARRATION_FORMAT": "opus", "NARRATION_HOME": "/h"})
    assert settings.s3_bucket == "books"
    assert settings.format == "opus"
    assert settings.home == Path("/h")
    assert settings.voice_dirs == (Path("/v"),)


def test_unknown_setting_and_bad_values_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown setting"):
        load_settings(environ={"NARRATION_NOPE": "1"})
    with pytest.raises(InputError, match="max_input_bytes"):
        load_settings(environ={"NARRATION_MAX_INPUT_BYTES": "lots"})
    with pytest.raises(InputError, match="not found"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_secrets_never_appear_in_repr() -> None:
    settings = load_settings(
        environ={
            "NARRATION_BROKER_URL": "redis://:hunter2@db:6379/0",
            "NARRATION_S3_SECRET_KEY": "s3cr3t",
        }
    )
    text = repr(settings)
    assert "hunter2" not in text and "s3cr3t" not in text
    assert redact_url("redis://user:pw@host:1/0") == "redis://user:***@host:1/0"
