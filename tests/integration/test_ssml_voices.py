"""SSML `<voice name>` through the real CLI, bucket and workers: the switch shows in the marks,
a female and a male voice are told apart by pitch; a voice not installed or of another family
is refused on every surface that takes SSML (CLI, native API, Polly's SynthesizeSpeech and
StartSpeechSynthesisTask), in one line, before anything is queued."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narration.connections import Services
from narration.engines.kokoro import assets
from tests.conftest import narrate
from tests.helpers import decode
from tests.integration.service_api import native, polly, polly_error
from tests.integration.speakers import sentence_marks, speaker_f0

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
    ),
]

SSML = """<speak>
  <p>Welcome back to the show. Today we talk about small speech models.</p>
  <voice name="am_michael">
    <p>Thanks for having me. It is a pleasure to be here again.</p>
  </voice>
  <p>So tell me, what makes a speech model small?</p>
  <p><voice name="am_michael">Fewer parameters, mostly. And it runs happily on a laptop.</voice></p>
</speak>"""
SPEAKERS = ["af_heart"] * 2 + ["am_michael"] * 2 + ["af_heart"] + ["am_michael"] * 2
"""The speakers of the sentence marks in order: the job's voice, then the switches."""
RATE = 16_000
MISSING = '<speak>Hello there. <voice name="zz_nobody">Hi.</voice></speak>'
JAPANESE = '<speak>Hello there. <voice name="jf_alpha">Hi.</voice></speak>'
OTHER_FAMILY = '<speak>Hello there. <voice name="en_US-joe-medium">Hi.</voice></speak>'


@pytest.fixture(scope="module")
def job(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("ssml-voices")
    source = work / "episode.ssml"
    source.write_text(SSML)
    result = narrate(
        stack_env, "submit", str(source), "--voice", "af_heart", "--format", "wav", "--wait",
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    files = {"audio": work / "episode.wav", "marks": work / "marks.json"}
    for what, path in files.items():
        fetched = narrate(stack_env, "fetch", job_id, "--what", what, "-o", str(path))
        assert fetched.returncode == 0, fetched.stderr
    marks = [json.loads(line) for line in files["marks"].read_text().splitlines()]
    return {"audio": files["audio"], "marks": marks, "record": json.loads(result.stdout)}


def test_the_switches_show_in_the_marks(job: dict) -> None:
    assert job["record"]["status"] == "succeeded"
    assert [mark["speaker"] for mark in sentence_marks(job["marks"])] == SPEAKERS
    words = {
        mark["value"].strip(".,"): mark["speaker"]
        for mark in job["marks"]
        if mark["type"] == "word"
    }
    assert (words["Welcome"], words["Thanks"], words["laptop"]) == (
        "af_heart", "am_michael", "am_michael",
    )  # fmt: skip


def test_the_female_and_the_male_voice_are_told_apart_by_pitch(job: dict) -> None:
    f0 = speaker_f0(job["marks"], decode(job["audio"], RATE), RATE)
    assert f0["af_heart"] - f0["am_michael"] >= 40.0, f0


@pytest.mark.parametrize(
    ("ssml", "voice", "refusal"),
    [
        (MISSING, "af_heart", "SSML <voice> names: zz_nobody; voices not installed: zz_nobody"),
        (
            JAPANESE,
            "af_heart",
            "Japanese or Chinese G2P, which this version does not have: jf_alpha",
        ),
        (OTHER_FAMILY, "af_heart", "must be of one family and sample rate"),
    ],
)
def test_a_bad_voice_is_refused_on_every_surface_and_nothing_is_queued(
    stack_env: dict[str, str],
    api: str,
    services: Services,
    tmp_path: Path,
    ssml: str,
    voice: str,
    refusal: str,
) -> None:
    before = _job_ids(services)
    source = tmp_path / "refused.ssml"
    source.write_text(ssml)
    cli = narrate(stack_env, "submit", str(source), "--voice", voice)
    lines = [line for line in cli.stderr.splitlines() if line.strip()]
    assert cli.returncode == 2 and len(lines) == 1 and refusal in lines[0], cli.stderr

    with native(api) as client:
        answer = client.post(
            "/v1/jobs", files={"document": ("refused.ssml", ssml.encode())}, data={"voice": voice}
        )
    assert answer.status_code == 400 and refusal in answer.json()["error"]["message"]

    client = polly(api)
    request = {"Text": ssml, "TextType": "ssml", "VoiceId": voice, "OutputFormat": "mp3"}
    assert polly_error(lambda: client.synthesize_speech(**request)) == (400, "ValidationException")
    task = {**request, "OutputS3BucketName": services.bucket}
    assert polly_error(lambda: client.start_speech_synthesis_task(**task)) == (
        400, "ValidationException",
    )  # fmt: skip
    assert _job_ids(services) == before


def _job_ids(services: Services) -> list[str]:
    return [record["job_id"] for record in services.records().list(1000)]
