"""Statistics over the API: the same figures as `tocsin stats` on the same data directory."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time

import httpx
import pytest
from servecase import LAT0, LON0, fly, live_server, wait_for

from tocsin.api.operators import token_hash
from tocsin.times import format_time

TOKEN = "token-of-the-stats-desk-0001"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    for srv in live_server(tmp_path_factory):
        doc = {"desk": {"token_sha256": token_hash(TOKEN), "roles": ["report"]}}
        (srv.service.data_dir / "operators.json").write_text(json.dumps(doc))
        fly(srv.url, 6)
        wait_for(lambda u=srv.url: [a for a in httpx.get(f"{u}/v1/alerts").json()["alerts"]
                                    if a["level"] == "warning"], "a warning")  # fmt: skip
        body = {"t": format_time(time.time()), "lat": LAT0, "lon": LON0,
                "casualties": {"injured": 2, "injured_children": 1}}  # fmt: skip
        r = httpx.post(f"{srv.url}/v1/incidents", json=body, timeout=30,
                       headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
        assert r.status_code == 201, r.text
        yield srv


def _cli(live, out) -> list[dict]:
    data = live.service.data_dir
    region = data.parent / "square.geojson"
    cmd = [sys.executable, "-m", "tocsin.cli", "stats", "--region", str(region),
           "--data", str(data), "--exercise", "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((out / "statistics.json").read_text())["rows"]


def _api(live, by: str, period: str) -> list[dict]:
    params = {"by": by, "period": period, "exercise": "true"}
    r = httpx.get(f"{live.url}/v1/stats", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["rows"]


def _same_data(live, tmp_path):
    """The CLI's rows, taken while the API gave the same answer before and after."""
    for attempt in range(10):
        before = {(b, p): _api(live, b, p) for b in ("zone", "settlement", "region")
                  for p in ("day", "month")}  # fmt: skip
        cli = _cli(live, tmp_path / f"out{attempt}")
        after = {k: _api(live, *k) for k in before}
        if before == after:
            return before, cli, tmp_path / f"out{attempt}"
    raise AssertionError("the event log kept changing under the comparison")


def test_stats_match_the_cli_for_every_scope_and_period(live, tmp_path):
    api, cli, out = _same_data(live, tmp_path)
    for (by, period), rows in api.items():
        want = [r for r in cli if r["scope"] == by and r["period"] == period]
        assert rows == want, (by, period)
    region = api[("region", "day")]
    assert region and region[0]["warnings"] >= 1 and region[0]["incidents"] == 1
    assert region[0]["injured"] == 2 and region[0]["injured_children"] == 1
    assert api[("settlement", "month")][0]["id"] == "Town"

    text = httpx.get(f"{live.url}/v1/stats.csv", params={"by": "zone", "period": "day",
                                                        "exercise": "true"}).text  # fmt: skip
    got = list(csv.reader(io.StringIO(text)))
    lines = list(csv.reader((out / "statistics.csv").open(newline="")))
    header = lines[0]
    want = [ln for ln in lines[1:] if ln[header.index("scope")] == "zone"
            and ln[header.index("period")] == "day"]  # fmt: skip
    assert got[0] == header and got[1:] == want


def test_real_alerts_and_drills_are_not_mixed(live):
    rows = httpx.get(f"{live.url}/v1/stats", params={"by": "region", "period": "day"}).json()
    assert all(r["warnings"] == 0 for r in rows["rows"])  # the service's alerts are Exercise
    assert httpx.get(f"{live.url}/v1/stats", params={"by": "county"}).status_code == 422
    assert httpx.get(f"{live.url}/v1/stats", params={"tz": "Mars/Olympus"}).status_code == 422
