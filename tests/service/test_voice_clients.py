"""The voice catalogue through real clients: boto3's DescribeVoices, the openai client's voice
names, the console's picker. The service runs in this process on a real socket (uvicorn), with
Kokoro voices installed as files in a temporary data directory; no stack is needed, because
listing voices reads no broker and a speech request's voice is resolved before it reaches one.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import numpy as np
import openai
import pytest
import uvicorn
from fastapi.testclient import TestClient

from narration.engines.catalogue import OPENAI_VOICES, openai_voice
from narration.jobs import SubmitRequest
from narration.pipeline.audio import to_wav_bytes
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.service import speech
from narration.service.app import create_app
from narration.settings import Settings
from tests.integration.faults import wait_until

KEY_ID, SECRET = "voices", "voices-secret-1"
INSTALLED = ("af_alloy", "af_heart", "am_echo", "bm_fable", "ef_dora")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("data")
    (data / "kokoro" / "voices").mkdir(parents=True)
    (data / "kokoro" / "kokoro-v1.0.int8.onnx").write_bytes(b"model")
    for name in INSTALLED:
        (data / "kokoro" / "voices" / f"{name}.bin").write_bytes(b"voice")
    patch = pytest.MonkeyPatch()
    patch.setenv("NARRATION_DATA_DIR", str(data))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = create_app(
        Settings(home=data, api_keys=f"{KEY_ID}:{SECRET}", broker_url="redis://127.0.0.1:9/0")
    )
    server = uvicorn.Server(
        uvicorn.Config(service, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=30, what="the service")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    patch.undo()


def test_describe_voices_lists_the_catalogue(api: str) -> None:
    polly: Any = boto3.client(
        "polly",
        endpoint_url=api,
        region_name="eu-west-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    voices = {voice["Id"]: voice for voice in polly.describe_voices()["Voices"]}
    assert list(voices) == [DEFAULT_VOICE_NAME, *INSTALLED]
    assert voices[DEFAULT_VOICE_NAME]["Gender"] == "Male"
    assert voices[DEFAULT_VOICE_NAME]["LanguageCode"] == "en-US"
    assert voices["af_heart"] == {
        "Id": "af_heart",
        "Name": "af_heart",
        "Gender": "Female",
        "LanguageCode": "en-US",
        "LanguageName": "US English",
        "SupportedEngines": ["standard"],
    }
    british = polly.describe_voices(LanguageCode="en-GB")["Voices"]
    assert [(v["Id"], v["Gender"]) for v in british] == [("bm_fable", "Male")]
    assert [v["Id"] for v in polly.describe_voices(LanguageCode="es")["Voices"]] == ["ef_dora"]
    assert polly.describe_voices(Engine="neural")["Voices"] == []


@pytest.fixture
def spoken(monkeypatch: pytest.MonkeyPatch) -> list[SubmitRequest]:
    """Each speech request's job options, answered with a short silence: the voice a request
    means is decided before the job is sent, and that decision is what these tests read."""
    requests: list[SubmitRequest] = []

    def speak(context: Any, document: Any, request: SubmitRequest, **_: Any) -> Any:
        requests.append(request)
        return speech.SpokenText("0" * 32, to_wav_bytes(np.zeros(2400, np.float32), 24000), b"")

    monkeypatch.setattr(speech, "speak", speak)
    return requests


def test_openai_voice_names_mean_their_kokoro_voices(api: str, spoken: list[SubmitRequest]) -> None:
    client = openai.OpenAI(base_url=f"{api}/v1", api_key=SECRET)
    for name in ("alloy", "echo", "fable", "nova", "Shimmer", "af_heart", DEFAULT_VOICE_NAME):
        client.audio.speech.create(model="tts-1", voice=name, input="Hi.", response_format="wav")
    assert [request.voice for request in spoken] == [
        "af_alloy",
        "am_echo",
        "bm_fable",
        DEFAULT_VOICE_NAME,  # af_nova is not installed here
        DEFAULT_VOICE_NAME,  # nor af_sky
        "af_heart",
        DEFAULT_VOICE_NAME,
    ]
    with pytest.raises(openai.BadRequestError):
        client.audio.speech.create(model="tts-1", voice="ef_nobody", input="Hi.")


def test_every_openai_name_has_a_pinned_stand_in() -> None:
    from narration.engines.kokoro.assets import VOICE_SHA256

    assert set(OPENAI_VOICES.values()) <= set(VOICE_SHA256)
    assert {"alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage"} <= set(
        OPENAI_VOICES
    )
    assert OPENAI_VOICES["shimmer"] == "af_sky" and OPENAI_VOICES["onyx"] == "am_onyx"
    assert openai_voice("verse", {"am_fenrir"}, "joe") == "am_fenrir"
    assert openai_voice("verse", set(), "joe") == "joe"
    assert openai_voice("nobody", set(), "joe") is None


@pytest.fixture
def console(api: str) -> TestClient:
    """The console in-process over HTTPS (its session cookie is Secure), signed in."""
    settings = Settings(api_keys=f"{KEY_ID}:{SECRET}", broker_url="redis://127.0.0.1:9/0")
    client = TestClient(create_app(settings), base_url="https://testserver")
    signed = client.post("/console/sign-in", data={"secret": SECRET}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def test_the_console_picker_offers_every_voice_with_a_sample(api: str, console: TestClient) -> None:
    page = console.get("/console/submit").text
    assert '<option value="af_heart">af_heart (en-US, female, grade A)</option>' in page
    assert f'<option value="{DEFAULT_VOICE_NAME}" selected>' in page
    for name in (DEFAULT_VOICE_NAME, *INSTALLED):
        assert f'data-sample="/console/voices/{name}/sample.mp3"' in page
    assert console.get("/console/voices/nobody/sample.mp3").status_code == 404
    assert httpx.get(f"{api}/console/voices/af_heart/sample.mp3").status_code == 401


def test_a_voice_sample_is_rendered_once(console: TestClient, spoken: list[SubmitRequest]) -> None:
    first = console.get("/console/voices/bm_fable/sample.mp3")
    again = console.get("/console/voices/bm_fable/sample.mp3")
    assert first.status_code == again.status_code == 200
    assert first.headers["content-type"] == "audio/mpeg"
    assert first.content == again.content
    assert [(request.voice, request.format) for request in spoken] == [("bm_fable", "mp3")]
