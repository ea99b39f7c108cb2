"""Warning metrics on tiny hand-made scenarios whose answers are worked out by hand.

The region holds exactly two zones, A and B: neighbouring H3 cells at
resolution 5, about 15 km apart. Targets fly at 50 m/s on a straight line
through A's centre, perpendicular to AB, so they never come within 3 km of B.
A target with closest approach at T0 + c is at 50 (t - T0 - c) + 25 m from
A's centre, inside 3 km for t - T0 - c in [-60, 59]: a pass with
t_in = T0 + c - 60 and t_out = T0 + c + 59. Truth runs from T0 to T0 + 1200.
"""

from __future__ import annotations

import json
import math

import h3
import numpy as np
import pytest
from shapely.geometry import LineString, mapping
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.errors import InputError
from tocsin.geo import load_region
from tocsin.sim.files import alerts_from_rows, read_alerts
from tocsin.sim.score import load_scenario, policy_rows, score_alerts, score_run
from tocsin.times import format_time, parse_time

T0 = parse_time("2026-11-24T21:00:00Z")
SPEED_MPS = 50.0
DURATION_S = 1200
A_ID = h3.latlng_to_cell(50.5, 36.5, 5)
B_ID = sorted(h3.grid_ring(A_ID, 1))[0]
POP = {"A": 1000, "B": 3000}
HALF = 1 / math.sqrt(2)  # the missed (or false) part of one target, over c


class World:
    """A scenario directory (region, targets, truth) and a run directory, built by hand."""

    def __init__(self, root):
        self.dir, self.run = root / "scenario", root / "run"
        self.dir.mkdir()
        self.run.mkdir()
        (lat_a, lon_a), (lat_b, lon_b) = h3.cell_to_latlng(A_ID), h3.cell_to_latlng(B_ID)
        area = LineString([(lon_a, lat_a), (lon_b, lat_b)]).buffer(0.03)
        feats = [{"type": "Feature", "properties": {"name": "Strip"}, "geometry": mapping(area)}]
        for name, lat, lon in (("A", lat_a, lon_a), ("B", lat_b, lon_b)):
            feats.append(
                {
                    "type": "Feature",
                    "properties": {"name": name, "population": POP[name]},
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                }
            )
        (self.dir / "region.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": feats})
        )
        self.region = load_region(self.dir / "region.geojson", 5)
        z = self.region.zones
        assert sorted(z.ids) == sorted([A_ID, B_ID])
        self.a = np.array([z.x_m[z.index([A_ID])[0]], z.y_m[z.index([A_ID])[0]]])
        b = np.array([z.x_m[z.index([B_ID])[0]], z.y_m[z.index([B_ID])[0]]])
        ab = (b - self.a) / np.linalg.norm(b - self.a)
        self.ab, self.u = ab, np.array([-ab[1], ab[0]])  # u: the flight direction
        self.targets: list[dict] = []
        self.truth: list[dict] = []

    def fly(self, target: str, closest_s: float, first_rx_s: float | None) -> None:
        """A target through A with closest approach at T0 + closest_s."""
        t = np.arange(DURATION_S + 1, dtype=float)
        xy = self.position(t, closest_s)
        lat, lon = self.region.frame.xy_to_latlng(xy[:, 0], xy[:, 1])
        rx = None if first_rx_s is None else format_time(T0 + first_rx_s)
        self.targets.append(
            {"target": target, "kind": "uav", "speed_mps": SPEED_MPS, "first_rx": rx}
        )
        self.truth += [
            {
                "t": format_time(T0 + s),
                "target": target,
                "lat": float(a),
                "lon": float(o),
                "alt_m": 300.0,
            }
            for s, a, o in zip(t, lat, lon, strict=True)
        ]
        self.write()

    def position(self, t_s, closest_s: float):
        s = SPEED_MPS * (np.asarray(t_s, float) - closest_s) + 25.0
        return self.a + s[:, None] * self.u

    def write(self) -> None:
        (self.dir / "targets.json").write_text(json.dumps({"targets": self.targets}))
        self.truth.sort(key=lambda r: r["t"])
        (self.dir / "truth.jsonl").write_text("".join(json.dumps(r) + "\n" for r in self.truth))

    def alert(self, *events: tuple[float, str, str]) -> None:
        """Write the run's alerts.jsonl: (seconds after T0, 'A' or 'B', 'onset' or 'clear')."""
        rows = [
            {
                "t": format_time(T0 + s),
                "zone": A_ID if z == "A" else B_ID,
                "event": ev,
                "level": "warning",
                "eta_s": 0.0,
                "tracks": [],
                "cap": "urn:test",
            }
            for s, z, ev in events
        ]
        (self.run / "alerts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    def score(self) -> dict:
        return score_run(self.dir, self.run, zone_res=5)


@pytest.fixture()
def world(tmp_path):
    return World(tmp_path)


def test_a_straight_flight_makes_one_pass_with_the_expected_times(world):
    world.fly("U1", 600, first_rx_s=100)
    p = load_scenario(world.dir, 5).passes
    assert len(p) == 1 and world.region.zones.ids[p.zone[0]] == A_ID
    assert (p.t_in_s[0] - T0, p.t_out_s[0] - T0) == (540, 659)
    assert p.t_avail_s[0] == 440 and p.warnable[0]


def test_120s_lead_is_late_when_440s_were_available(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((420, "A", "onset"), (700, "A", "clear"))
    m = world.score()
    assert m["POD"] == 0.0 and m["POD_any"] == 1.0 and m["unwarnable_share"] == 0.0
    assert m["lead_median_s"] == 120 and m["lead_p10_s"] == 120
    assert m["lead_ratio"] == pytest.approx(120 / 300)
    assert m["stale_clear_s"] == 41  # clear at 700, last t_out 659
    assert m["false_zone_share"] == 0.0
    # alerted 700 - 420; oracle [max(540 - 300, 100), 659 + 60]
    assert m["overwarn"] == pytest.approx(280 / 479)
    assert m["overwarn_pop"] == pytest.approx(280 / 479)
    assert (m["passes"], m["warnable_passes"], m["zones_threatened"], m["warning_onsets"]) == (
        1,
        1,
        1,
        1,
    )


def test_120s_lead_is_in_time_when_150s_were_available(world):
    world.fly("U1", 600, first_rx_s=390)  # t_avail 150: goal min(300, 150 - 30) = 120
    world.alert((420, "A", "onset"), (700, "A", "clear"))
    m = world.score()
    assert m["POD"] == 1.0 and m["lead_median_s"] == 120
    assert m["lead_ratio"] == pytest.approx(120 / 150)
    assert m["overwarn"] == pytest.approx(280 / (719 - 390))


def test_a_warning_cleared_at_t_in_misses_the_pass(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((100, "A", "onset"), (540, "A", "clear"))
    m = world.score()
    assert m["POD"] == 0.0 and m["POD_any"] == 0.0
    assert m["lead_median_s"] == 0 and m["lead_p10_s"] == 0 and m["lead_ratio"] == 0
    assert m["stale_clear_s"] is None and m["stale_clear_zones"] == 0  # none in force at 659
    assert m["false_zone_share"] == 0.0  # the span [100, 540] touches the pass at 540


def test_a_late_onset_never_cleared_misses_and_stays_until_the_scenario_end(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((600, "A", "onset"))
    m = world.score()
    assert m["POD_any"] == 0.0 and m["lead_median_s"] == 0
    # scenario end = last truth second + 60 = 1260
    assert m["stale_clear_s"] == 1260 - 659
    assert m["overwarn"] == pytest.approx((1260 - 600) / 479)
    assert m["false_zone_share"] == 0.0


def test_a_false_onset_elsewhere_and_population_weighting(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((300, "B", "onset"), (400, "B", "clear"), (420, "A", "onset"), (700, "A", "clear"))
    m = world.score()
    assert m["false_zone_share"] == 0.5 and m["false_onsets"] == 1 and m["warning_onsets"] == 2
    assert m["overwarn"] == pytest.approx((280 + 100) / 479)
    assert m["overwarn_pop"] == pytest.approx((280 * 1000 + 100 * 3000) / (479 * 1000))


def test_an_onset_in_the_threatened_zone_at_another_time_is_false(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((900, "A", "onset"), (1000, "A", "clear"))
    m = world.score()
    assert m["false_zone_share"] == 1.0 and m["POD_any"] == 0.0


def test_repeated_onsets_keep_the_first_and_update_is_ignored(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((300, "A", "onset"), (450, "A", "update"), (500, "A", "onset"), (700, "A", "clear"))
    m = world.score()
    assert m["lead_median_s"] == 240 and m["POD"] == 0.0 and m["warning_onsets"] == 2
    assert m["overwarn"] == pytest.approx(400 / 479)


def test_an_unreported_target_is_unwarnable(world):
    world.fly("U1", 600, first_rx_s=100)
    world.fly("U2", 900, first_rx_s=None)  # pass [840, 959]
    world.alert((420, "A", "onset"), (700, "A", "clear"))
    m = world.score()
    assert m["passes"] == 2 and m["warnable_passes"] == 1
    assert m["unwarnable_share"] == 0.5 and m["POD_any"] == 0.5 and m["POD"] == 0.0
    # oracle: [240, 719] for U1, [840, 1019] for U2 (t_in when never reported)
    assert m["overwarn"] == pytest.approx(280 / (479 + 179))
    assert m["stale_clear_s"] is None  # nothing in force at the last t_out, 959


def test_the_oracle_scores_perfectly_and_region_wide_overwarns(world):
    world.fly("U1", 600, first_rx_s=100)
    world.fly("U2", 900, first_rx_s=None)
    world.fly("U3", 700, first_rx_s=500)  # t_avail 140: overlaps U1's pass in A
    world.alert()
    ref = world.score()["reference"]
    o = ref["oracle"]
    assert o["POD"] == 1.0 and o["overwarn"] == pytest.approx(1.0)
    assert o["overwarn_pop"] == pytest.approx(1.0) and o["false_zone_share"] == 0.0
    assert o["stale_clear_s"] == 60 and o["GOSPA"] is None
    # oracle zone A: [240, 819] (U1, U3 merged) and [840, 1019] (U2)
    assert o["oracle_zone_s"] == 579 + 179 and o["warning_onsets"] == 2
    r = ref["region_wide"]
    # both zones from 100 (first report) to 959 + 60
    assert r["overwarn"] == pytest.approx(2 * 919 / 758)
    assert r["overwarn_pop"] == pytest.approx(919 * 4000 / (758 * 1000))
    assert r["POD"] == 1.0 and r["false_zone_share"] == 0.5


def test_the_straight_policy_warns_a_straight_flight_330s_ahead_and_nothing_else(world):
    world.fly("U1", 600, first_rx_s=100)
    scenario = load_scenario(world.dir, 5)
    rows = policy_rows(scenario, "straight")
    # A's 3-km disc is 330 s of flight (16.5 km) ahead from t = 210 on (the drone is
    # 50 (t - 600) + 25 m past A's centre); it is last within 3 km at t = 659, held 45 s.
    assert rows[0]["eta_s"] == 330.0  # t_in 540
    assert [(r["t"], r["zone"], r["event"]) for r in rows] == [
        (format_time(T0 + 210), A_ID, "onset"),
        (format_time(T0 + 705), A_ID, "clear"),
    ]
    m = score_alerts(scenario, alerts_from_rows(rows))
    assert m["POD"] == 1.0 and m["lead_median_s"] == 330 and m["false_zone_share"] == 0.0


def test_the_straight_policy_warns_falsely_ahead_of_a_drone_that_stops_short(world):
    world.fly("U1", 600, first_rx_s=100)
    world.truth = [r for r in world.truth if parse_time(r["t"]) <= T0 + 400]  # struck at 400
    world.write()
    world.alert()
    st = world.score()["reference"]["straight"]
    assert st["passes"] == 0 and st["warning_onsets"] == 1 and st["false_zone_share"] == 1.0


def test_policy_rows_follow_the_alert_format(world):
    world.fly("U1", 600, first_rx_s=100)
    scenario = load_scenario(world.dir, 5)
    rows = policy_rows(scenario, "oracle")
    assert rows == [
        {
            "t": format_time(T0 + 240),
            "zone": A_ID,
            "event": "onset",
            "level": "warning",
            "eta_s": 300.0,
            "tracks": [],
            "cap": None,
        },
        {
            "t": format_time(T0 + 719),
            "zone": A_ID,
            "event": "clear",
            "level": "warning",
            "cap": None,
        },
    ]
    m = score_alerts(scenario, alerts_from_rows(rows))
    assert m["POD"] == 1.0 and m["lead_median_s"] == 300


def test_the_oracle_leaves_out_a_pass_reported_only_after_it_ended(world):
    world.fly("U1", 600, first_rx_s=680)  # pass [540, 659], first report 21 s after
    scenario = load_scenario(world.dir, 5)
    assert policy_rows(scenario, "oracle") == []
    rows = policy_rows(scenario, "region-wide")  # from 680 to 719 in both zones
    assert [(r["event"], r["t"]) for r in rows] == [("onset", format_time(T0 + 680))] * 2 + [
        ("clear", format_time(T0 + 719))
    ] * 2
    m = score_alerts(scenario, alerts_from_rows(rows))
    assert m["POD"] is None and m["POD_any"] == 0.0 and m["unwarnable_share"] == 1.0
    assert m["overwarn"] is None and m["false_zone_share"] == 1.0


def write_tracks(world, offset_m: float) -> None:
    """A confirmed track offset_m off U1 (flying through A at 600) every second, plus noise rows."""
    t = np.arange(DURATION_S + 1, dtype=float)
    xy = world.position(t, 600) + offset_m * world.ab
    lat, lon = world.region.frame.xy_to_latlng(xy[:, 0], xy[:, 1])
    rows = []
    for s, a, o in zip(t, lat, lon, strict=True):
        rows.append(
            {
                "t": format_time(T0 + s),
                "track": "T1",
                "status": "confirmed",
                "lat": float(a),
                "lon": float(o),
            }
        )
        rows.append(
            {
                "t": format_time(T0 + s),
                "track": "T9",
                "status": "tentative",
                "lat": 10.0,
                "lon": 10.0,
            }
        )
    rows.append({"t": format_time(T0 + DURATION_S + 1), "track": "T1", "status": "deleted"})
    (world.run / "tracks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_gospa_of_a_track_3km_off(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert()
    write_tracks(world, 3000.0)
    m = world.score()
    assert m["GOSPA"] == pytest.approx(3000, abs=1e-3)
    assert m["GOSPA_localisation"] == pytest.approx(3000, abs=1e-3)
    assert m["GOSPA_missed"] == 0 and m["GOSPA_false"] == 0 and m["GOSPA_seconds"] == 1201
    # seen only from 100: for 100 s the track is false (c / sqrt 2), then 3 km off for 1101 s
    assert m["GOSPA_seen"] == pytest.approx((100 * 5000 * HALF + 1101 * 3000) / 1201, abs=1e-3)
    assert m["GOSPA_seen_false"] == pytest.approx(100 * 5000 * HALF / 1201)
    assert m["GOSPA_seen_false_count"] == pytest.approx(100 / 1201)


def test_gospa_of_a_track_beyond_c_is_one_missed_and_one_false(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert()
    write_tracks(world, 6000.0)
    m = world.score()
    assert m["GOSPA"] == pytest.approx(5000) and m["GOSPA_localisation"] == 0
    assert m["GOSPA_missed"] == pytest.approx(5000 * HALF) and m["GOSPA_missed_count"] == 1


def test_without_tracks_gospa_is_null_and_zone_res_defaults_to_7(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert()
    m = score_run(world.dir, world.run)
    assert m["GOSPA"] is None and m["GOSPA_seen_missed"] is None
    assert m["zone_res"] == 7 and m["warning_onsets"] == 0 and m["POD"] == 0.0


def test_a_zone_outside_the_region_is_rejected_with_its_line(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((420, "A", "onset"))
    with open(world.run / "alerts.jsonl", "a") as f:
        f.write(
            json.dumps(
                {"t": T0 + 500, "zone": "851f1d4bfffffff", "event": "onset", "level": "warning"}
            )
            + "\n"
        )
    with pytest.raises(InputError, match=r"alerts.jsonl line 2: 'zone' '851f1d4bfffffff'"):
        world.score()


def test_a_truth_target_missing_from_targets_is_rejected(world):
    world.fly("U1", 600, first_rx_s=100)
    world.targets.clear()
    world.write()
    world.alert()
    with pytest.raises(InputError, match=r"truth.jsonl line 1: 'target' 'U1'"):
        world.score()


def test_cli_json_has_the_spec_keys_and_the_references(world):
    world.fly("U1", 600, first_rx_s=100)
    world.alert((420, "A", "onset"), (700, "A", "clear"))
    res = CliRunner().invoke(
        app, ["score", "--scenario", str(world.dir), "--run", str(world.run), "--json"]
    )
    assert res.exit_code == 0, res.output
    m = json.loads(res.stdout)
    spec = {
        "POD",
        "POD_any",
        "unwarnable_share",
        "lead_median_s",
        "lead_p10_s",
        "lead_ratio",
        "overwarn",
        "overwarn_pop",
        "stale_clear_s",
        "false_zone_share",
        "GOSPA",
        "GOSPA_localisation",
        "GOSPA_missed",
        "GOSPA_false",
    }
    assert spec <= set(m) and spec <= set(m["reference"]["oracle"])
    assert set(m["reference"]) == {"oracle", "region_wide", "straight"}
    assert m["lead_median_s"] == 120 and m["reference"]["oracle"]["POD"] == 1.0


def test_cli_writes_the_oracle_and_scores_it_and_prints_a_table(world, tmp_path):
    world.fly("U1", 600, first_rx_s=100)
    out = tmp_path / "oracle_run"
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "score",
            "--write-policy",
            "oracle",
            "--scenario",
            str(world.dir),
            "--out",
            str(out),
            "--zone-res",
            "5",
        ],
    )
    assert res.exit_code == 0, res.output
    alerts = read_alerts(out / "alerts.jsonl")
    assert list(alerts.event) == ["onset", "clear"] and alerts.t_s[0] == T0 + 240
    res = runner.invoke(app, ["score", "--scenario", str(world.dir), "--run", str(out)])
    assert res.exit_code == 0, res.output
    assert "POD" in res.stdout and "oracle" in res.stdout and "region-wide" in res.stdout


def test_cli_reports_a_bad_line_without_a_traceback(world):
    world.fly("U1", 600, first_rx_s=100)
    (world.run / "alerts.jsonl").write_text('{"t": 0, "zone": "x", "event": "onset"}\n')
    res = CliRunner().invoke(app, ["score", "--scenario", str(world.dir), "--run", str(world.run)])
    assert res.exit_code == 2
    assert "alerts.jsonlline1:'level'isrequired" in "".join(res.stderr.split())  # rich wraps
    assert "Traceback" not in res.output


def _alert_levels(world, *events):
    """alerts.jsonl of (seconds after T0, 'advisory' or 'warning', 'onset' or 'clear') in A."""
    rows = [
        {"t": format_time(T0 + s), "zone": A_ID, "event": ev, "level": lvl, "eta_s": 0.0,
         "tracks": [], "cap": "urn:test"}
        for s, lvl, ev in events
    ]  # fmt: skip
    (world.run / "alerts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_stage_figures_advisory_lead_and_a_flicker(world):
    world.fly("U1", 600, first_rx_s=100)  # t_in 540, t_avail 440: advisory goal 410 s
    _alert_levels(
        world,
        (100, "advisory", "onset"),
        (300, "warning", "onset"),
        (700, "warning", "clear"),
        (800, "warning", "onset"),  # 100 s after its clear: a flicker
        (900, "warning", "clear"),
        (950, "advisory", "clear"),
    )
    m = world.score()
    assert m["advisory_POD"] == 1.0 and m["advisory_lead_median_s"] == 440
    assert m["reonset_share"] == 0.5
    assert m["premature_clear_share"] == 0.0  # no pass follows either clear
    assert m["POD"] == 0.0  # the warning's own lead, 240 s, is short of 300


def test_a_clear_before_a_reported_target_arrives_is_premature(world):
    world.fly("U1", 600, first_rx_s=100)
    _alert_levels(world, (120, "advisory", "onset"), (100, "warning", "onset"),
                  (400, "warning", "clear"))  # fmt: skip
    m = world.score()
    assert m["premature_clear_share"] == 1.0  # reported at 100, in A 140 s after the clear
    assert m["advisory_POD"] == 1.0 and m["advisory_lead_median_s"] == 420  # goal 410
    world.alert((100, "A", "onset"), (400, "A", "clear"))  # warnings only
    assert world.score()["advisory_POD"] == 0.0  # none in force at t_in
