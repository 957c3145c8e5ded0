"""The console's cast editor in a real browser (tests/integration/console_browser.py): a row per
speaker of the pasted script, a voice picker each, the service's refusals shown by the cast as
the voices are chosen and when a submission is refused, and the job read by the cast chosen."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from narration.connections import Services
from narration.engines.kokoro import assets
from tests.integration.console_browser import needs_chromium, shot, sign_in
from tests.integration.faults import wait_final

pytestmark = [
    pytest.mark.integration,
    needs_chromium,
    pytest.mark.skipif(
        not assets.model_path().is_file(), reason="Kokoro is not installed: narrate voices install"
    ),
]

JOB_PAGE = r"/console/jobs/([0-9a-f]{32})$"
SCRIPT = """# Small models

HOST: Welcome back to the show.
GUEST: Thanks for having me.
HOST: Thank you for coming.
"""


def _rows(browser: Any, count: int) -> list[Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(driver: Any) -> Any:
        rows = driver.find_elements(By.CSS_SELECTOR, "#cast-rows tbody tr")
        return rows if len(rows) == count else False

    rows: list[Any] = WebDriverWait(browser, 20).until(shown)
    return rows


def _choose(browser: Any, speaker: str, voice: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    picker = browser.find_element(By.CSS_SELECTOR, f"select[data-speaker='{speaker}']")
    Select(picker).select_by_value(voice)


def _refusal(browser: Any, expected: str) -> str:
    """The refusal shown by the cast once it says `expected` ("" : once none is shown)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(driver: Any) -> Any:
        element = driver.find_element(By.ID, "cast-refusal")
        text = element.text if element.is_displayed() else ""
        return (text or "none") if (expected in text if expected else not text) else False

    found: str = WebDriverWait(browser, 20).until(shown)
    return found


def test_the_cast_editor_casts_a_pasted_script(
    browser: Any, console: str, services: Services, screenshots: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, console)
    browser.get(f"{console}/console/submit")
    assert browser.find_element(By.ID, "cast-rows").get_attribute("hidden") is not None
    browser.find_element(By.ID, "text").send_keys(SCRIPT)
    rows = _rows(browser, 2)
    assert [row.find_element(By.TAG_NAME, "th").text for row in rows] == ["HOST", "GUEST"]
    assert "Speakers found: HOST, GUEST." in browser.find_element(By.ID, "cast-status").text

    _choose(browser, "HOST", "af_heart")
    assert "no voice in the cast for: GUEST" in _refusal(browser, "GUEST")
    _choose(browser, "GUEST", "en_US-joe-medium")
    assert "en_US-joe-medium (piper, 22050 Hz)" in _refusal(browser, "one family")
    _choose(browser, "GUEST", "am_michael")
    _refusal(browser, "")
    cast = browser.find_element(By.ID, "cast")
    assert cast.get_attribute("value") == "HOST=af_heart,GUEST=am_michael"
    shot(browser, screenshots, "cast")

    browser.find_element(By.CSS_SELECTOR, "form.submit button[type=submit]").click()
    WebDriverWait(browser, 60).until(expected.url_matches(JOB_PAGE))
    match = re.search(JOB_PAGE, browser.current_url)
    assert match
    assert wait_final(services, match.group(1))["status"] == "succeeded"
    manifest = browser.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then((a) => a.text()).then(done);",
        f"/console/jobs/{match.group(1)}/files/manifest",
    )
    assert json.loads(manifest)["cast"] == {"HOST": "af_heart", "GUEST": "am_michael"}


def test_a_refused_cast_is_shown_by_the_cast_and_nothing_is_queued(
    browser: Any, console: str, services: Services
) -> None:
    from selenium.webdriver.common.by import By

    sign_in(browser, console)
    before = [record["job_id"] for record in services.records().list(1000)]
    browser.get(f"{console}/console/submit")
    browser.find_element(By.ID, "text").send_keys(SCRIPT)
    _rows(browser, 2)
    cast = browser.find_element(By.ID, "cast")
    cast.clear()
    cast.send_keys("HOST=af_heart,GUEST=zz_nobody")
    browser.find_element(By.CSS_SELECTOR, "form.submit button[type=submit]").click()
    refusal = _refusal(browser, "zz_nobody")
    assert refusal == (
        "script speakers: HOST, GUEST; no voice in the cast for: none; "
        "voices not installed: zz_nobody"
    )
    assert not browser.find_elements(By.ID, "submit-error")
    assert browser.find_element(By.ID, "cast").get_attribute("value") == (
        "HOST=af_heart,GUEST=zz_nobody"
    )
    assert [record["job_id"] for record in services.records().list(1000)] == before
