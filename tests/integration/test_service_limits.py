"""Per-caller limits and size limits against the running `narrate serve`, with the clients people
use: each API's own refusal (429 with Retry-After; Polly's ThrottlingException, the openai
client's RateLimitError), per key, with the polls of players exempt; off on a local service
without keys; over-long texts and bodies refused in Polly's and OpenAI's words.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import openai
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from narration.connections import Services
from tests.integration.faults import wait_until
from tests.integration.serving import serving

pytestmark = pytest.mark.integration

VOICE = "en_US-joe-medium"
PER_MINUTE = 3
KEYS = {
    name: f"{name}-secret"
    for name in ("native", "openai", "polly", "slow", "other", "polly-sizes", "openai-sizes")
}
SPEECH_MAX_CHARS = 200


@pytest.fixture(scope="module")
def limited_api(stack_env: dict[str, str]) -> Iterator[str]:
    keys = ",".join(f"{name}:{secret}" for name, secret in KEYS.items())
    with serving(
        stack_env,
        api_keys=keys,
        requests_per_minute=str(PER_MINUTE),
        concurrent_requests="1",
        speech_max_chars=str(SPEECH_MAX_CHARS),
    ) as url:
        yield url


def _bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[name]}"}


def test_each_key_has_its_own_request_rate(limited_api: str) -> None:
    with httpx.Client(base_url=limited_api, headers=_bearer("native")) as client:
        for _ in range(PER_MINUTE):
            assert client.get("/v1/jobs").status_code == 200
        refused = client.get("/v1/jobs")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60 / PER_MINUTE
        job_id = "0" * 32
        for _ in range(3 * PER_MINUTE):
            assert client.get(f"/v1/jobs/{job_id}").status_code == 404
            assert client.get(f"/v1/jobs/{job_id}/hls/playlist.m3u8").status_code != 429
            assert client.get(f"/v1/jobs/{job_id}/hls/000001.ts").status_code != 429
    other = httpx.get(f"{limited_api}/v1/jobs", headers=_bearer("other"))
    assert other.status_code == 200


def test_the_openai_client_sees_a_rate_limit_error(limited_api: str) -> None:
    client = openai.OpenAI(base_url=f"{limited_api}/v1", api_key=KEYS["openai"], max_retries=0)
    for _ in range(PER_MINUTE):
        with pytest.raises(openai.BadRequestError):
            client.audio.speech.create(model="tts-1", voice="nobody", input="Hello.")
    with pytest.raises(openai.RateLimitError) as raised:
        client.audio.speech.create(model="tts-1", voice="nobody", input="Hello.")
    assert raised.value.response.headers["Retry-After"]
    assert raised.value.code == "rate_limit_exceeded"


def test_boto3_sees_polly_throttling(limited_api: str) -> None:
    polly = boto3.client(
        "polly",
        endpoint_url=limited_api,
        region_name="eu-west-1",
        aws_access_key_id="polly",
        aws_secret_access_key=KEYS["polly"],
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    for _ in range(PER_MINUTE):
        polly.describe_voices()
    with pytest.raises(ClientError) as raised:
        polly.describe_voices()
    response: dict[str, Any] = raised.value.response
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"]
    wrong = boto3.client(
        "polly",
        endpoint_url=limited_api,
        region_name="eu-west-1",
        aws_access_key_id="other",
        aws_secret_access_key="not-its-secret",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    for _ in range(2 * PER_MINUTE):
        with pytest.raises(ClientError) as forged:
            wrong.describe_voices()
        assert forged.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert httpx.get(f"{limited_api}/v1/jobs", headers=_bearer("other")).status_code == 200


def test_a_key_may_have_one_request_in_progress(limited_api: str, services: Services) -> None:
    answers: list[httpx.Response] = []
    before = {record["job_id"] for record in services.records().list(1000)}

    def speak() -> None:
        answers.append(
            httpx.post(
                f"{limited_api}/v1/audio/speech",
                json={"model": "tts-1", "input": "One at a time.", "voice": "alloy"},
                headers=_bearer("slow"),
                timeout=120,
            )
        )

    speaking = threading.Thread(target=speak)
    speaking.start()
    wait_until(
        lambda: any(r["job_id"] not in before for r in services.records().list(1000)),
        60,
        "the speech request's job",
    )
    busy = httpx.get(f"{limited_api}/v1/jobs", headers=_bearer("slow"))
    speaking.join(timeout=120)
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
    assert "in progress" in busy.json()["error"]["message"]
    assert answers[0].status_code == 200
    assert httpx.get(f"{limited_api}/v1/jobs", headers=_bearer("slow")).status_code == 200


def test_no_limits_on_a_local_service_without_keys(stack_env: dict[str, str]) -> None:
    with serving(stack_env, requests_per_minute="1", concurrent_requests="1") as url:
        for _ in range(5):
            assert httpx.get(f"{url}/v1/jobs").status_code == 200


def test_over_long_texts_and_bodies_in_each_api_s_words(limited_api: str) -> None:
    long_text = "word " * SPEECH_MAX_CHARS
    polly = boto3.client(
        "polly",
        endpoint_url=limited_api,
        region_name="eu-west-1",
        aws_access_key_id="polly-sizes",
        aws_secret_access_key=KEYS["polly-sizes"],
    )
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text=long_text, VoiceId=VOICE, OutputFormat="mp3")
    assert raised.value.response["Error"]["Code"] == "TextLengthExceededException"
    huge = "x" * 100_000
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text=huge, VoiceId=VOICE, OutputFormat="mp3")
    assert raised.value.response["Error"]["Code"] == "TextLengthExceededException"
    client = openai.OpenAI(
        base_url=f"{limited_api}/v1", api_key=KEYS["openai-sizes"], max_retries=0
    )
    for text in (long_text, huge):
        with pytest.raises(openai.BadRequestError) as too_long:
            client.audio.speech.create(model="tts-1", voice="alloy", input=text)
        assert too_long.value.code == "string_above_max_length"
