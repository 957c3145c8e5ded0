"""Lexicons through the real CLI, bucket and workers: stored by name, heard in the output (ASR)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import narrate
from tests.helpers import decode
from tests.pipeline.test_lexicon import W3C, pls

ASR_RATE = 16000
DOCUMENT = "The W3C publishes the standards of the web.\n"


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _transcribe(path: Path) -> str:
    from narration.production.proofing.recogniser import whisper_model

    segments, _ = whisper_model(cpu_threads=2).transcribe(
        decode(path, ASR_RATE), language="en", beam_size=5
    )
    return _words(" ".join(segment.text for segment in segments))


def test_lexicon_commands_store_list_get_and_delete(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "web.pls"
    source.write_bytes(pls(W3C))
    put = narrate(stack_env, "lexicon", "put", "Web1", str(source), "--json")
    assert put.returncode == 0, put.stderr
    assert json.loads(put.stdout) == {
        "name": "Web1", "language": "en-US", "alphabet": "ipa", "lexemes": 1,
        "size": len(pls(W3C)),
    }  # fmt: skip
    document = tmp_path / "web.txt"
    document.write_text(DOCUMENT)
    spoken = narrate(stack_env, "inspect", str(document), "--spoken", "--lexicon", "Web1")
    assert spoken.stdout.splitlines() == [
        "The World Wide Web Consortium publishes the standards of the web."
    ], spoken.stderr
    got = narrate(stack_env, "lexicon", "get", "Web1")
    assert got.returncode == 0 and got.stdout.encode() == pls(W3C)
    listed = json.loads(narrate(stack_env, "lexicon", "list", "--json").stdout)["lexicons"]
    assert "Web1" in [row["name"] for row in listed]
    broken = tmp_path / "broken.pls"
    broken.write_bytes(b'<?xml version="1.0"?>\n<lexicon>\n  <lexeme>\n</lexicon>\n')
    refused = narrate(stack_env, "lexicon", "put", "Web1", str(broken))
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: the lexicon is not valid XML (line 4, column")
    assert narrate(stack_env, "lexicon", "get", "Web1").stdout.encode() == pls(W3C)  # kept
    assert narrate(stack_env, "lexicon", "delete", "Web1").returncode == 0
    gone = narrate(stack_env, "lexicon", "get", "Web1")
    assert (gone.returncode, gone.stderr.strip()) == (2, "error: no lexicon 'Web1'")
    bad_name = narrate(stack_env, "lexicon", "put", "../x", str(source))
    assert bad_name.returncode == 2 and "invalid lexicon name" in bad_name.stderr


def test_an_alias_is_heard_in_the_output(stack_env: dict[str, str], tmp_path: Path) -> None:
    lexicon = tmp_path / "web.pls"
    lexicon.write_bytes(pls(W3C))
    assert narrate(stack_env, "lexicon", "put", "Web2", str(lexicon)).returncode == 0
    document = tmp_path / "web.txt"
    document.write_text(DOCUMENT)
    missing = narrate(stack_env, "submit", str(document), "--lexicon", "Nope")
    assert (missing.returncode, missing.stderr.strip()) == (2, "error: no lexicon 'Nope'")
    result = narrate(stack_env, "submit", str(document), "--lexicon", "Web2", "--wait", "--json")
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    audio = tmp_path / "web.mp3"
    assert narrate(stack_env, "fetch", job_id, "-o", str(audio)).returncode == 0
    heard = _transcribe(audio)
    # The ASR writes "world wide" as one word or two, as it hears the pause between them.
    assert "worldwidewebconsortium" in heard.replace(" ", ""), heard
    manifest = tmp_path / "manifest.json"
    narrate(stack_env, "fetch", job_id, "--what", "manifest", "-o", str(manifest))
    chunks = json.loads(manifest.read_text())["chunks"]
    assert chunks[0]["text"] == DOCUMENT.strip()  # captions and marks keep the written text
