"""The web console in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`), driven by Selenium, against `narrate serve` on the session stack.

It signs in, submits a short document, watches the progress reach 100 %, plays the audio and
seeks by chapter, and saves the screenshots that docs/CONSOLE.md shows (the browser, the
service and the screenshots' folder: tests/integration/console_browser.py).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest

from narration.adapters.job_records import FINAL_STATUSES
from narration.connections import Services
from tests.integration.console_browser import SECRET, needs_chromium, shot
from tests.integration.faults import wait_final

pytestmark = pytest.mark.integration

JOB_PAGE = r"/console/jobs/([0-9a-f]{32})$"
BOOK = """# The Harbour

The lighthouse keeper counted the ships that passed before the storm came in.
He wrote each name in a small blue book.

# The Storm

By midnight the wind had turned, and the lamp burned until morning.
"""


def _player(browser: Any, what: str) -> Any:
    return browser.execute_script(f"return document.getElementById('player').{what}")


def _fetch(browser: Any, url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The page's own fetch of `url` (its cookie and all): status and text or byte count."""
    script = """
        const [url, headers, done] = arguments;
        fetch(url, {headers}).then(async (answer) => {
            const body = await answer.arrayBuffer();
            done({status: answer.status, size: body.byteLength,
                  text: new TextDecoder().decode(body.slice(0, 4000))});
        });
    """
    result: dict[str, Any] = browser.execute_async_script(script, url, headers or {})
    return result


def _plays_hls(browser: Any, url: str) -> float:
    """Play `url` through the page's hls.js in a second player; how far it got (seconds)."""
    script = """
        const [url, done] = arguments;
        const audio = new Audio();
        const hls = new Hls({startPosition: 0});
        hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) done(-1); });
        audio.addEventListener("timeupdate", () => {
            const reached = audio.currentTime;
            if (reached > 0.3) { hls.destroy(); done(reached); }
        });
        hls.loadSource(url);
        hls.attachMedia(audio);
        audio.muted = true;
        audio.play().catch(() => done(-2));
    """
    played: float = browser.execute_async_script(script, url)
    return played


@needs_chromium
def test_console_signs_in_submits_watches_plays_and_seeks(
    browser: Any, console: str, services: Services, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(f"{console}/console/jobs")
    assert "/console/sign-in" in browser.current_url
    shot(browser, screenshots, "sign-in")
    browser.find_element(By.ID, "secret").send_keys("not-the-secret")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    refused = WebDriverWait(browser, 20).until(
        lambda driver: driver.find_elements(By.ID, "sign-in-error")
    )
    assert "not the secret" in refused[0].text
    assert browser.get_cookie("narration_console") is None
    browser.find_element(By.ID, "secret").send_keys(SECRET)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 20).until(expected.url_to_be(f"{console}/console/jobs"))
    cookie = browser.get_cookie("narration_console")
    assert cookie is not None
    assert (cookie["secure"], cookie["httpOnly"], cookie["sameSite"]) == (True, True, "Strict")

    browser.get(f"{console}/console/submit")
    browser.find_element(By.ID, "text").send_keys(BOOK)
    browser.find_element(By.ID, "title").send_keys("The Lighthouse Keeper")
    Select(browser.find_element(By.ID, "format")).select_by_value("mp3")
    shot(browser, screenshots, "submit")
    browser.find_element(By.CSS_SELECTOR, "form.submit button[type=submit]").click()
    WebDriverWait(browser, 60).until(expected.url_matches(JOB_PAGE))
    match = re.search(JOB_PAGE, browser.current_url)
    assert match, browser.current_url
    job_id = match.group(1)

    first_status = browser.find_element(By.ID, "job").get_attribute("data-status")
    if first_status not in FINAL_STATUSES:
        # While the job renders, the player listens to its HLS stream through hls.js.
        assert _player(browser, "dataset.source") == "hls"
        assert browser.execute_script("return window.Hls.isSupported()")
        shot(browser, screenshots, "rendering")

    def percent(driver: Any) -> Any:
        # One script reads it: the panel is replaced whenever progress arrives.
        return driver.execute_script(
            "return document.querySelector('#progress .progress-panel').dataset.percent"
        )

    WebDriverWait(browser, 240).until(lambda driver: percent(driver) == "100")
    assert services.records().get(job_id)["status"] == "succeeded"
    WebDriverWait(browser, 30).until(lambda _: _player(browser, "dataset.source") == "file")
    WebDriverWait(browser, 30).until(lambda _: _player(browser, "readyState") >= 2)

    browser.execute_async_script(
        "const done = arguments[0]; document.getElementById('player').play()"
        ".then(() => done(true), (error) => done(String(error)));"
    )
    WebDriverWait(browser, 30).until(lambda _: _player(browser, "currentTime") > 0.5)

    manifest = services.records().get(job_id)
    chapters = browser.find_elements(By.CSS_SELECTOR, "#chapter-list [data-seek]")
    assert [c.find_element(By.CLASS_NAME, "chapter-title").text for c in chapters] == [
        "The Harbour",
        "The Storm",
    ], manifest
    second_start = float(str(chapters[1].get_attribute("data-seek")))
    assert second_start > 1.0
    chapters[1].click()
    WebDriverWait(browser, 10).until(
        lambda _: second_start - 0.1 <= _player(browser, "currentTime") <= second_start + 3
    )
    plot = browser.find_element(By.CSS_SELECTOR, "#loudness-plot svg")
    assert plot.get_attribute("role") == "img"
    assert len(plot.find_elements(By.CSS_SELECTOR, ".chapter-mark")) == 2
    points = str(plot.find_element(By.CSS_SELECTOR, "polyline.curve").get_attribute("points"))
    assert len(points.split()) >= 2

    base = f"/console/jobs/{job_id}"
    head = _fetch(browser, f"{base}/files/audio", {"Range": "bytes=0-99"})
    assert (head["status"], head["size"]) == (206, 100)
    playlist = _fetch(browser, f"{base}/hls/playlist.m3u8")
    assert playlist["status"] == 200
    assert "#EXT-X-ENDLIST" in playlist["text"] and ".ts" in playlist["text"]
    assert _plays_hls(browser, f"{base}/hls/playlist.m3u8") > 0.3
    captions = _fetch(browser, f"{base}/files/vtt?download=true")
    assert captions["status"] == 200 and captions["text"].startswith("WEBVTT")
    browser.execute_script("document.getElementById('player').pause()")
    browser.execute_script("window.scrollTo(0, 0)")
    shot(browser, screenshots, "job")

    browser.get(f"{console}/console/jobs")
    row = browser.find_element(By.CSS_SELECTOR, f"a[href='{base}']")
    assert row.text == "The Lighthouse Keeper"
    shot(browser, screenshots, "jobs")


def test_console_cancel_and_resume_buttons(console: str, services: Services) -> None:
    """The job page's forms, posted as the browser posts them, with the session cookie."""
    text = " ".join(f"Sentence number {n} is read aloud by the keeper." for n in range(1, 9))
    with _signed_in_client(console) as client:
        submitted = client.post(
            "/console/submit",
            data={"text": text, "text_kind": "txt", "format": "opus"},
        )
        assert submitted.history and submitted.status_code == 200
        match = re.search(JOB_PAGE, submitted.history[0].headers["location"])
        assert match
        job = f"/console/jobs/{match.group(1)}"
        assert "Cancel job" in submitted.text

        cancelled = client.post(f"{job}/cancel")
        assert str(cancelled.url).endswith("?notice=cancelled")
        assert services.records().get(match.group(1))["status"] == "cancelled"
        assert "Resume job" in cancelled.text

        resumed = client.post(f"{job}/resume")
        assert str(resumed.url).endswith("?notice=resumed")
        assert wait_final(services, match.group(1))["status"] == "succeeded"
        page = client.get(job)
        assert "Done" in page.text and 'id="loudness-plot"' in page.text
        again = client.post(f"{job}/resume")
        assert str(again.url).endswith("?notice=refused")
        client.cookies.clear()
        anonymous = client.post(f"{job}/cancel", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/console/sign-in")


@contextlib.contextmanager
def _signed_in_client(console: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console, timeout=60, follow_redirects=True) as client:
        signed = client.post("/console/sign-in", data={"secret": SECRET})
        value = SimpleCookie(signed.history[0].headers["set-cookie"])["narration_console"].value
        # httpx keeps a Secure cookie for https only; the browser sends it to 127.0.0.1 too.
        client.cookies.set("narration_console", value)
        yield client


def test_speech_requests_are_listed_apart_with_one_duration(
    console: str, services: Services
) -> None:
    speech = httpx.post(
        f"{console}/v1/audio/speech",
        headers={"Authorization": f"Bearer {SECRET}"},
        json={"model": "tts-1", "voice": "alloy", "input": "A short answer, spoken at once."},
        timeout=120,
    )
    assert speech.status_code == 200 and speech.content
    job_id = max(
        services.records().list(20),
        key=lambda record: float(record["created_at"]) if record.get("kind") == "speech" else 0,
    )["job_id"]
    wait_final(services, job_id)
    with _signed_in_client(console) as client:
        assert job_id not in client.get("/console/jobs/rows").text
        assert job_id not in client.get("/console/jobs").text
        listed = client.get("/console/jobs?show=speech").text
        assert job_id in listed and "Speech requests" in listed
        row = client.get("/console/jobs/rows", params={"show": "speech"}).text
        page = client.get(f"/console/jobs/{job_id}").text
    # Other tests' speech requests may be listed too: only this job's row counts.
    own_row = next(r for r in row.split("<tr") if f"/console/jobs/{job_id}" in r)
    shown = re.findall(r'class="(?:figure )?duration">([\d:]+)<', own_row + page)
    record = services.records().get(job_id)
    seconds = round(float(record["duration_s"]))
    clock = f"{seconds // 60}:{seconds % 60:02d}"
    # The list, the progress panel and the details each show it, the same way.
    assert len(shown) >= 3 and set(shown) == {clock}, shown


@needs_chromium
def test_the_player_starts_within_a_second_of_the_first_segment(
    browser: Any, console: str, services: Services
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import WebDriverWait

    text = "\n\n".join(
        f"Night {n} at {time.time():.0f}: the keeper climbed the tower, wound the clockwork, "
        "trimmed the wick and wrote the name of every ship that passed in his book."
        for n in range(1, 16)
    )
    with _signed_in_client(console) as client:
        browser.get(f"{console}/console/jobs")
        if "/console/sign-in" in browser.current_url:
            browser.find_element(By.ID, "secret").send_keys(SECRET)
            browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            WebDriverWait(browser, 20).until(expected.url_to_be(f"{console}/console/jobs"))
        submitted = client.post("/console/submit", data={"text": text, "text_kind": "txt"})
        match = re.search(JOB_PAGE, submitted.history[0].headers["location"])
        assert match
        job_id = match.group(1)
        browser.get(f"{console}/console/jobs/{job_id}")
        playlist = f"/v1/jobs/{job_id}/hls/playlist.m3u8"
        headers = {"Authorization": f"Bearer {SECRET}"}
        segment_at: list[float] = []

        def first_segment() -> None:
            while not segment_at:
                if ".ts" in client.get(playlist, headers=headers).text:
                    segment_at.append(time.monotonic())
                time.sleep(0.05)

        watcher = threading.Thread(target=first_segment, daemon=True)
        watcher.start()
        ready = "const a = document.getElementById('player');"
        ready += " return a.readyState >= 2 && a.buffered.length > 0;"
        WebDriverWait(browser, 240, poll_frequency=0.05).until(
            lambda _: browser.execute_script(ready)
        )
        ready_at = time.monotonic()
        watcher.join(timeout=10)
        status = services.records().get(job_id)["status"]
        source = _player(browser, "dataset.source")
        client.post(f"/console/jobs/{job_id}/cancel")
    assert source == "hls", status
    assert segment_at and ready_at - segment_at[0] <= 1.0, (ready_at - segment_at[0], status)
