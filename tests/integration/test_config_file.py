"""One settings path: a config file given to `narrate up --config` reaches the workers it starts.

The file sets a bucket, a prefix and a voice directory that only exist through it, and a home
of its own so this stack is apart from the session's. Jobs succeed only if the workers read the
same file: the voice is found nowhere else, and the plan lies under the configured prefix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from narration.engines.voices import default_voice
from tests.conftest import narrate

VOICE = "en_US-configured-medium"


@pytest.fixture()
def configured(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    voices = tmp_path / "voices"
    voices.mkdir()
    model = Path(default_voice().path)
    (voices / f"{VOICE}.onnx").symlink_to(model)
    (voices / f"{VOICE}.onnx.json").symlink_to(model.with_name(model.name + ".json"))
    config = tmp_path / "site.toml"
    config.write_text(
        "[narration]\n"
        f'home = "{tmp_path / "home"}"\n'
        's3_bucket = "configured-books"\n'
        's3_prefix = "site/audio"\n'
        f'voice = "{VOICE}"\n'
        f'voice_dirs = ["{voices}"]\n'
        "visibility_timeout_s = 20\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    started = narrate(env, "--config", str(config), "up", "--workers", "1", timeout=180)
    assert started.returncode == 0, started.stderr
    try:
        yield env, config
    finally:
        narrate(env, "--config", str(config), "down", timeout=120)


def test_workers_started_with_a_config_file_honour_it(
    configured: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, config = configured
    source = tmp_path / "note.txt"
    source.write_text("A short note, read by a voice only the configuration knows.")
    result = narrate(env, "--config", str(config), "submit", str(source), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "succeeded", record["error"]
    assert record["voice"] == VOICE
    assert record["output_uri"].startswith("s3://configured-books/site/audio/")
    manifest = tmp_path / "manifest.json"
    fetched = narrate(
        env, "--config", str(config), "fetch", record["job_id"], "--what", "manifest",
        "-o", str(manifest),
    )  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(manifest.read_text())["voice"] == VOICE
