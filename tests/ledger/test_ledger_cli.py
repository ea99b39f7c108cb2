"""`tocsin ledger keygen|follow` and `tocsin verify` as a user runs them."""

from __future__ import annotations

from ledgercase import fill_events
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.store import SqliteEventLog

runner = CliRunner()


def test_keygen_follow_and_verify_end_to_end(tmp_path):
    key = tmp_path / "region.key"
    assert runner.invoke(app, ["ledger", "keygen", "--out", str(key)]).exit_code == 0
    with SqliteEventLog(tmp_path / "events.sqlite") as events:
        fill_events(events, n=6)
    log = tmp_path / "log.jsonl"
    args = ["ledger", "follow", "--events", str(tmp_path / "events.sqlite")]
    res = runner.invoke(app, [*args, "--log", str(log), "--key", str(key)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["verify", str(log), "--key", str(tmp_path / "region.pub")])
    assert res.exit_code == 0 and "verified: entries 1-6" in res.output, res.output
    lines = log.read_bytes().splitlines()
    a, b = [i for i, raw in enumerate(lines) if b'"type":"entry"' in raw][2:4]
    lines[a], lines[b] = lines[b], lines[a]
    log.write_bytes(b"\n".join(lines) + b"\n")
    res = runner.invoke(app, ["verify", str(log), "--key", str(tmp_path / "region.pub")])
    assert res.exit_code == 1 and "TAMPERED" in res.output and f"line {a + 1}" in res.output


def test_verify_names_a_missing_key_file(tmp_path):
    (tmp_path / "log.jsonl").write_text("")
    res = runner.invoke(app, ["verify", str(tmp_path / "log.jsonl"), "--key", "nope.pub"])
    assert res.exit_code == 2 and "nope.pub" in res.output
