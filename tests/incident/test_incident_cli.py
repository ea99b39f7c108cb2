"""`tocsin incident …` on a data directory, with every change chained into the signed log."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tocsin.cli import app

runner = CliRunner()


def _ok(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.output


def test_add_confirm_retract_list_and_verify(tmp_path):
    data = tmp_path / "data"
    _ok(["ledger", "keygen", "--out", str(data / "region.key")])
    common = ["--data", str(data), "--region", "belgorod"]
    out = _ok(
        ["incident", "add", *common, "--by", "officer A", "--lat", "50.5957", "--lon", "36.5873"]
        + ["--time", "2026-11-24T21:40:00Z", "--injured", "2", "--hospital", "Regional Hospital"]
    )
    assert "incident I00001 registered" in out
    _ok(
        ["incident", "add", *common, "--by", "police desk", "--lat", "50.41", "--lon", "36.92"]
        + ["--time", "2026-11-24T21:50:00Z", "--kind", "debris", "--source", "police"]
    )
    _ok(["incident", "confirm", "I00001", "--data", str(data), "--by", "officer B"])
    _ok(
        ["incident", "amend", "I00001", "--data", str(data), "--by", "hospital desk"]
        + ["--note", "one more admitted", "--injured", "3", "--injured-children", "1"]
    )
    _ok(
        ["incident", "retract", "I00002", "--data", str(data), "--by", "officer B"]
        + ["--note", "duplicate report"]
    )
    res = runner.invoke(app, ["incident", "confirm", "I00002", "--data", str(data), "--by", "x"])
    assert res.exit_code == 2 and "cannot become confirmed" in res.output
    res = runner.invoke(
        app,
        ["incident", "add", *common, "--by", "x", "--lat", "55.75", "--lon", "37.62"]
        + ["--time", "2026-11-24T21:40:00Z"],
    )
    assert res.exit_code == 2 and "outside the region" in res.output
    rows = [
        json.loads(x) for x in _ok(["incident", "list", "--data", str(data), "--json"]).splitlines()
    ]
    assert [(r["id"], r["status"]) for r in rows] == [
        ("I00001", "confirmed"),
        ("I00002", "retracted"),
    ]
    assert [h["by"] for h in rows[1]["history"]] == ["police desk", "officer B"]
    assert [h["action"] for h in rows[0]["history"]] == ["reported", "confirmed", "amended"]
    assert rows[0]["casualties"]["injured"] == 3 and rows[0]["casualties"]["injured_children"] == 1
    assert "I00001" in _ok(["incident", "list", "--data", str(data)])
    out = " ".join(
        _ok(["verify", str(data / "log.jsonl"), "--key", str(data / "region.pub")]).split()
    )
    assert "5 entries" in out and "verified: entries 1-5" in out


def test_import_reports_rejected_rows(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "kind,time,lat,lon,source,injured\n"
        "impact,2026-11-24T21:40:00Z,50.5957,36.5873,police,1\n"
        "impact,2026-11-24T21:40:00Z,50.5957,36.5873,police,-3\n"
    )
    data = tmp_path / "data"
    args = ["incident", "import", str(path), "--data", str(data), "--region", "belgorod"]
    res = runner.invoke(app, [*args, "--by", "importer"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "1 imported, 1 rejected" in out and "line 3: field 'injured'" in out


def test_a_change_made_while_the_service_holds_the_log_is_stored_and_left_to_it(tmp_path):
    from tocsin.ledger import Ledger

    data = tmp_path / "data"
    _ok(["ledger", "keygen", "--out", str(data / "region.key")])
    with Ledger(data / "log.jsonl"):  # the running service
        args = ["--data", str(data), "--region", "belgorod", "--by", "A", "--lat", "50.5957"]
        out = _ok(["incident", "add", *args, "--lon", "36.5873", "--time", "2026-11-24T21:40Z"])
    assert "its writer will chain this change" in " ".join(out.split())
    assert "I00001" in _ok(["incident", "list", "--data", str(data)])
