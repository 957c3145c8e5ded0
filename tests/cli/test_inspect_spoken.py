"""`narrate inspect --spoken` through the real CLI, with no stack running."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import narrate

DOCUMENT = """# Notes

## IV. What changed

Python 3.10.4 is the default;
see https://docs.python.org/3/whatsnew/3.10.html for more.

Dr. Smith measured 10 ms on 2024-01-05.
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {**clean, "NARRATION_HOME": str(tmp_path_factory.mktemp("no-stack-home"))}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spoken") / "notes.md"
    path.write_text(DOCUMENT)
    return path


def test_one_line_per_chunk_unwrapped(env: dict[str, str], document: Path) -> None:
    result = narrate(env, "inspect", str(document), "--spoken")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "4. What changed",
        "Python three point ten point four is the default; see docs.python.org for more.",
        "Doctor Smith measured 10 milliseconds on January 5th, 20 24.",
    ]


def test_json_gives_spoken_beside_the_written_text(env: dict[str, str], document: Path) -> None:
    result = narrate(env, "inspect", str(document), "--spoken", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    chunks = [chunk for chapter in report["chapters"] for chunk in chapter["chunks"]]
    assert (chunks[0]["text"], chunks[0]["spoken"]) == ("IV. What changed", "4. What changed")
    assert chunks[2] == {
        "text": "Dr. Smith measured 10 ms on 2024-01-05.",
        "boundary_after": "chapter",
        "spoken": "Doctor Smith measured 10 milliseconds on January 5th, 20 24.",
    }
    assert report["chunks_total"] == len(chunks) == 3


def test_a_stored_lexicon_needs_the_object_store(env: dict[str, str], document: Path) -> None:
    result = narrate(env, "inspect", str(document), "--spoken", "--lexicon", "Web")
    assert result.returncode == 3, result.stderr
    assert "no local stack running" in result.stderr


@pytest.mark.parametrize("choice", [["--language", "es"], ["--voice", "ef_dora"]])
def test_a_spanish_text_is_shown_as_its_spanish_voice_is_given_it(
    env: dict[str, str], tmp_path: Path, choice: list[str]
) -> None:
    path = tmp_path / "carta.txt"
    path.write_text("En el siglo XIX pagó 21 € por 2 h y 200 páginas, a 3,5 km.\n")
    result = narrate(env, "inspect", str(path), "--spoken", *choice)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "En el siglo diecinueve pagó veintiún euros por dos horas y doscientas páginas, a tres "
        "coma cinco kilómetros."
    ]
