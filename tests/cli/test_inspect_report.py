"""`narrate inspect --report`: a document's reading at a glance, before paying for synthesis."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import narrate

DOCUMENT = """# Setting Up

Install the tools first. Then open a terminal and run:

```
./configure --prefix=/usr
make install
```

After that the program is ready. It reads its settings from the home folder.

# Using It

Start it from the menu. It greets you and waits for a file.
"""


@pytest.fixture(scope="module")
def local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for `inspect` of a local file: no stack needed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATION_")}
    return {**clean, "NARRATION_HOME": str(tmp_path_factory.mktemp("no-stack-home"))}


def test_the_report_gives_chapters_chunks_and_what_was_skipped(
    local_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "guide.md"
    path.write_text(DOCUMENT)
    result = narrate(local_env, "inspect", str(path), "--report", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["chapters"], report["title"]) == (2, "Setting Up")
    assert report["chunks"] >= 2 and report["median_chunk_chars"] > 20
    assert 0 <= report["mid_sentence_share"] <= 1
    assert report["skipped"] == [{"reason": "code blocks", "blocks": 1, "chars": 38}]

    text = narrate(local_env, "inspect", str(path), "--report")
    assert text.returncode == 0, text.stderr
    assert "2 chapters" in text.stdout and "skipped: code blocks: 1" in text.stdout


def test_read_options_put_the_code_back(local_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(DOCUMENT)
    result = narrate(local_env, "inspect", str(path), "--json", "--chunks", "--code", "read")
    assert result.returncode == 0, result.stderr
    spoken = " ".join(
        c["text"] for ch in json.loads(result.stdout)["chapters"] for c in ch["chunks"]
    )
    assert "make install" in spoken
