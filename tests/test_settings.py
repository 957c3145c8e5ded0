from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path

import pytest

from narration.errors import InputError
from narration.settings import Settings, child_environment, load_settings, redact_url


def test_defaults_without_any_file_or_variable() -> None:
    settings = load_settings(environ={})
    assert settings.s3_bucket == "narration"
    assert settings.format == "mp3"
    assert settings.loudness_lufs == -16.0
    assert settings.config_file is None


def test_the_example_config_lists_every_default() -> None:
    example = Path(__file__).resolve().parents[1] / "configs" / "default.toml"
    from_file = load_settings(example, environ={})
    # `home` is commented out there: its default depends on the user running it
    names = {f.name for f in fields(Settings)} - {"home", "config_file"}
    assert set(tomllib.loads(example.read_text())["narration"]) == names
    assert replace(from_file, config_file=None) == Settings()


def test_child_processes_get_the_same_settings(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[narration]\ns3_bucket = "books"\n')
    settings = load_settings(config, environ={"NARRATION_S3_PREFIX": "audio"})
    env = child_environment(
        settings, {"VISIBILITY_TIMEOUT_S": "20"}, base={"NARRATION_S3_PREFIX": "audio"}
    )
    again = load_settings(environ=env)
    assert (again.s3_bucket, again.s3_prefix, again.visibility_timeout_s) == ("books", "audio", 20)
    assert again.home == settings.home


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
            "NARRATION_API_KEYS": "reader:k3yk3y",
        }
    )
    text = repr(settings)
    assert "hunter2" not in text and "s3cr3t" not in text and "k3yk3y" not in text
    assert redact_url("redis://user:pw@host:1/0") == "redis://user:***@host:1/0"


def test_the_voices_directory_variable_is_not_a_setting() -> None:
    """`NARRATION_DATA_DIR` belongs to the installation (`engines.kokoro.assets`): accepted and
    left out of `Settings`; a misspelt neighbour is still refused."""
    assert load_settings(environ={"NARRATION_DATA_DIR": "/voices"}) == Settings()
    with pytest.raises(InputError, match="unknown setting 'data_dirs'"):
        load_settings(environ={"NARRATION_DATA_DIRS": "/voices"})
