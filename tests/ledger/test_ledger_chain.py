"""The ledger file: chaining from the event log, reopening, signing on the log's clock."""

from __future__ import annotations

import json

import pytest
from ledgercase import T0, fill_events

from tocsin.errors import StoreError
from tocsin.ledger import Ledger, generate_key, load_private_key, load_public_key, verify_lines
from tocsin.store import SqliteEventLog
from tocsin.times import parse_time


def _docs(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_only_cap_and_incident_events_are_chained_with_their_event_seq(true_log):
    entries = [d for d in _docs(true_log) if d["type"] == "entry"]
    assert [d["kind"] for d in entries[:3]] == ["cap_issued", "cap_issued", "incident_reported"]
    assert [d["payload"]["event_seq"] for d in entries[:3]] == [2, 4, 6]
    assert [d["seq"] for d in entries] == list(range(1, 13))


def test_heads_come_at_least_once_a_minute_of_the_logs_clock(true_log):
    docs = _docs(true_log)
    head_t = [parse_time(d["t"]) for d in docs if d["type"] == "head"]
    entry_t = [parse_time(d["t"]) for d in docs if d["type"] == "entry"]
    # Entries every 25 s: no entry waits more than a minute (plus one step) for a head,
    # but for the last ones, which the clock did not pass: the fixture signed them on request.
    for t in entry_t[:-2]:
        assert min(h for h in head_t if h >= t) - t <= 60.0 + 25.0
    assert all(b - a >= 60.0 for a, b in zip(head_t[:-2], head_t[1:-1], strict=True))


def test_reopening_continues_the_chain_without_repeating_an_event(tmp_path, keyfile):
    key = load_private_key(keyfile)
    with SqliteEventLog(tmp_path / "e.sqlite") as events:
        fill_events(events, n=4)
        with Ledger(tmp_path / "log.jsonl", key) as ledger:
            assert ledger.follow(events) == 4
        fill_events(events, n=3)
        with Ledger(tmp_path / "log.jsonl", key) as ledger:
            assert (ledger.seq, ledger.event_seq) == (4, 8)
            assert ledger.follow(events, now_s=T0 + 3600) == 3
            assert ledger.follow(events) == 0 and ledger.unsigned == 0
    v = verify_lines((tmp_path / "log.jsonl").read_bytes().splitlines(), key.public_key())
    assert v.ok and v.entries == 7 and v.unsigned == 0


def test_a_torn_last_line_is_cut_on_reopening(tmp_path, true_log, keyfile):
    whole = true_log.read_bytes()
    true_log.write_bytes(whole + b'{"type":"entry","seq":13,"t":')
    with Ledger(true_log, load_private_key(keyfile)) as ledger:
        assert ledger.seq == 12
        ledger.append("incident_changed", T0 + 500, {"id": "I2", "status": "confirmed"})
        ledger.sign(T0 + 501)
    v = verify_lines(true_log.read_bytes().splitlines(), load_public_key(keyfile))
    assert v.ok and v.entries == 13 and v.unsigned == 0


def test_a_corrupt_line_at_the_end_refuses_to_open(true_log):
    lines = true_log.read_bytes().splitlines()
    n = len(lines)
    lines[-1] = b"garbage"
    true_log.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(StoreError, match=f"line {n} "):
        Ledger(true_log)


def test_opening_reads_only_the_end_and_verify_reads_it_all(true_log, keyfile):
    """Opening goes back only to the newest entry and head; the middle is verify's."""
    lines = true_log.read_bytes().splitlines()
    with Ledger(true_log) as ledger:
        whole = (ledger.seq, ledger.head_hash, ledger.event_seq, ledger.signed_seq)
    lines[3] = b"garbage"
    true_log.write_bytes(b"\n".join(lines) + b"\n")
    with Ledger(true_log) as ledger:
        assert (ledger.seq, ledger.head_hash, ledger.event_seq, ledger.signed_seq) == whole
    v = verify_lines(true_log.read_bytes().splitlines(), load_public_key(keyfile))
    assert not v.ok


def test_signing_needs_a_key_and_a_key_is_never_overwritten(tmp_path, keyfile):
    with Ledger(tmp_path / "log.jsonl") as ledger:
        ledger.append("cap_issued", T0, {"identifier": "x"})
        assert ledger.maybe_sign(T0 + 100) is None
        with pytest.raises(StoreError, match="no signing key"):
            ledger.sign(T0 + 100)
    with pytest.raises(StoreError, match="refusing to overwrite"):
        generate_key(keyfile)
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"


def test_a_key_file_that_is_not_a_key_is_named(tmp_path):
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key")
    with pytest.raises(StoreError, match="bad.pub"):
        load_public_key(bad)


def test_a_second_writer_is_refused_until_the_first_closes(tmp_path):
    first = Ledger(tmp_path / "log.jsonl")
    with pytest.raises(StoreError, match="in use by another writer"):
        Ledger(tmp_path / "log.jsonl")
    first.close()
    Ledger(tmp_path / "log.jsonl").close()


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_lines_are_read_backwards_whole_at_any_chunk_size(tmp_path, monkeypatch, chunk):
    import random

    from tocsin.ledger import chain

    monkeypatch.setattr(chain, "_CHUNK", chunk)
    rng = random.Random(chunk)
    data = b"".join(b"x" * rng.randint(1, 300) + b"\n" for _ in range(200))
    path = tmp_path / "lines"
    path.write_bytes(data + b"torn")
    with path.open("rb") as f:
        end = chain._end_of_last_line(f, len(data) + 4)
        assert end == len(data)
        got = list(chain._lines_backwards(f, end))
    assert [line for _, line in got][::-1] == data.splitlines()
    assert all(data[o:].startswith(line + b"\n") for o, line in got)
