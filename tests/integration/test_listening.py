"""Listening through `narrate serve` as players do: HLS segments a player can start on soon,
byte ranges that let ffmpeg seek into the middle of a long book without fetching it whole,
OpenAI speech that streams from its first sentence, and `speed` as OpenAI's."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from types import ModuleType

import httpx
import openai
import pytest

from narration.adapters.ffmpeg import ffmpeg_exe
from narration.pipeline.defaults import DEFAULT_VOICE_NAME
from narration.pipeline.hls_playlist import TARGET_DURATION_S
from tests.conftest import ROOT
from tests.integration.faults import wait_until
from tests.integration.service_api import SECRET, native

pytestmark = pytest.mark.integration


def _speech_client() -> ModuleType:
    """bench/speech_client.py: the streamed request the speech bench times, timed alike here."""
    path = ROOT / "bench" / "speech_client.py"
    spec = importlib.util.spec_from_file_location("bench_speech_client", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining a class
    spec.loader.exec_module(module)
    return module


stream_speech = _speech_client().stream_speech

LONG_SENTENCE = (
    "Through the long winter the keeper of the northern light climbed the hundred and twelve "
    "steps of the tower each evening, wound the great clockwork that turned the lens, trimmed "
    "the wick, polished the brass until it shone, and wrote in his book the name of every ship "
    "that passed, whatever the weather and however late the hour had grown"
)
"""Just under 300 characters with no clause break a chunker would cut at: a chunk whose speech
runs well over one segment's target."""


@pytest.fixture(scope="module")
def long_job(api: str) -> Iterator[tuple[httpx.Client, str, str]]:
    """A job of about a minute and a half, heard through HLS; (client, job id, first playlist)."""
    text = "\n\n".join(f"{LONG_SENTENCE}, on night {n}." for n in range(1, 7))
    with native(api) as client:
        answer = client.post(
            "/v1/jobs",
            files={"document": ("winter.txt", text.encode())},
            data={"title": "Winter", "format": "mp3", "hls": "true"},
        )
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["job_id"]
        first = client.get(f"/v1/jobs/{job_id}/hls/playlist.m3u8").text
        wait_until(
            lambda: client.get(f"/v1/jobs/{job_id}").json()["status"] == "succeeded",
            300,
            "the long job",
        )
        yield client, job_id, first


def _target(playlist: str) -> int:
    match = re.search(r"^#EXT-X-TARGETDURATION:(\d+)$", playlist, re.MULTILINE)
    assert match, playlist
    return int(match.group(1))


def test_every_playlist_keeps_segments_within_six_seconds(
    long_job: tuple[httpx.Client, str, str],
) -> None:
    client, job_id, first = long_job
    assert _target(first) <= 6
    final = client.get(f"/v1/jobs/{job_id}/hls/playlist.m3u8").text
    assert _target(final) == TARGET_DURATION_S <= 6
    durations = [float(d) for d in re.findall(r"^#EXTINF:([\d.]+),", final, re.MULTILINE)]
    record = client.get(f"/v1/jobs/{job_id}").json()
    # Each chunk's speech runs past one target, so chunks were cut across segments.
    assert len(durations) > record["chunks_total"]
    assert max(durations) <= TARGET_DURATION_S
    assert abs(sum(durations) - record["duration_s"]) < 2.0


def test_hls_routes_answer_byte_ranges(long_job: tuple[httpx.Client, str, str]) -> None:
    client, job_id, _ = long_job
    segment = f"/v1/jobs/{job_id}/hls/000001.ts"
    whole = client.get(segment)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    part = client.get(
        segment, headers={"Range": "bytes=188-375", "If-Range": whole.headers["etag"]}
    )
    assert part.status_code == 206
    assert part.content == whole.content[188:376]
    assert part.headers["content-range"] == f"bytes 188-375/{len(whole.content)}"
    playlist = client.get(f"/v1/jobs/{job_id}/hls/playlist.m3u8", headers={"Range": "bytes=0-6"})
    assert (playlist.status_code, playlist.content) == (206, b"#EXTM3U")


def test_ffmpeg_seeks_into_the_middle_of_a_long_output(
    api: str, long_job: tuple[httpx.Client, str, str]
) -> None:
    client, job_id, _ = long_job
    url = f"/v1/jobs/{job_id}/artifacts/audio"
    whole = client.get(url)
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["etag"]
    size = len(whole.content)
    seek_s = client.get(f"/v1/jobs/{job_id}").json()["duration_s"] / 2
    played = subprocess.run(
        [
            *(ffmpeg_exe(), "-v", "debug", "-headers", f"Authorization: Bearer {SECRET}\r\n"),
            # A player's seek: to a byte offset (ffmpeg's own -ss reads an MP3 up to the time).
            *("-fflags", "+fastseek", "-ss", f"{seek_s:.1f}", "-i", f"{api}{url}", "-t", "2"),
            *("-f", "s16le", "-ac", "1", "-ar", "22050", "pipe:1"),
        ],
        capture_output=True,
        timeout=120,
    )
    log = played.stderr.decode(errors="replace")
    assert played.returncode == 0, log[-800:]
    assert abs(len(played.stdout) / 2 / 22050 - 2.0) < 0.1
    starts = [int(first) for first in re.findall(r"Range: bytes=(\d+)-", log)]
    # ffmpeg asked for the middle of the file, and the service answered with that part only.
    assert any(size // 4 < first < size for first in starts), starts


STORY = (
    "The keeper climbed the tower as the light failed over the water. "
    "He wound the clockwork, trimmed the wick and polished the great lens until it shone. "
    "Far out, a schooner tacked against the wind, her sails grey in the dusk. "
    "He wrote her name in the book, and the hour, and the state of the sea. "
    "Then he sat by the lamp and listened to the storm come in from the west. "
)


DECODED = ("-f", "s16le", "-ac", "1", "-ar", "24000")


def _decoded_seconds(audio: bytes) -> float:
    decoded = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", "pipe:0", *DECODED, "pipe:1"],
        input=audio,
        capture_output=True,
        check=True,
    )
    return len(decoded.stdout) / 2 / 24000


@pytest.mark.parametrize("fmt", ["mp3", "aac", "opus", "pcm", "wav"])
def test_openai_speech_streams_its_first_audio_long_before_the_end(api: str, fmt: str) -> None:
    client = openai.OpenAI(base_url=f"{api}/v1", api_key=SECRET)
    # A text no other test speaks, so that no chunk of it comes from the cache.
    text = f"This is the {fmt} telling, told on {time.time():.0f}. " + " ".join(
        f"Night {n}. {STORY}" for n in range(6)
    )
    heard = stream_speech(client, text, fmt)
    audio = heard.audio
    assert heard.first_byte_s < 0.5 * heard.total_s, heard
    if fmt == "pcm":
        seconds = len(audio) / 2 / 24000
    elif fmt == "wav":
        assert audio[:4] == b"RIFF" and audio[36:40] == b"data"
        assert audio[4:8] == audio[40:44] == b"\xff\xff\xff\xff"  # streamed: "to the end"
        seconds = (len(audio) - 44) / 2 / 24000
    else:
        seconds = _decoded_seconds(audio)
    assert seconds > 30.0


def test_openai_speed_scales_the_whole_duration(api: str) -> None:
    client = openai.OpenAI(base_url=f"{api}/v1", api_key=SECRET)
    text = STORY[:200]

    def seconds(speed: float) -> float:
        audio = client.audio.speech.create(
            model="tts-1", voice=DEFAULT_VOICE_NAME, input=text, response_format="pcm", speed=speed
        ).content
        return len(audio) / 2 / 24000

    normal, fast, slow = seconds(1.0), seconds(2.0), seconds(0.5)
    assert fast / normal == pytest.approx(0.5, rel=0.05)
    assert slow / normal == pytest.approx(2.0, rel=0.05)
