"""End to end: `commsim dashboard` served on a free loopback port, driven in Debian's headless
Chromium by Playwright: the page loads, Step and Play advance the day, and the charts change."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dashboard_url(tmp_path):
    port = _free_port()
    commsim = Path(sys.executable).with_name("commsim")
    server = subprocess.Popen(
        [str(commsim), "dashboard", "--port", str(port)],
        stdout=(tmp_path / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, ended as a whole below
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "the dashboard did not start:\n" + (tmp_path / "server.log").read_text()
                    )
                time.sleep(0.5)
        first_line = (tmp_path / "server.log").read_text().splitlines()[0]
        assert first_line == f"commsim dashboard: open {url} (Ctrl+C stops it)"
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for_day(page, above: int, timeout: float = 60) -> int:
    """The day Mesa's step counter shows, once it is past ``above``."""
    counter = page.get_by_text(re.compile(r"^Step: \d+$"))
    deadline = time.monotonic() + timeout
    while (day := int(counter.inner_text().removeprefix("Step: "))) <= above:
        assert time.monotonic() < deadline, f"the day stayed at {day}"
        page.wait_for_timeout(200)
    return day


def test_dashboard_steps_plays_and_redraws_in_chromium(dashboard_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1600, "height": 1000},
        )
        try:
            page = browser.new_page()
            page.goto(dashboard_url)
            page.get_by_text("Step: 0").wait_for(timeout=60_000)
            chart = page.locator("img").first
            chart.wait_for(timeout=30_000)
            before = chart.screenshot()
            page.get_by_role("button", name="Step", exact=True).click()
            stepped = _wait_for_day(page, above=0)
            page.wait_for_timeout(1000)  # the redrawn chart reaches the browser
            assert chart.screenshot() != before
            page.get_by_role("button", name="▶").click()
            played = _wait_for_day(page, above=stepped)
            page.get_by_role("button", name="❚❚").click()
            assert played > stepped
        finally:
            browser.close()
