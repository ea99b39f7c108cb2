"""`tocsin stats` on the simulated month: printed, and exported as CSV, JSON and GeoJSON."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.review import link_incidents
from tocsin.review.stats import compute_stats

runner = CliRunner()


def test_stats_exports_match_the_library_and_skip_drills_unless_asked(month, tmp_path):
    runs = [str(month.root / f"run{k}") for k in range(3)]
    args = ["stats", "--region", "belgorod", "--data", str(month.root / "data")]
    args += [x for r in runs for x in ("--run", r)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert res.output.count("a drill (see --exercise)") == 3  # replays are Exercise

    out = tmp_path / "out"
    res = runner.invoke(app, [*args, "--exercise", "--out", str(out), "--period", "day"])
    assert res.exit_code == 0, res.output
    assert "Incidents without timely warning" in res.output
    doc = json.loads((out / "statistics.json").read_text())
    expected = compute_stats(
        month.region, month.runs, month.incidents, link_incidents(month.incidents, month.runs)
    )
    assert doc["rows"] == expected
    with (out / "statistics.csv").open() as f:
        assert len(list(csv.DictReader(f))) == len(expected)
    alerts = json.loads((out / "alerts.geojson").read_text())
    assert len(alerts["features"]) == sum(len(r.spells) for r in month.runs)
    assert alerts["features"][0]["geometry"]["type"] == "Polygon"
    incidents = json.loads((out / "incidents.geojson").read_text())
    props = [f["properties"] for f in incidents["features"]]
    assert len(props) == len(month.incidents)
    assert {p["id"] for p in props if p["warned"]} == {
        lk.incident for lk in link_incidents(month.incidents, month.runs) if lk.warned
    }
    zones = json.loads((out / "zones-2026-11.geojson").read_text())
    assert len(zones["features"]) == len(month.region.zones)
    region_month = next(r for r in expected if r["scope"] == "region" and r["period"] == "month")
    total_h = sum(f["properties"]["warning_h"] for f in zones["features"])
    assert abs(total_h - region_month["zone_warning_h"]) < 1e-2


def test_alerts_in_the_data_directorys_event_log_count_as_a_run(month, tmp_path):
    """The live service keeps alerts and incidents in one event log: stats read both."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(month.root / "data", data)
    from tocsin.store import SqliteEventLog

    with SqliteEventLog(month.root / "run1" / "events.sqlite") as src:
        items = [(e.kind, e.t_s, e.payload) for e in src.read(("alert_decided", "cap_issued"))]
    with SqliteEventLog(data / "events.sqlite") as log:
        log.append_many(items)
    res = runner.invoke(app, ["stats", "--region", "belgorod", "--data", str(data), "--exercise",
                              "--out", str(tmp_path / "out")])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "statistics.json").read_text())
    month_row = next(r for r in doc["rows"] if r["scope"] == "region" and r["period"] == "month")
    assert month_row["warnings"] == sum(sp.level == "warning" for sp in month.runs[1].spells)
