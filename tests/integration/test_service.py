"""`narrate serve` on the real stack, driven by the clients people use: boto3's Polly and S3
clients, the openai client, httpx, and ffmpeg playing the HLS playlist while the job renders.

The service is started by `narrate up --serve` on the session stack, with API keys, so the
Polly requests are SigV4-signed and checked (the `api` fixture, tests/integration/conftest.py).
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import wave
from pathlib import Path
from typing import Any

import boto3
import httpx
import openai
import pytest
from botocore.exceptions import ClientError

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.connections import Services
from narration.pipeline.prosody import PAUSES_S
from tests.conftest import narrate
from tests.integration.faults import wait_until
from tests.integration.service_api import SECRET, SENTENCE, VOICE, native, polly, polly_error
from tests.integration.test_bookends import TONE_S, tone_wav
from tests.pipeline.test_lexicon import W3C, pls

pytestmark = pytest.mark.integration


def wait_task(client: Any, task_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task: dict[str, Any] = client.get_speech_synthesis_task(TaskId=task_id)["SynthesisTask"]
        if task["TaskStatus"] in ("completed", "failed"):
            return task
        time.sleep(0.5)
    raise AssertionError(f"task {task_id} did not end within {timeout} s")


def test_polly_task_lands_in_s3_identical_to_the_cli(
    api: str, services: Services, stack_env: dict[str, str], tmp_path: Path
) -> None:
    text = f"{SENTENCE} Then the keeper lit the lamp and wrote the count in his book."
    client = polly(api)
    task = client.start_speech_synthesis_task(
        Text=text,
        VoiceId=VOICE,
        OutputFormat="mp3",
        OutputS3BucketName=services.bucket,
        OutputS3KeyPrefix="polly-out/",
    )["SynthesisTask"]
    assert task["TaskStatus"] == "scheduled"
    assert task["RequestCharacters"] == len(text)
    done = wait_task(client, task["TaskId"])
    assert done["TaskStatus"] == "completed", done.get("TaskStatusReason")
    bucket, key = done["OutputUri"].split(f"{services.s3_endpoint}/", 1)[1].split("/", 1)
    assert key == f"polly-out/{task['TaskId']}.mp3"
    s3 = boto3.client(
        "s3",
        endpoint_url=services.s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=services.s3_access_key,
        aws_secret_access_key=services.s3_secret_key,
    )
    from_polly = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert from_polly[:3] == b"ID3"

    document = tmp_path / "task.txt"
    document.write_text(text)
    submitted = narrate(stack_env, "submit", str(document), "--wait", "--json")
    assert submitted.returncode == 0, submitted.stderr
    job_id = json.loads(submitted.stdout)["job_id"]
    fetched = narrate(stack_env, "fetch", job_id, "-o", str(tmp_path / "cli.mp3"))
    assert fetched.returncode == 0, fetched.stderr
    assert (tmp_path / "cli.mp3").read_bytes() == from_polly


def test_polly_lists_tasks_in_pages_and_by_status(api: str, services: Services) -> None:
    client = polly(api)
    started = [
        client.start_speech_synthesis_task(
            Text=f"Short task number {number}.",
            VoiceId=VOICE,
            OutputFormat="ogg_vorbis",
            OutputS3BucketName=services.bucket,
        )["SynthesisTask"]["TaskId"]
        for number in range(3)
    ]
    first = client.list_speech_synthesis_tasks(MaxResults=2)
    assert len(first["SynthesisTasks"]) == 2 and first["NextToken"]
    assert [t["TaskId"] for t in first["SynthesisTasks"]] == started[::-1][:2]
    second = client.list_speech_synthesis_tasks(MaxResults=2, NextToken=first["NextToken"])
    assert second["SynthesisTasks"][0]["TaskId"] == started[0]
    for task_id in started:
        wait_task(client, task_id)
    completed = client.list_speech_synthesis_tasks(Status="completed")["SynthesisTasks"]
    assert set(started) <= {t["TaskId"] for t in completed}
    assert all(t["TaskStatus"] == "completed" for t in completed)
    with pytest.raises(ClientError) as bad_token:
        client.list_speech_synthesis_tasks(NextToken="not-a-token")
    assert bad_token.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_polly_synthesize_speech_pcm_and_speech_marks(api: str) -> None:
    client = polly(api)
    pcm = client.synthesize_speech(
        Text=SENTENCE, VoiceId=VOICE, OutputFormat="pcm", SampleRate="16000"
    )
    assert pcm["ContentType"] == "audio/pcm"
    assert int(pcm["RequestCharacters"]) == len(SENTENCE)
    audio = pcm["AudioStream"].read()
    assert len(audio) % 2 == 0 and 2.0 < len(audio) / 2 / 16000 < 10.0
    marks = client.synthesize_speech(
        Text=SENTENCE, VoiceId=VOICE, OutputFormat="json", SpeechMarkTypes=["word"]
    )["AudioStream"].read()
    words = [json.loads(line) for line in marks.decode().splitlines()]
    assert [w["value"] for w in words][:3] == ["The", "lighthouse", "keeper"]
    assert all(w["type"] == "word" for w in words)
    assert words == sorted(words, key=lambda w: w["time"])


def test_polly_lexicons_share_the_cli_store_and_reach_synthesis(
    api: str, stack_env: dict[str, str], tmp_path: Path
) -> None:
    client = polly(api)
    client.put_lexicon(Name="PollyWeb", Content=pls(W3C).decode())
    listed = {row["Name"]: row["Attributes"] for row in client.list_lexicons()["Lexicons"]}
    assert listed["PollyWeb"]["LexemesCount"] == 1
    assert listed["PollyWeb"]["Alphabet"] == "ipa"
    got = client.get_lexicon(Name="PollyWeb")
    assert got["Lexicon"]["Content"].encode() == pls(W3C)
    assert got["LexiconAttributes"]["Size"] == len(pls(W3C))
    from_cli = narrate(stack_env, "lexicon", "get", "PollyWeb")
    assert from_cli.stdout.encode() == pls(W3C)
    assert polly_error(
        lambda: client.put_lexicon(Name="Broken", Content="<lexicon><lexeme></lexicon>")
    ) == (400, "InvalidLexiconException")

    def speak(**changes: Any) -> bytes:
        request = {"Text": "The W3C met.", "VoiceId": VOICE, "OutputFormat": "mp3", **changes}
        body: bytes = client.synthesize_speech(**request)["AudioStream"].read()
        return body

    plain, aliased = speak(), speak(LexiconNames=["PollyWeb"])
    assert plain[:3] == aliased[:3] == b"ID3"
    assert plain != aliased
    document = tmp_path / "speech.txt"  # the name SynthesizeSpeech gives its text: same title
    document.write_text("The W3C met.")
    job = narrate(stack_env, "submit", str(document), "--lexicon", "PollyWeb", "--wait", "--json")
    assert job.returncode == 0, job.stderr
    fetched = tmp_path / "w3c.mp3"
    narrate(stack_env, "fetch", json.loads(job.stdout)["job_id"], "-o", str(fetched))
    assert fetched.read_bytes() == aliased
    client.delete_lexicon(Name="PollyWeb")
    assert polly_error(lambda: client.get_lexicon(Name="PollyWeb")) == (
        404,
        "LexiconNotFoundException",
    )
    assert polly_error(lambda: speak(LexiconNames=["PollyWeb"])) == (
        404,
        "LexiconNotFoundException",
    )


def test_polly_reads_ssml_and_gives_its_marks(api: str) -> None:
    client = polly(api)
    ssml = (
        '<speak><s>The keeper <mark name="chime"/>rang the bell.</s>'
        '<break time="1s"/><s>Then he slept.</s></speak>'
    )
    marks = client.synthesize_speech(
        Text=ssml,
        TextType="ssml",
        VoiceId=VOICE,
        OutputFormat="json",
        SpeechMarkTypes=["ssml", "word"],
    )["AudioStream"].read()
    rows = [json.loads(line) for line in marks.decode().splitlines()]
    assert [row["value"] for row in rows if row["type"] == "ssml"] == ["chime"]
    words = [row["value"] for row in rows if row["type"] == "word"]
    assert words[:2] == ["The", "keeper"] and "<" not in "".join(words)
    times = {row["value"]: row["time"] for row in rows}
    assert times["keeper"] < times["chime"] <= times["rang"]
    assert polly_error(
        lambda: client.synthesize_speech(
            Text="Plain.", VoiceId=VOICE, OutputFormat="json", SpeechMarkTypes=["ssml"]
        )
    ) == (400, "SsmlMarksNotSupportedForTextTypeException")


def _wav_seconds(data: bytes) -> float:
    """Seconds of a mono 16-bit WAV, streamed ones too (their header gives no length)."""
    with wave.open(io.BytesIO(data)) as audio:
        rate = audio.getframerate()
    return (len(data) - data.index(b"data") - 8) / 2 / rate


def test_openai_client_speech(api: str) -> None:
    client = openai.OpenAI(base_url=f"{api}/v1", api_key=SECRET)
    normal = client.audio.speech.create(
        model="tts-1", voice="alloy", input=SENTENCE, response_format="wav"
    ).content
    fast = client.audio.speech.create(
        model="tts-1", voice=VOICE, input=SENTENCE, response_format="wav", speed=2.0
    ).content
    assert 2.0 < _wav_seconds(normal) < 10.0
    assert _wav_seconds(fast) < 0.75 * _wav_seconds(normal)
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{api}/v1", api_key="wrong").audio.speech.create(
            model="tts-1", voice="alloy", input="Hello."
        )
    with pytest.raises(openai.BadRequestError):
        client.audio.speech.create(model="tts-1", voice="nobody", input="Hello.")


def test_native_job_is_heard_through_hls_while_it_renders(api: str, services: Services) -> None:
    text = "\n\n".join(f"{SENTENCE} This is paragraph {n} of the log." * 2 for n in range(6))
    with native(api) as client:
        answer = client.post(
            "/v1/jobs", files={"document": ("log.txt", text.encode())}, data={"title": "Log"}
        )
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["job_id"]
        playlist_url = f"/v1/jobs/{job_id}/hls/playlist.m3u8"
        wait_until(lambda: "#EXTINF" in client.get(playlist_url).text, 240, "a first segment")
        playlist_at_start = client.get(playlist_url).text
        decoder = subprocess.run(
            [
                *(ffmpeg_exe(), "-v", "error", "-http_persistent", "0"),
                *("-headers", f"Authorization: Bearer {SECRET}\r\n"),
                *("-live_start_index", "0", "-i", f"{api}{playlist_url}"),
                *("-f", "s16le", "-ac", "1", "-ar", "22050", "pipe:1"),
            ],
            capture_output=True,
            timeout=300,
        )
        assert "#EXT-X-ENDLIST" not in playlist_at_start, "the job ended before ffmpeg started"
        assert decoder.returncode == 0, decoder.stderr.decode()[-500:]
        record = client.get(f"/v1/jobs/{job_id}").json()
        assert record["status"] == "succeeded"
        heard_s = len(decoder.stdout) / 2 / 22050
        assert abs(heard_s - float(record["duration_s"])) < 2.0
        assert client.get(playlist_url).text.rstrip().endswith("#EXT-X-ENDLIST")

        with client.stream("GET", f"/v1/jobs/{job_id}/events") as events:
            kinds = [line[7:] for line in events.iter_lines() if line.startswith("event: ")]
        assert kinds[0] == "queued" and kinds[-1] == "succeeded"
        assert kinds.count("chunk") == record["chunks_total"]

        audio = client.get(f"/v1/jobs/{job_id}/artifacts/audio").content
        stored = services.store().get_bytes(services.keys(job_id).output("mp3"))
        assert audio == stored
        url = client.get(f"/v1/jobs/{job_id}/artifacts/audio", params={"presign": True}).json()
        assert httpx.get(url["url"]).content == stored
        manifest = client.get(f"/v1/jobs/{job_id}/artifacts/manifest").json()
        assert manifest["job_id"] == job_id and manifest["title"] == "Log"


def test_native_cancel_and_resume(api: str) -> None:
    with native(api) as client:
        answer = client.post(
            "/v1/jobs",
            files={"document": ("note.md", f"# Note\n\n{SENTENCE}\n".encode())},
            data={"hls": "false", "format": "opus"},
        )
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["job_id"]
        assert client.post(f"/v1/jobs/{job_id}/cancel").json()["status"] == "cancelled"
        assert client.post(f"/v1/jobs/{job_id}/resume").status_code == 200
        wait_until(
            lambda: client.get(f"/v1/jobs/{job_id}").json()["status"] == "succeeded",
            240,
            "the resumed job",
        )
        late = client.post(f"/v1/jobs/{job_id}/cancel")
        assert late.status_code == 400 and "already ended" in late.json()["error"]["message"]
        bad = client.post("/v1/jobs", files={"document": ("x.bin", b"\x00\x01\x02" * 100)})
        assert bad.status_code == 400 and "error" in bad.json()


def test_native_submit_takes_an_intro_upload(api: str, tmp_path: Path) -> None:
    tone = tone_wav(tmp_path / "tone.wav")
    document = ("note.md", f"# Note\n\n{SENTENCE}\n".encode())
    with native(api) as client:
        bad = client.post(
            "/v1/jobs",
            files={"document": document, "intro": ("intro.mp3", b"not audio" * 50)},
            data={"hls": "false"},
        )
        assert bad.status_code == 400
        assert "not audio ffmpeg can read" in bad.json()["error"]["message"]
        answer = client.post(
            "/v1/jobs",
            files={"document": document, "intro": ("intro.wav", tone.read_bytes())},
            data={"hls": "false"},
        )
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["job_id"]
        wait_until(
            lambda: client.get(f"/v1/jobs/{job_id}").json()["status"] == "succeeded",
            240,
            "the job with an intro",
        )
        manifest = client.get(f"/v1/jobs/{job_id}/artifacts/manifest").json()
        assert manifest["chunks"][0]["start_s"] >= 0.25 + TONE_S + PAUSES_S["chapter"]


def test_native_serves_chapter_files_by_number(api: str, services: Services) -> None:
    book = f"# Harbour\n\n{SENTENCE}\n\n# Storm\n\nThe wind turned at midnight.\n"
    with native(api) as client:
        answer = client.post(
            "/v1/jobs",
            files={"document": ("book.md", book.encode())},
            data={"split_chapters": "true"},
        )
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["job_id"]
        early = client.get(f"/v1/jobs/{job_id}/chapters/1")
        assert early.status_code == 400 and "not succeeded" in early.json()["error"]["message"]
        wait_until(
            lambda: client.get(f"/v1/jobs/{job_id}").json()["status"] == "succeeded",
            240,
            "the chaptered job",
        )
        manifest = client.get(f"/v1/jobs/{job_id}/artifacts/manifest").json()
        assert [entry["title"] for entry in manifest["chapter_files"]] == ["Harbour", "Storm"]
        for number, entry in enumerate(manifest["chapter_files"], start=1):
            location = entry["uri"].removeprefix("s3://").split("/", 1)[1]
            stored = services.store().get_bytes(location)
            assert client.get(f"/v1/jobs/{job_id}/chapters/{number}").content == stored
        url = client.get(f"/v1/jobs/{job_id}/chapters/2", params={"presign": True}).json()["url"]
        assert httpx.get(url).content[:3] == b"ID3"
        missing = client.get(f"/v1/jobs/{job_id}/chapters/3")
        assert missing.status_code == 404 and "no chapter file 3" in missing.text


def test_short_speech_overtakes_a_long_jobs_queued_chunks(api: str) -> None:
    chapters = 30
    book = "".join(
        f"# Chapter {n}\n\nThe keeper wrote line {n} in the book.\n\n" for n in range(chapters)
    )
    with native(api) as client:
        answer = client.post(
            "/v1/jobs", files={"document": ("book.md", book.encode())}, data={"hls": "false"}
        )
        assert answer.status_code == 201, answer.text
        long_job = answer.json()
        assert int(long_job["segments"]) == chapters
        job_url = f"/v1/jobs/{long_job['job_id']}"
        wait_until(lambda: client.get(job_url).json()["status"] == "running", 120, "the book")
        speech = openai.OpenAI(base_url=f"{api}/v1", api_key=SECRET).audio.speech.create(
            model="tts-1", voice=VOICE, input="A short answer.", response_format="wav"
        )
        behind = client.get(job_url).json()
        client.post(f"{job_url}/cancel")
    assert _wav_seconds(speech.content) > 0.5
    # Sent behind 30 queued chains, the short request still came first: only the chunks already
    # running or reserved by the worker, and those the other process made while the short job
    # stitched, were made before it. In arrival order it would have waited for 30 or more.
    assert behind["status"] == "running", behind
    assert behind["chunks_done"] <= long_job["chunks_total"] // 3, behind
