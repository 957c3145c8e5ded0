"""A local service is safe by default: against the running `narrate serve` on the session stack,
a page on another site cannot start a job through its visitor's browser, a foreign Host (DNS
rebinding) is refused, and the clients people script with (curl-like httpx, boto3, the openai
client) work as before. Outputs go only where `output_allow` lets, through the API and the CLI,
and nothing is written, no bucket made, when one is refused.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import boto3
import httpx
import openai
import pytest
from botocore.exceptions import ClientError

from narration.adapters.object_store import S3Store
from narration.connections import Services
from tests.conftest import narrate
from tests.integration.serving import serving

pytestmark = pytest.mark.integration

VOICE = "en_US-joe-medium"
EVIL = "http://evil.example"
DOCUMENT = ("note.txt", b"A short note that nobody should have queued.")
KEY_ID, SECRET = "safety", "safety-secret-1"


@pytest.fixture(scope="module")
def open_api(stack_env: dict[str, str]) -> Iterator[str]:
    """The default local service: no keys, loopback, one extra allowed host name."""
    with serving(stack_env, allowed_hosts="narration.example") as url:
        yield url


@pytest.fixture(scope="module")
def keyed_api(stack_env: dict[str, str]) -> Iterator[str]:
    with serving(stack_env, api_keys=f"{KEY_ID}:{SECRET}") as url:
        yield url


def _job_ids(services: Services) -> list[str]:
    return [record["job_id"] for record in services.records().list(1000)]


def _submit(api: str, headers: dict[str, str], **fields: str) -> httpx.Response:
    return httpx.post(
        f"{api}/v1/jobs",
        files={"document": DOCUMENT},
        data={"hls": "false", **fields},
        headers=headers,
        timeout=60,
    )


def test_a_page_on_another_origin_cannot_start_a_job(open_api: str, services: Services) -> None:
    before = _job_ids(services)
    for headers in (
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Referer": f"{EVIL}/page.html"},
        {"Origin": EVIL, "Referer": f"{open_api}/console/submit"},
    ):
        refused = _submit(open_api, headers)
        assert refused.status_code == 403, (headers, refused.text)
        assert refused.json()["error"]["code"] == "cross_origin"
    speech = httpx.post(
        f"{open_api}/v1/audio/speech",
        json={"model": "tts-1", "input": "Hello.", "voice": "alloy"},
        headers={"Origin": EVIL},
    )
    assert speech.status_code == 403
    assert speech.json()["error"]["type"] == "authentication_error"
    console = httpx.post(
        f"{open_api}/console/submit", data={"text": "Queued from evil."}, headers={"Origin": EVIL}
    )
    assert console.status_code == 403
    assert _job_ids(services) == before


def test_a_foreign_host_is_refused(open_api: str) -> None:
    port = open_api.rsplit(":", 1)[1]
    for host in (f"evil.example:{port}", "evil.example", f"narration.example.evil:{port}"):
        answer = httpx.get(f"{open_api}/v1/jobs", headers={"Host": host})
        assert answer.status_code == 421, host
        assert answer.json()["error"]["code"] == "host_not_allowed"
    polly = httpx.get(f"{open_api}/v1/voices", headers={"Host": "evil.example"})
    assert polly.status_code == 421
    assert polly.headers["x-amzn-ErrorType"] == "InvalidHostException"
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "narration.example"):
        assert httpx.get(f"{open_api}/v1/jobs", headers={"Host": host}).status_code == 200


def test_requests_from_scripts_and_the_service_own_pages_are_accepted(
    open_api: str, services: Services
) -> None:
    port = open_api.rsplit(":", 1)[1]
    for headers in (
        {},
        {"Origin": open_api},
        {"Referer": f"{open_api}/console/submit"},
        {"Origin": "https://narration.example", "Host": f"127.0.0.1:{port}"},
    ):
        answer = _submit(open_api, headers)
        assert answer.status_code == 201, (headers, answer.text)
        job_id = answer.json()["job_id"]
        assert job_id in _job_ids(services)
        # A POST without Origin or Referer (as curl sends it) is accepted too; the short job may
        # have ended already, which the cancel answers with 400.
        cancel = httpx.post(f"{open_api}/v1/jobs/{job_id}/cancel")
        assert cancel.status_code in (200, 400), cancel.text
        assert cancel.status_code == 400 or cancel.json()["status"] == "cancelled"


def test_boto3_and_openai_clients_still_work(open_api: str) -> None:
    polly: Any = boto3.client(
        "polly",
        endpoint_url=open_api,
        region_name="eu-west-1",
        aws_access_key_id="anyone",
        aws_secret_access_key="anything",
    )
    assert VOICE in {voice["Id"] for voice in polly.describe_voices()["Voices"]}
    spoken = polly.synthesize_speech(Text="Hello there.", VoiceId=VOICE, OutputFormat="pcm")
    assert len(spoken["AudioStream"].read()) > 8000
    client = openai.OpenAI(base_url=f"{open_api}/v1", api_key="unused")
    audio = client.audio.speech.create(
        model="tts-1", voice="alloy", input="Hello there.", response_format="wav"
    )
    assert audio.content[:4] == b"RIFF"


def test_with_keys_the_console_cookie_gets_the_same_checks(
    keyed_api: str, services: Services
) -> None:
    port = keyed_api.rsplit(":", 1)[1]
    with httpx.Client(base_url=keyed_api, timeout=60) as browser:
        forged = browser.post("/console/sign-in", data={"secret": SECRET}, headers={"Origin": EVIL})
        assert forged.status_code == 403 and "set-cookie" not in forged.headers
        signed = browser.post(
            "/console/sign-in", data={"secret": SECRET}, headers={"Origin": keyed_api}
        )
        assert signed.status_code == 303, signed.text
        header = signed.headers["set-cookie"]
        flags = {part.strip().lower() for part in header.split(";")}
        assert {"httponly", "secure", "samesite=strict"} <= flags
        morsel = SimpleCookie(header)["narration_console"]
        cookies = {"Cookie": f"narration_console={morsel.value}"}
        before = _job_ids(services)
        refused = browser.post(
            "/console/submit",
            data={"text": "Forged."},
            headers={"Origin": EVIL, **cookies},
        )
        assert refused.status_code == 403
        rebound = browser.get("/console/jobs", headers={"Host": f"evil.example:{port}", **cookies})
        assert rebound.status_code == 421
        assert _job_ids(services) == before
        assert browser.get("/console/jobs", headers=cookies).status_code == 200
    bearer = _submit(keyed_api, {"Authorization": f"Bearer {SECRET}", "Origin": EVIL})
    assert bearer.status_code == 201, "an Authorization header is never sent by another site"
    httpx.post(
        f"{keyed_api}/v1/jobs/{bearer.json()['job_id']}/cancel",
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    anonymous = httpx.get(f"{keyed_api}/v1/jobs", headers={"Host": "evil.example"})
    assert anonymous.status_code == 401


def _objects(services: Services) -> set[str]:
    return set(services.store().list_keys(""))


def _settled_objects(services: Services, timeout_s: float = 30.0) -> set[str]:
    """The stored objects once two listings a second apart agree: jobs that earlier tests
    submitted and cancelled may still be storing a part."""
    deadline = time.monotonic() + timeout_s
    before = _objects(services)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _objects(services)
        if now == before:
            return now
        before = now
    return before


@pytest.mark.parametrize(
    "output",
    [
        "s3://narration/jobs/lexicons/song.mp3",
        "s3://narration/jobs/0123456789abcdef0123456789abcdef/output.mp3",
        "s3://narration/chunk-cache/ab/x.wav",
        "s3://narration/lexicons/x.pls",
        "s3://made-up-bucket-for-output/book.mp3",
    ],
)
def test_outputs_outside_the_allowed_places_are_refused_over_http(
    open_api: str, services: Services, output: str
) -> None:
    jobs_before, objects_before = _job_ids(services), _settled_objects(services)
    answer = _submit(open_api, {}, output=output)
    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]["message"]
    assert "\n" not in message and ("own objects" in message or "not allowed" in message)
    assert _job_ids(services) == jobs_before
    assert _objects(services) == objects_before
    assert not services.store("made-up-bucket-for-output").bucket_exists()


def test_a_polly_task_cannot_write_into_the_lexicon_store(
    open_api: str, services: Services
) -> None:
    polly: Any = boto3.client(
        "polly",
        endpoint_url=open_api,
        region_name="eu-west-1",
        aws_access_key_id="anyone",
        aws_secret_access_key="anything",
    )
    objects_before = _objects(services)
    for prefix, code in (
        (f"{services.prefix}/lexicons/", "InvalidS3KeyException"),
        ("chunk-cache/", "InvalidS3KeyException"),
    ):
        with pytest.raises(ClientError) as raised:
            polly.start_speech_synthesis_task(
                Text="Hello.",
                VoiceId=VOICE,
                OutputFormat="mp3",
                OutputS3BucketName=services.bucket,
                OutputS3KeyPrefix=prefix,
            )
        assert raised.value.response["Error"]["Code"] == code
    assert _objects(services) == objects_before
    assert isinstance(polly.list_lexicons()["Lexicons"], list)


def _s3(services: Services) -> Any:
    return S3Store(
        services.bucket,
        endpoint=services.s3_endpoint,
        region=services.s3_region,
        access_key=services.s3_access_key,
        secret_key=services.s3_secret_key,
    )


def test_the_cli_output_allow_list(
    stack_env: dict[str, str], services: Services, tmp_path: Path
) -> None:
    source = tmp_path / "note.txt"
    source.write_text("A short note for the allow list.")
    other = _s3(services).for_bucket("narration-deliveries")
    other.ensure_bucket()
    allow = "narration-deliveries/books/, never-made-bucket"
    env = {**stack_env, "NARRATION_OUTPUT_ALLOW": allow}
    jobs_before, objects_before = _job_ids(services), _objects(services)
    for output in (
        "s3://narration/books/note.mp3",
        "s3://narration-deliveries/other/note.mp3",
        "s3://never-made-bucket/books/note.mp3",
    ):
        result = narrate(env, "submit", str(source), "--output", output)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not services.store("never-made-bucket").bucket_exists()
    assert _job_ids(services) == jobs_before and _objects(services) == objects_before
    assert other.list_keys("") == []
    allowed = narrate(
        env, "submit", str(source), "--output", "s3://narration-deliveries/books/note.mp3"
    )
    assert allowed.returncode == 0, allowed.stderr
    reserved = narrate(stack_env, "submit", str(source), "--output", "s3://narration/jobs/x.mp3")
    assert reserved.returncode == 2 and "own objects" in reserved.stderr
