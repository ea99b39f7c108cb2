"""Readers of truth, targets, alerts and tracks: arrays out, clear errors in."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tocsin.errors import InputError
from tocsin.sim import files
from tocsin.sim.files import read_alerts, read_jsonl, read_targets, read_tracks, read_truth

T = "2026-11-24T21:00:05.000Z"


def write_lines(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def truth_row(**kw):
    row = {"t": T, "target": "U3", "lat": 50.61, "lon": 36.57, "alt_m": 300.0}
    row.update(kw)
    return {k: v for k, v in row.items() if v is not None}


def test_truth_reads_into_arrays_with_both_time_forms(tmp_path):
    p = write_lines(
        tmp_path / "truth.jsonl",
        [
            truth_row(),
            "",
            truth_row(t=1795554006, target="U4", alt_m=None),
            truth_row(t=T),
        ],
    )
    tr = read_truth(p)
    assert tr.target_ids == ["U3", "U4"] and list(tr.target) == [0, 1, 0]
    assert list(tr.t_s) == [1795554005.0, 1795554006.0, 1795554005.0]
    assert list(tr.alt_m) == [300.0, 0.0, 300.0] and list(tr.line) == [1, 3, 4]
    assert tr.lat_deg.dtype == np.float64


@pytest.mark.parametrize("reader", [read_truth, read_alerts, read_tracks, read_targets])
def test_a_missing_file_names_its_path(tmp_path, reader):
    with pytest.raises(InputError, match=r"missing file: .*nothing\.jsonl"):
        reader(tmp_path / "nothing.jsonl")


def test_a_bad_json_line_is_named(tmp_path):
    p = write_lines(tmp_path / "truth.jsonl", [truth_row(), "", '{"t": "x",'])
    with pytest.raises(InputError, match=r"truth\.jsonl line 3: not valid JSON"):
        read_truth(p)


def test_a_line_that_is_not_an_object_is_named(tmp_path):
    p = write_lines(tmp_path / "alerts.jsonl", ["[1, 2]"])
    with pytest.raises(InputError, match=r"alerts\.jsonl line 1: expected a JSON object"):
        read_jsonl(p)


@pytest.mark.parametrize(
    "bad,message",
    [
        (truth_row(lat=None), "'lat' is required"),
        (truth_row(lat="50.6"), "'lat' must be a number"),
        (truth_row(lat=True), "'lat' must be a number"),
        (truth_row(lat=91.0), "'lat' out of range"),
        (truth_row(t=None), "'t' is required"),
        (truth_row(t="yesterday"), "'t' not an ISO 8601 time"),
        (truth_row(t="2026-11-24T21:00:05"), "'t' time has no zone offset"),
        (truth_row(target=""), "'target' must be a non-empty string"),
    ],
)
def test_a_bad_field_is_named_with_its_line(tmp_path, bad, message):
    rows = [truth_row() for _ in range(16)] + [bad, truth_row()]
    p = write_lines(tmp_path / "truth.jsonl", rows)
    with pytest.raises(InputError) as e:
        read_truth(p)
    assert f"truth.jsonl line 17: {message}" in str(e.value)


def test_alerts_check_event_and_level_and_keep_optional_eta(tmp_path):
    row = {"t": T, "zone": "871f1d489ffffff", "event": "onset", "level": "warning"}
    p = write_lines(tmp_path / "alerts.jsonl", [dict(row, eta_s=305.0), dict(row, event="clear")])
    a = read_alerts(p)
    assert list(a.event) == ["onset", "clear"] and a.eta_s[0] == 305.0 and np.isnan(a.eta_s[1])
    write_lines(p, [row, dict(row, event="start")])
    with pytest.raises(InputError, match=r"alerts\.jsonl line 2: 'event' must be one of"):
        read_alerts(p)
    write_lines(p, [dict(row, level="alarm")])
    with pytest.raises(InputError, match=r"line 1: 'level' must be one of advisory, warning"):
        read_alerts(p)


def test_tracks_need_a_position_unless_deleted(tmp_path):
    row = {"t": T, "track": "T1", "status": "confirmed", "lat": 50.6, "lon": 36.5}
    p = write_lines(tmp_path / "tracks.jsonl", [row, {"t": T, "track": "T1", "status": "deleted"}])
    tr = read_tracks(p)
    assert list(tr.status) == ["confirmed", "deleted"] and np.isnan(tr.lat_deg[1])
    write_lines(p, [row, {"t": T, "track": "T2", "status": "tentative", "lat": 50.6}])
    with pytest.raises(InputError, match=r"tracks\.jsonl line 2: 'lon' is required"):
        read_tracks(p)


def test_targets_need_first_rx_which_may_be_null(tmp_path):
    p = tmp_path / "targets.json"
    p.write_text(
        json.dumps(
            {
                "targets": [
                    {"target": "U1", "kind": "uav", "speed_mps": 47.5, "first_rx": T},
                    {"target": "U2", "first_rx": None},
                ]
            }
        )
    )
    tg = read_targets(p)
    assert list(tg.ids) == ["U1", "U2"] and tg.first_rx_s[0] == 1795554005.0
    assert np.isnan(tg.first_rx_s[1]) and np.isnan(tg.speed_mps[1])
    p.write_text(json.dumps({"targets": [{"target": "U1", "first_rx": T}, {"target": "U2"}]}))
    with pytest.raises(InputError, match=r"targets\.json entry 1 \(U2\): 'first_rx' is required"):
        read_targets(p)
    p.write_text('{"targets": [\n{"target": "U1",,}]}')
    with pytest.raises(InputError, match=r"targets\.json line 2: not valid JSON"):
        read_targets(p)


def test_chunks_keep_target_codes_and_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "CHUNK_ROWS", 2)
    rows = [truth_row(target=f"U{k % 3}", t=1795554000 + k) for k in range(5)]
    p = write_lines(tmp_path / "truth.jsonl", rows[:3] + [""] + rows[3:])
    tr = read_truth(p)
    assert tr.target_ids == ["U0", "U1", "U2"] and list(tr.target) == [0, 1, 2, 0, 1]
    assert list(tr.line) == [1, 2, 3, 5, 6] and list(tr.t_s - 1795554000) == [0, 1, 2, 3, 4]
    write_lines(p, rows[:3] + [truth_row(lon=None)])
    with pytest.raises(InputError, match=r"truth\.jsonl line 4: 'lon' is required"):
        read_truth(p)
