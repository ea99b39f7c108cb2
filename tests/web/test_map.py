"""The public map in a real browser, against a real ``tocsin serve`` on 127.0.0.1.

As a user would: the page loads with no console error and asks nothing of any
other host; while a simulated raid's signed records are streamed into the
service the zones change colour, the chosen town turns to warning and its
countdown to shelter runs; the page speaks Russian and English. Screenshots are
saved in the test's directory; with ``TOCSIN_DOCS_SCREENSHOT=1`` the one under
a raid is also copied to ``docs/web-map.png`` (the README shows it).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).parent))
from browser import have_chromium, watch, zone_classes, zone_fill  # noqa: E402
from servecase import LAT0, ProcessServer, Sensor, plot, steps, wait_for, write_scene  # noqa: E402

pytestmark = pytest.mark.skipif(
    not have_chromium(), reason="Debian's chromium is not installed (make test installs it)"
)
DOCS = Path(__file__).parents[2] / "docs"
DRILL = {"warning": "#7c3aed", "advisory": "#c4b5fd"}  # the drill palette of map.js


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    paths = write_scene(root)
    doc = json.loads(paths["region"].read_text())  # a village 10 km past the town, downrange
    village = {"name": "Westville", "population": 4000}
    doc["features"].append(
        {
            "type": "Feature",
            "properties": village,
            "geometry": {"type": "Point", "coordinates": [35.85, LAT0]},
        }
    )
    paths["region"].write_text(json.dumps(doc))
    srv = ProcessServer(paths, root / "data")
    srv.shots = root / "shots"
    srv.shots.mkdir()
    yield srv
    srv.terminate()


@pytest.fixture()
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    yield ctx
    ctx.close()


def _open(context, url: str, lang: str = "en"):
    w = watch(context)
    w.page.goto(f"{url}/?lang={lang}")
    w.page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return w


def _raid(url: str, n_plots: int, ahead_s: float):
    """One drone flying west over the town, ``ahead_s`` into its flight; a plot a step."""
    sensor, t0 = Sensor(url), time.time() - ahead_s
    for _ in range(n_plots):
        before = steps(url)
        r = sensor.post([plot(time.time(), t0_s=t0)])
        assert r.status_code == 202, r.text
        wait_for(lambda b=before: steps(url) >= b + 2, "the engine to step past a plot")
        yield


def test_the_page_loads_offline_with_no_errors(served, context):
    w = _open(context, served.url)
    page = w.page
    assert page.locator("#drill").is_visible()  # the service runs as a drill by default
    assert "EXERCISE" in page.locator("#drill").inner_text()
    assert page.locator("path.settlement").count() == 2
    assert zone_classes(page) == {}
    page.wait_for_selector("#live.on", timeout=30_000)  # the SSE stream is open
    page.fill("#q", "tow")
    page.click("#results button")
    assert page.locator("#place").get_attribute("data-state") == "none"
    assert page.locator("#place-state").inner_text() == "No threat now"
    page.screenshot(path=served.shots / "quiet.png")
    assert w.errors == []
    assert w.requests and w.foreign() == []


def test_zones_change_colour_and_the_countdown_runs_during_a_raid(served, context):
    w = _open(context, served.url)
    page = w.page
    page.fill("#q", "westv")
    page.keyboard.press("Enter")
    seen = [zone_classes(page)]
    for _ in _raid(served.url, 8, ahead_s=480.0):
        seen.append(zone_classes(page))
    page.wait_for_selector("path.zone-warning", timeout=30_000)
    page.wait_for_selector("#place[data-state='warning']", timeout=30_000)
    seen.append(zone_classes(page))
    assert seen[0] == {}
    assert seen[-1].get("warning", 0) >= 1 and seen[-1].get("advisory", 0) >= 1, seen
    assert zone_fill(page, "warning") == DRILL["warning"]
    assert zone_fill(page, "advisory") == DRILL["advisory"]
    assert page.locator("path.track-confirmed").count() >= 1
    assert page.locator("path.corridor").count() >= 1
    assert page.locator("#timeline li").count() >= 2
    assert page.locator("#place-state").inner_text().startswith("EXERCISE. WARNING")

    countdown = page.locator("#countdown")
    assert countdown.is_visible()
    assert countdown.inner_text().startswith("Take shelter within")
    first = int(countdown.get_attribute("data-left-s"))
    assert 0 < first <= 300
    page.wait_for_function(
        "(n) => Number(document.getElementById('countdown').dataset.leftS) < n",
        arg=first,
        timeout=10_000,
    )
    shot = served.shots / "raid.png"
    page.screenshot(path=shot)
    if os.environ.get("TOCSIN_DOCS_SCREENSHOT"):
        shutil.copyfile(shot, DOCS / "web-map.png")
    assert w.errors == []
    assert w.foreign() == []


def test_the_page_speaks_russian_and_english(served, context):
    w = _open(context, served.url, lang="ru")
    page = w.page
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "УЧЕНИЯ" in page.locator("#drill").inner_text()
    assert page.locator("label[for=q]").inner_text() == "Найдите свой населённый пункт"
    page.click("[data-lang=en]")
    assert page.locator("label[for=q]").inner_text() == "Find your place"
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=served.shots / "english.png")
    assert w.errors == [] and w.foreign() == []
