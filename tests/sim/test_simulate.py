"""`tocsin simulate`: the scenario directory follows the interchange spec (§1, §2, §5)
and the same seed writes the same bytes."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
import shapely
from simcase import SMALL, small_scenario
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.sim.scenario import write_scenario
from tocsin.times import parse_time

FILES = ("region.geojson", "sensors.json", "detections.jsonl", "truth.jsonl", "targets.json")
NEEDS = {
    "radar": ("range_m", "azimuth_deg"),
    "acoustic": (),
    "sighting": ("lat", "lon", "sigma_m", "count", "reporter"),
    "position": ("lat", "lon", "sigma_m", "ext_id"),
}


@pytest.fixture(scope="module")
def scn_dir(tmp_path_factory):
    return write_scenario(small_scenario(), tmp_path_factory.mktemp("scn"))


@pytest.fixture(scope="module")
def detections(scn_dir):
    return [json.loads(line) for line in (scn_dir / "detections.jsonl").read_text().splitlines()]


def test_directory_holds_the_spec_files(scn_dir):
    for name in (*FILES, "scenario.json"):
        assert (scn_dir / name).stat().st_size > 0, name
    shipped = (resources.files("tocsin.geo") / "regions" / "belgorod.geojson").read_text("utf-8")
    assert (scn_dir / "region.geojson").read_text("utf-8") == shipped


def test_registry_follows_spec(scn_dir):
    sensors = json.loads((scn_dir / "sensors.json").read_text())["sensors"]
    ids = [s["id"] for s in sensors]
    assert len(ids) == len(set(ids))
    kinds = {s["kind"] for s in sensors}
    assert kinds == {"radar", "acoustic", "sighting", "position"}
    for s in sensors:
        if s["kind"] in ("radar", "acoustic"):
            assert -90 <= s["lat"] <= 90 and -180 <= s["lon"] <= 180
            assert s["range_max_m"] > 0
    radars = [s for s in sensors if s["kind"] == "radar"]
    assert all(
        30_000 <= r["range_max_m"] <= 60_000 and 2 <= r["scan_period_s"] <= 5 for r in radars
    )
    assert any("sigma_elevation_deg" not in r for r in radars), "no 2-D radar"
    acoustic = [s for s in sensors if s["kind"] == "acoustic"]
    assert all(2_500 <= a["range_max_m"] <= 4_000 for a in acoustic)
    with_bearing = [a for a in acoustic if "sigma_bearing_deg" in a]
    assert 0 < len(with_bearing) < len(acoustic)
    assert all(5 <= a["sigma_bearing_deg"] <= 12 for a in with_bearing)


def test_every_detection_is_valid(scn_dir, detections):
    sensors = json.loads((scn_dir / "sensors.json").read_text())["sensors"]
    kind_of = {s["id"]: s["kind"] for s in sensors}
    assert len(detections) > 1000
    seen = set()
    for d in detections:
        assert d["sensor"] in kind_of and d["kind"] == kind_of[d["sensor"]]
        assert parse_time(d["rx"]) >= parse_time(d["t"])
        assert d["t"].endswith("Z") and len(d["t"]) == 24
        for field in NEEDS[d["kind"]]:
            assert field in d, (field, d)
        for angle in ("azimuth_deg", "bearing_deg", "heading_deg"):
            if angle in d:
                assert 0 <= d[angle] < 360
        assert "target" not in d and "cause" not in d
        seen.add(d["kind"])
    assert seen == set(NEEDS)


def test_detections_sorted_by_rx_within_the_scenario(detections):
    rx = np.array([parse_time(d["rx"]) for d in detections])
    t = np.array([parse_time(d["t"]) for d in detections])
    assert np.all(np.diff(rx) >= 0)
    assert t.min() >= SMALL.start_s and t.max() <= SMALL.end_s


def test_truth_rows_are_whole_seconds_while_flying(scn_dir):
    rows = [json.loads(x) for x in (scn_dir / "truth.jsonl").read_text().splitlines()]
    scn = small_scenario()
    assert len(rows) == len(scn.truth)
    t = np.array([parse_time(r["t"]) for r in rows])
    assert np.all(t == np.round(t))
    assert {r["target"] for r in rows} <= set(scn.raid.ids)
    for tid in ("U1", "U2"):
        ts = t[[r["target"] == tid for r in rows]]
        assert np.all(np.diff(ts) == 1.0)  # one row per second, no gaps


def test_first_rx_is_the_earliest_record_of_each_target(scn_dir):
    targets = json.loads((scn_dir / "targets.json").read_text())["targets"]
    scn = small_scenario()
    rec = scn.records
    assert [t["target"] for t in targets] == list(scn.raid.ids)
    for i, t in enumerate(targets):
        assert t["kind"] == "uav" and 40 <= t["speed_mps"] <= 120
        mine = rec.rx_s[rec.cause == i]
        if len(mine):
            assert parse_time(t["first_rx"]) == pytest.approx(mine.min(), abs=1e-6)
        else:
            assert t["first_rx"] is None
    assert sum(t["first_rx"] is not None for t in targets) >= len(targets) // 2


def test_false_records_carry_no_mark(detections):
    scn = small_scenario()
    assert len(detections) == len(scn.records)
    false = np.flatnonzero(scn.records.cause < 0)
    assert len(false) > 0
    # a false record has exactly the keys of a real one of its sensor kind
    real = {d["kind"]: set(d) for d, c in zip(detections, scn.records.cause, strict=True) if c >= 0}
    for k in false[:200]:
        d = detections[k]
        assert set(d) - {"bearing_deg", "elevation_deg", "heading_deg"} <= real[d["kind"]]


def test_outage_silences_one_radar():
    scn = small_scenario()
    net, rec = scn.network, scn.records
    sid = net.radars.ids[net.outage_radar]
    a, b = net.outage_s
    mine = rec.sensor == sid
    assert mine.any()
    assert not np.any(mine & (rec.t_s >= a) & (rec.t_s < b))


def test_neighbour_reports_drones_before_they_enter():
    scn = small_scenario()
    rec = scn.records.take(scn.records.kind == "position")
    assert len(rec) > 10
    inside = shapely.contains_xy(scn.region.area, rec.true_lon_deg, rec.true_lat_deg)
    assert inside.mean() < 0.05  # within a few seconds of entry at most


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, scn_dir):
    from tocsin.sim.scenario import simulate

    again = write_scenario(simulate("belgorod", SMALL), tmp_path / "again")
    for name in (*FILES, "scenario.json"):
        assert (again / name).read_bytes() == (scn_dir / name).read_bytes(), name
    other = write_scenario(small_scenario(seed=6), tmp_path / "other")
    for name in ("detections.jsonl", "truth.jsonl", "sensors.json"):
        assert (other / name).read_bytes() != (scn_dir / name).read_bytes(), name


def test_cli_writes_a_scenario_and_rejects_bad_options(tmp_path):
    runner = CliRunner()
    out = tmp_path / "quiet"
    args = [
        "simulate",
        "--region",
        "belgorod",
        "--preset",
        "quiet",
        "--duration-min",
        "10",
        "--seed",
        "3",
        "--out",
        str(out),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "drones" in res.output
    assert (out / "detections.jsonl").exists() and (out / "scenario.json").exists()
    about = json.loads((out / "scenario.json").read_text())
    assert about["settings"]["seed"] == 3 and about["counts"]["targets"] == 4
    for bad in (
        ["--region", "atlantis"],
        ["--drones", "0"],
        ["--preset", "huge"],
        ["--start", "yesterday"],
    ):
        res = runner.invoke(
            app, ["simulate", "--out", str(tmp_path / "x"), "--region", "belgorod", *bad]
        )
        assert res.exit_code == 2, bad
        assert "Traceback" not in res.output


def test_a_region_file_is_copied(tmp_path, square_region_path):
    from tocsin.sim.preset import settings_for
    from tocsin.sim.scenario import simulate

    scn = simulate(square_region_path, settings_for("quiet", duration_min=20, seed=2))
    out = write_scenario(scn, tmp_path / "sq")
    assert (out / "region.geojson").read_text() == square_region_path.read_text()
    assert len(scn.raid) == 4 and len(scn.truth) > 0
