"""The console's browser tests' shared parts: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by Selenium, `narrate serve` with an API key on the session stack, and
where screenshots go.

Screenshots go to a temporary folder, so a test run leaves the checkout clean;
`NARRATION_SCREENSHOTS=docs/images` refreshes the ones in docs/images/ that docs/CONSOLE.md
shows. Where no Chromium can be had, the browser tests skip and say how to install one. The
fixtures are the integration tests' (tests/integration/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from narration import stack
from tests.conftest import ROOT
from tests.integration.faults import wait_until

KEY_ID, SECRET = "producer", "console-secret-1"
SCREENSHOTS_ENV = "NARRATION_SCREENSHOTS"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no headless Chromium: install Debian's chromium and chromium-driver "
    "(scripts/setup does where apt-get and root are available)",
)


def start_browser() -> Iterator[Any]:
    assert CHROMIUM and CHROMEDRIVER
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,1000",
        "--force-color-profile=srgb",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def serve_console(stack_home: Path, stack_env: dict[str, str]) -> Iterator[str]:
    """`narrate serve` with an API key, on a port of its own, as `narrate up --serve` starts it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**stack_env, "NARRATION_API_KEYS": f"{KEY_ID}:{SECRET}"}
    pid = stack.spawn(stack.serve_command("127.0.0.1", port), stack_home / "console.log", env)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, 60, "narrate serve")
        yield url
    finally:
        stack.stop_process(pid)


def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: `$NARRATION_SCREENSHOTS` (relative to the checkout), else a tmp dir."""
    chosen = os.environ.get(SCREENSHOTS_ENV)
    folder = ROOT / chosen if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(browser: Any, folder: Path, name: str) -> None:
    """A full-page screenshot (the page's height, at the window's width)."""
    height, chrome = browser.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
    )
    browser.set_window_size(1280, max(720, min(int(height) + int(chrome), 2400)))
    assert browser.save_screenshot(str(folder / f"console-{name}.png"))
    browser.set_window_size(1280, 1000)


def sign_in(browser: Any, console: str) -> None:
    """Sign the browser in to the console, unless it already is."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{console}/console/jobs")
    if "/console/sign-in" in browser.current_url:
        browser.find_element(By.ID, "secret").send_keys(SECRET)
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(browser, 20).until(expected.url_to_be(f"{console}/console/jobs"))
