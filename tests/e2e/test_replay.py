"""End to end: a small simulated raid through the whole engine, as `tocsin replay` runs it."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.alert.cap import validate_cap
from tocsin.cli import app
from tocsin.sim.preset import settings_for
from tocsin.sim.scenario import simulate, write_scenario
from tocsin.sim.score import score_run

runner = CliRunner()


def _replay(scn: Path, detections: Path, out: Path, *more: str) -> dict:
    res = runner.invoke(
        app,
        [
            "replay",
            "--region",
            str(scn / "region.geojson"),
            "--sensors",
            str(scn / "sensors.json"),
            "--detections",
            str(detections),
            "--out",
            str(out),
            *more,
        ],
    )
    assert res.exit_code == 0, res.output
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def raid(tmp_path_factory):
    root = tmp_path_factory.mktemp("raid")
    settings = replace(settings_for("quiet", seed=3), duration_min=25.0)
    write_scenario(simulate("belgorod", settings), root / "scenario")
    summary = _replay(root / "scenario", root / "scenario" / "detections.jsonl", root / "run")
    return root, summary


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_raid_gives_warnings_where_drones_go(raid):
    root, summary = raid
    alerts = _rows(root / "run" / "alerts.jsonl")
    onsets = [a for a in alerts if a["event"] == "onset" and a["level"] == "warning"]
    assert summary["tracks_confirmed"] >= 1 and onsets
    assert [a["t"] for a in alerts] == sorted(a["t"] for a in alerts)
    assert all(a["tracks"] and 0 <= a["eta_s"] <= 300 for a in onsets)
    scores = score_run(root / "scenario", root / "run")
    assert scores["POD_any"] >= 0.5
    assert scores["overwarn"] < scores["reference"]["region_wide"]["overwarn"]
    # Every zone that was warned was cleared by the end: no zone stays under alert.
    open_zones = {}
    for a in alerts:
        open_zones[(a["zone"], a["level"])] = a["event"] != "clear"
    assert not any(open_zones.values())


def test_every_change_has_a_valid_cap_message(raid):
    root, summary = raid
    caps = {p.stem: p for p in (root / "run" / "cap").glob("*.xml")}
    assert len(caps) == summary["cap_messages"] > 0
    ids = set()
    for a in _rows(root / "run" / "alerts.jsonl"):
        seq = a["cap"].rsplit(":", 1)[1]
        assert seq in caps
        ids.add(seq)
    assert ids == set(caps)
    for path in caps.values():
        xml = path.read_bytes()
        validate_cap(xml)
        assert b"<status>Exercise</status>" in xml


def test_replay_is_deterministic(raid, tmp_path):
    root, _ = raid
    _replay(root / "scenario", root / "scenario" / "detections.jsonl", tmp_path / "again")
    for name in ("alerts.jsonl", "tracks.jsonl"):
        assert (tmp_path / "again" / name).read_bytes() == (root / "run" / name).read_bytes()


def test_the_policy_knobs_come_from_a_settings_file(raid, tmp_path):
    root, _ = raid
    strict = tmp_path / "strict.toml"
    strict.write_text("[reach]\np_warn = 0.99\np_keep = 0.99\n")
    _replay(root / "scenario", root / "scenario" / "detections.jsonl", tmp_path / "s",
            "--settings", str(strict))  # fmt: skip

    def warned(run: Path) -> set[str]:
        rows = _rows(run / "alerts.jsonl")
        return {a["zone"] for a in rows if a["level"] == "warning" and a["event"] == "onset"}

    assert warned(tmp_path / "s") < warned(root / "run")  # fewer zones warned, none new
    bad = tmp_path / "bad.toml"
    bad.write_text("[reach]\np_wanr = 0.5\n")
    res = runner.invoke(app, ["replay", "--region", "belgorod", "--sensors", "x",
                              "--detections", "y", "--out", str(tmp_path / "b"),
                              "--settings", str(bad)])  # fmt: skip
    assert res.exit_code != 0 and "reach.p_wanr" in res.output


JUNK = [
    (b"{not json", "bad_json"),
    (b"", "empty"),
    (b'{"t": 1795554000, "sensor": "NOPE", "range_m": 100, "azimuth_deg": 10}', "unknown_sensor"),
    (b'{"t": 1795554000, "sensor": "R1", "azimuth_deg": 10}', "missing_field"),
    (b'{"t": 1795554000, "sensor": "R1", "range_m": 100, "azimuth_deg": 400}', "out_of_range"),
    (b'{"t": 1795554000, "sensor": "R1", "range_m": NaN, "azimuth_deg": 10}', "not_finite"),
    (
        b'{"t": 1795554000, "sensor": "R1", "kind": "acoustic", "range_m": 9, "azimuth_deg": 1}',
        "kind_mismatch",
    ),
    (bytes(range(256)).replace(b"\n", b""), "bad_encoding"),
]


def test_malformed_records_are_rejected_and_change_nothing(raid, tmp_path):
    root, clean = raid
    lines = (root / "scenario" / "detections.jsonl").read_bytes().splitlines()
    rng = random.Random(5)
    junk = [rng.choice(JUNK) for _ in range(60)] + JUNK
    for line, _ in junk:
        lines.insert(rng.randrange(len(lines) + 1), line)
    dirty = tmp_path / "dirty.jsonl"
    dirty.write_bytes(b"\n".join(lines) + b"\n")
    summary = _replay(root / "scenario", dirty, tmp_path / "run")
    expected: dict[str, int] = {}
    for _, reason in junk:
        expected[reason] = expected.get(reason, 0) + 1
    assert summary["rejected_by_reason"] == expected
    assert summary["records_accepted"] == clean["records_accepted"]
    for name in ("alerts.jsonl", "tracks.jsonl"):
        assert (tmp_path / "run" / name).read_bytes() == (root / "run" / name).read_bytes()
