"""End to end: `commsim dashboard` served on a free loopback port, driven in Debian's headless
Chromium by Playwright: the page loads without a warning in the terminal, Step and Play advance the
day and the charts change; a lesson sets the controls it changes, several seeds draw 95% bands, and
the B − A table and the current run download as CSV. Each test leaves a screenshot in its
``tmp_path`` to look at."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.ui.charts import BAND_ALPHA, COLOURS

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
        stdin=subprocess.DEVNULL,
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


@pytest.fixture
def browser(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1600, "height": 1000},
            accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()


def _open(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.get_by_text("Step: 0").wait_for(timeout=60_000)
    return page


def _shows(page, text: str, timeout: float = 30_000) -> None:
    page.get_by_text(text, exact=True).first.wait_for(timeout=timeout)


def _band_pixels(png: bytes) -> int:
    """Pixels of a chart painted in a 95% band: A's colour at the band's alpha over white, alone
    or under B's band."""
    from PIL import Image

    def over(colour: str, below: np.ndarray) -> np.ndarray:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        return below + BAND_ALPHA * (rgb - below)

    a_band = over(COLOURS["A"], np.full(3, 255.0))
    bands = (a_band, over(COLOURS["B"], a_band))
    pixels = np.asarray(Image.open(BytesIO(png)).convert("RGB"), dtype=float)
    return int(sum((np.abs(pixels - band).max(axis=2) <= 6).sum() for band in bands))


def test_dashboard_steps_plays_and_redraws_in_chromium(dashboard_url, browser, tmp_path):
    page = _open(browser, dashboard_url)
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
    page.screenshot(path=str(tmp_path / "played.png"))
    log = (tmp_path / "server.log").read_text()
    assert "Warning" not in log and "Traceback" not in log, log


def test_lesson_bands_and_downloads_in_chromium(dashboard_url, browser, tmp_path):
    page = _open(browser, dashboard_url)
    _shows(page, "members: 5,000")
    page.get_by_role("button", name="Points, and after they stop").click()
    _shows(page, "members: 2,000")  # the lesson's community, in the sidebar
    _shows(page, "potential members (market): 10,000")
    page.get_by_role("button", name="B", exact=True).click()
    for control in ("points per post: 10", "leaderboard places (0: none): 10", "stop day: 200"):
        _shows(page, control)  # the lesson's strategy B, every incentive element shown
    assert page.get_by_label("rank thresholds (points) (comma-separated)").input_value() == (
        "100, 500, 2000, 5000, 10000"
    )

    seeds = page.locator(".v-input", has_text="seeds per strategy")
    seeds.locator("[role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    _shows(page, "seeds per strategy (over 1: 95% bands): 3")
    page.get_by_role("button", name="Reset").click()
    _shows(page, "Points, and after they stop")  # the lesson's text survives Reset
    _shows(page, "Day 0 · 3 seeds from 1")
    members_chart = page.locator("img").nth(1)
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_for_day(page, above=0, timeout=120)
    page.get_by_text("B − A (95% interval)").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # the redrawn charts reach the browser
    page.screenshot(path=str(tmp_path / "bands.png"), full_page=True)
    members_chart.screenshot(path=str(tmp_path / "members.png"))
    assert _band_pixels(members_chart.screenshot()) > 200  # bands around the mean members

    with page.expect_download(timeout=60_000) as caught:
        page.get_by_role("button", name="B − A table (CSV)").click()
    table = pd.read_csv(caught.value.path())
    assert caught.value.suggested_filename == "commsim-b-minus-a-day10.csv"
    assert {"kpi", "A", "B", "b_minus_a", "ci_low", "ci_high"} <= set(table.columns)
    assert (table["seeds"] == 3).all() and table["ci_low"].notna().all()
    with page.expect_download(timeout=60_000) as caught:
        page.get_by_role("button", name="current run (CSV)").click()
    run = pd.read_csv(caught.value.path())
    assert len(run) == 2 * 3 * 10  # two strategies, three seeds, ten days
    assert set(run["strategy"]) == {"A", "B"} and set(run["replication"]) == {0, 1, 2}
    log = (tmp_path / "server.log").read_text()
    assert "Warning" not in log and "Traceback" not in log, log
