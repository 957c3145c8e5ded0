"""A two-speaker script through the real CLI, bucket and workers: each turn read by its own
voice, in order in the marks and captions, the voices told apart by pitch and levelled against
each other; a cast with a voice missing refused before anything is queued."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from narration.engines.kokoro import assets
from narration.pipeline import audio
from tests.conftest import narrate
from tests.helpers import decode
from tests.integration.speakers import sentence_marks, speaker_f0, speaker_turns

SCRIPT = """# Small models

HOST: Welcome back to the show. Today we talk about small speech models.
GUEST: Thanks for having me. It is a pleasure to be here again.
HOST: So tell me, what makes a speech model small?
GUEST: Fewer parameters, mostly. And it runs happily on an ordinary laptop.
HOST: That is good news for all of us. Thank you for coming.
"""
TURNS = ["HOST"] * 3 + ["GUEST"] * 2 + ["HOST"] + ["GUEST"] * 2 + ["HOST"] * 2
"""The speakers of the sentence marks in order: the title is read by the cast's first."""
CAST = "HOST=af_heart,GUEST=am_michael"
RATE = 16_000

pytestmark = pytest.mark.skipif(
    not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
)


@pytest.fixture(scope="module")
def job(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("casts")
    source = work / "episode.script.md"
    source.write_text(SCRIPT)
    result = narrate(
        stack_env, "submit", str(source), "--cast", CAST, "--format", "wav", "--wait", "--json"
    )
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    files = {what: work / name for what, name in (
        ("audio", "episode.wav"), ("marks", "marks.json"), ("vtt", "captions.vtt"),
        ("manifest", "manifest.json"),
    )}  # fmt: skip
    for what, path in files.items():
        fetched = narrate(stack_env, "fetch", job_id, "--what", what, "-o", str(path))
        assert fetched.returncode == 0, fetched.stderr
    marks = [json.loads(line) for line in files["marks"].read_text().splitlines()]
    return {**files, "record": json.loads(result.stdout), "marks": marks}


def _sentences(job: dict) -> list[dict]:
    return sentence_marks(job["marks"])


def test_the_turns_appear_in_the_marks_in_order_with_their_speakers(job: dict) -> None:
    assert job["record"]["status"] == "succeeded"
    assert [mark["speaker"] for mark in _sentences(job)] == TURNS
    words = [mark for mark in job["marks"] if mark["type"] == "word"]
    assert {mark["speaker"] for mark in words} == {"HOST", "GUEST"}
    assert not any("HOST:" in mark["value"] for mark in job["marks"])


def test_captions_carry_voice_spans_and_the_manifest_the_cast(job: dict) -> None:
    vtt = job["vtt"].read_text()
    assert "<v HOST>Welcome back to the show." in vtt
    assert "<v GUEST>Thanks for having me." in vtt
    manifest = json.loads(job["manifest"].read_text())
    assert manifest["cast"] == {"HOST": "af_heart", "GUEST": "am_michael"}
    chunks = manifest["chunks"]
    assert "turn" in {chunk["boundary_after"] for chunk in chunks}


def test_host_and_guest_are_told_apart_by_pitch(job: dict) -> None:
    f0 = speaker_f0(job["marks"], decode(job["audio"], RATE), RATE)
    assert f0["HOST"] - f0["GUEST"] >= 40.0, f0


def test_speakers_are_levelled_against_each_other(job: dict) -> None:
    turns = speaker_turns(job["marks"], decode(job["audio"], RATE), RATE)
    levels = [audio.speech_level_db(pcm, RATE) for _, pcm in turns]
    steps = np.abs(np.diff(levels))
    assert float(np.median(steps)) <= 1.0, levels


@pytest.mark.parametrize("guest", ["zz_nobody", "jf_alpha"])
def test_a_cast_missing_a_voice_is_refused_and_nothing_is_queued(
    stack_env: dict[str, str], tmp_path: Path, guest: str
) -> None:
    source = tmp_path / "episode.script.md"
    source.write_text(SCRIPT)
    before = narrate(stack_env, "list", "--json")
    refused = narrate(stack_env, "submit", str(source), "--cast", f"HOST=af_heart,GUEST={guest}")
    assert refused.returncode == 2
    message = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(message) == 1, refused.stderr
    assert "HOST, GUEST" in message[0] and guest in message[0]
    after = narrate(stack_env, "list", "--json")
    assert _job_ids(after.stdout) == _job_ids(before.stdout)


def _job_ids(listed: str) -> list[str]:
    return [record["job_id"] for record in json.loads(listed)["jobs"]]
