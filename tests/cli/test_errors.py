"""The closed error tree at the command line: each error its exit code, one line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from narration.connections import read_stack_file
from narration.errors import EXIT_BAD_INPUT, EXIT_SERVICE
from tests.conftest import narrate

UNKNOWN_JOB = "0123456789abcdef0123456789abcdef"


def _one_clean_line(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


@pytest.mark.parametrize(
    "command",
    [
        ["status", UNKNOWN_JOB],
        ["wait", UNKNOWN_JOB, "--timeout", "1"],
        ["fetch", UNKNOWN_JOB, "-o", "out.mp3"],
        ["url", UNKNOWN_JOB],
        ["cancel", UNKNOWN_JOB],
        ["resume", UNKNOWN_JOB],
        ["purge", UNKNOWN_JOB],
    ],
    ids=lambda command: command[0],
)
def test_a_job_that_does_not_exist(stack_env: dict[str, str], command: list[str]) -> None:
    result = narrate(stack_env, *command)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert UNKNOWN_JOB in result.stderr
    _one_clean_line(result.stderr)


def test_refused_object_storage_credentials_exit_3(
    stack_env: dict[str, str], stack_home: Path, tmp_path: Path
) -> None:
    info = read_stack_file(stack_home)
    assert info is not None
    source = tmp_path / "note.txt"
    source.write_text("A note that never gets stored.")
    env = {
        **stack_env,
        "NARRATION_S3_ENDPOINT": info["s3_endpoint"],
        "NARRATION_S3_ACCESS_KEY": "not-a-key",
        "NARRATION_S3_SECRET_KEY": "not-a-secret",
    }
    result = narrate(env, "submit", str(source))
    assert result.returncode == EXIT_SERVICE, result.stderr
    assert "denied" in result.stderr
    _one_clean_line(result.stderr)


def test_refused_broker_password_exit_3(stack_env: dict[str, str], stack_home: Path) -> None:
    info = read_stack_file(stack_home)
    assert info is not None
    scheme, rest = info["broker_url"].split("://", 1)
    wrong = f"{scheme}://:wrong-password@{rest.rsplit('@', 1)[1]}"
    result = narrate({**stack_env, "NARRATION_BROKER_URL": wrong}, "list")
    assert result.returncode == EXIT_SERVICE, result.stderr
    assert "refused" in result.stderr
    assert "wrong-password" not in result.stderr
    _one_clean_line(result.stderr)


def test_unreachable_broker_exit_3(stack_env: dict[str, str]) -> None:
    result = narrate({**stack_env, "NARRATION_BROKER_URL": "redis://127.0.0.1:9/0"}, "list")
    assert result.returncode == EXIT_SERVICE, result.stderr
    _one_clean_line(result.stderr)


def test_submit_ends_without_a_traceback(stack_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "short.txt"
    source.write_text("A short note, sent and left to the workers.")
    result = narrate(stack_env, "submit", str(source))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
