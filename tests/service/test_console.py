"""The console's sign-in and cookie rules in-process, and its pure parts (session tokens,
progress words, the loudness curve). Nothing here reaches the broker or storage."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import cast

import numpy as np
import pytest
from fastapi.testclient import TestClient

from narration.pipeline.manifest import Manifest
from narration.service.app import create_app
from narration.service.console import session
from narration.service.console.loudness_plot import curve_from_steps, svg
from narration.service.console.progress import clock, duration_words, progress_of
from narration.settings import Settings

KEYS = {"reader": "s3cret", "writer": "other-secret"}
JOB = "0123456789abcdef0123456789abcdef"
MEDIA = (
    f"/console/jobs/{JOB}/hls/playlist.m3u8",
    f"/console/jobs/{JOB}/hls/000001.ts",
    f"/console/jobs/{JOB}/files/audio",
    f"/console/jobs/{JOB}/chapters/1",
    f"/console/jobs/{JOB}/events",
    f"/console/jobs/{JOB}/status",
    "/console/jobs/rows",
)


@pytest.fixture()
def client() -> TestClient:
    settings = Settings(api_keys="reader:s3cret,writer:other-secret")
    return TestClient(create_app(settings), base_url="https://localhost")


def _signed_in(client: TestClient, secret: str = "s3cret") -> str:
    answer = client.post(
        "/console/sign-in",
        data={"secret": secret, "next": "/console/submit"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/submit"
    return answer.headers["set-cookie"]


def test_a_wrong_secret_is_refused_and_sets_no_cookie(client: TestClient) -> None:
    for secret in ("", "guess", "s3cre", "reader:s3cret", "reader"):
        answer = client.post("/console/sign-in", data={"secret": secret}, follow_redirects=False)
        assert answer.status_code == 401
        assert "set-cookie" not in answer.headers
        assert "not the secret" in answer.text
    assert client.get("/console/submit", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_signed_secure_http_only_and_strict(client: TestClient) -> None:
    header = _signed_in(client)
    morsel = SimpleCookie(header)[session.COOKIE_NAME]
    assert morsel["secure"] and morsel["httponly"]
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/console"
    assert int(morsel["max-age"]) == session.SESSION_S
    assert "s3cret" not in header
    assert session.verify(KEYS, morsel.value) == "reader"
    client.cookies.set(session.COOKIE_NAME, morsel.value)
    page = client.get("/console/submit")
    assert page.status_code == 200 and 'name="document"' in page.text


def test_media_needs_a_session_when_keys_are_configured(client: TestClient) -> None:
    genuine = session.issue(KEYS, "reader")
    key_id, expires, signature = genuine.split(".")
    forged = [
        "",
        "garbage",
        f"{key_id}.{int(expires) + 3600}.{signature}",
        f"{key_id}.{expires}.{'0' * 64}",
        session.issue({"reader": "not-the-configured-secret"}, "reader"),
        session.issue(KEYS, "reader", now=0),
    ]
    for path in MEDIA:
        for value in forged:
            client.cookies.clear()
            if value:
                client.cookies.set(session.COOKIE_NAME, value)
            answer = client.get(path)
            assert answer.status_code == 401, (path, value)
            assert answer.json()["error"]["code"] == "sign_in_needed"
    client.cookies.clear()
    page = client.get(f"/console/jobs/{JOB}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/console/sign-in?next=%2Fconsole%2Fjobs%2F{JOB}"


def test_a_removed_key_ends_its_sessions() -> None:
    value = session.issue(KEYS, "writer")
    assert session.verify(KEYS, value) == "writer"
    assert session.verify({"reader": "s3cret"}, value) is None
    assert session.verify({**KEYS, "writer": "rotated"}, value) is None


def test_forms_posted_from_another_site_are_refused(client: TestClient) -> None:
    for origin in ("https://evil.example", "null"):
        answer = client.post(
            "/console/sign-in", data={"secret": "s3cret"}, headers={"origin": origin}
        )
        assert answer.status_code == 403
        assert "set-cookie" not in answer.headers
    same = client.post(
        "/console/sign-in",
        data={"secret": "s3cret"},
        headers={"origin": "https://localhost"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_sign_in_sends_only_to_console_pages(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/console", "/v1/jobs"):
        answer = client.post(
            "/console/sign-in", data={"secret": "s3cret", "next": target}, follow_redirects=False
        )
        assert answer.headers["location"] == "/console/jobs"


def test_with_no_keys_the_console_is_open() -> None:
    client = TestClient(create_app(Settings(api_keys="")), base_url="https://localhost")
    form = client.get("/console/submit")
    assert form.status_code == 200
    assert "Sign out" not in form.text
    assert client.get("/console/sign-in", follow_redirects=False).status_code == 303
    assert client.get("/console/static/console.js").status_code == 200
    assert client.get("/console/static/../app.py").status_code == 404


def test_progress_in_words_and_figures() -> None:
    record = {
        "job_id": JOB,
        "status": "running",
        "chunks_total": 40,
        "chunks_done": 10,
        "chunks_reused": 0,
        "audio_seconds": 150.0,
        "started_at": 1000.0,
        "options": {"title": "A Book"},
    }
    shown = progress_of(record, now=1100.0)
    assert (shown.percent, shown.duration, shown.title) == (25, "2:30", "A Book")
    assert shown.eta == "about 5 min left"
    done = progress_of({**record, "status": "succeeded", "duration_s": 3725.4}, 1100.0)
    assert (done.percent, done.duration) == (100, "1:02:05")
    failed = progress_of({**record, "status": "failed", "error": "the voice is missing"}, 1100.0)
    assert (failed.status_words, failed.error, failed.eta) == ("Failed", "the voice is missing", "")
    assert duration_words(3725) == "1 h 02 min"
    assert (clock(0), clock(45.4), clock(185), clock(3725)) == ("0:00", "0:45", "3:05", "1:02:05")


def test_the_loudness_curve_is_levelled_to_the_delivered_file() -> None:
    hop = 2205
    loud, quiet = np.full(100, 1e-2 * hop), np.full(100, 1e-4 * hop)
    steps = np.concatenate([loud, quiet])
    # Only the fields the curve reads.
    manifest = {
        "duration_s": 20.0,
        "loudness": {"measured_lufs": -16.0, "target_lufs": -16.0},
        "chapters": [{"title": "One & Two", "start_s": 0.0}, {"title": "Three", "start_s": 10.0}],
    }
    curve = curve_from_steps(steps, hop, cast(Manifest, manifest))
    assert curve.point_s == 3.0 and len(curve.lufs) == 7
    assert curve.lufs[0] - curve.lufs[-1] == pytest.approx(20.0, abs=0.01)
    assert curve.lufs[0] == pytest.approx(-16.0, abs=0.5)
    drawn = svg(curve)
    assert drawn.count('class="chapter-mark"') == 2
    assert "One &amp; Two" in drawn and "One & Two" not in drawn


def test_a_bad_submission_shows_the_form_again_with_the_reason() -> None:
    client = TestClient(create_app(Settings(api_keys="")), base_url="https://localhost")
    empty = client.post("/console/submit", data={"text": "  ", "title": "Kept title"})
    assert empty.status_code == 400
    assert "choose a document to upload or paste its text" in empty.text
    assert 'value="Kept title"' in empty.text
    voice = client.post("/console/submit", data={"text": "Hello.", "voice": "../../etc"})
    assert voice.status_code == 400 and "is not available" in voice.text


SCRIPT = "# Episode\n\nHOST: Welcome back.\nGUEST: Thanks for having me.\nHOST: Goodbye.\n"


def test_the_cast_editor_finds_the_speakers_and_says_why_a_cast_is_refused() -> None:
    client = TestClient(create_app(Settings(api_keys="")), base_url="https://localhost")
    found = client.post("/console/speakers", data={"text": SCRIPT, "text_kind": "md"}).json()
    assert found == {"speakers": ["HOST", "GUEST"], "refusal": "", "problem": ""}
    half = client.post("/console/speakers", data={"text": SCRIPT, "cast": "HOST=af_heart"})
    assert half.json()["refusal"] == (
        "script speakers: HOST, GUEST; no voice in the cast for: GUEST; voices not installed: none"
    )
    whole = {"text": SCRIPT, "cast": "HOST=af_heart,GUEST=am_michael"}
    assert client.post("/console/speakers", data=whole).json()["refusal"] == ""
    ssml = b'<speak>Hi. <voice name="zz_nobody">Hello.</voice></speak>'
    uploaded = client.post(
        "/console/speakers",
        files={"document": ("talk.ssml", ssml)},
        data={"voice": "af_heart"},
    ).json()
    assert uploaded["speakers"] == ["zz_nobody"]
    assert uploaded["refusal"] == "SSML <voice> names: zz_nobody; voices not installed: zz_nobody"
    unspoken = client.post(
        "/console/speakers", data={"text": SCRIPT, "cast": "HOST=af_heart,GUEST=jf_alpha"}
    )
    assert unspoken.json()["refusal"] == (
        "script speakers: HOST, GUEST; no voice in the cast for: none; voices not installed: "
        "none; voices that need Japanese or Chinese G2P, which this version does not have: jf_alpha"
    )
    plain = client.post("/console/speakers", data={"text": "Just prose."}).json()
    assert plain == {"speakers": [], "refusal": "", "problem": ""}
    empty = client.post("/console/speakers", data={"text": " "}).json()
    assert empty["problem"] == "choose a document to upload or paste its text"


def test_the_speakers_need_a_session_when_keys_are_configured(client: TestClient) -> None:
    assert client.post("/console/speakers", data={"text": SCRIPT}).status_code == 401
