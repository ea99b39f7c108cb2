"""`verify_lines` accepts the true log and points at each kind of tampering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.ledger import generate_key, load_public_key, verify_lines


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def _entry_lines(lines: list[bytes]) -> list[int]:
    return [i for i, raw in enumerate(lines) if json.loads(raw)["type"] == "entry"]


def test_the_true_log_verifies_and_every_entry_is_signed(true_log, keyfile):
    v = verify_lines(_lines(true_log), load_public_key(keyfile.with_suffix(".pub")))
    assert v.ok, v.problem
    assert v.entries == 12 and v.signed_seq == 12 and v.unsigned == 0
    assert v.heads >= 5  # 12 entries 25 s apart: a head at least every minute, and the last
    assert v.signed_t == "2026-11-24T21:06:40.000Z"


def test_a_changed_value_is_found_at_its_entry(true_log, keyfile):
    lines = _lines(true_log)
    i = _entry_lines(lines)[8]
    lines[i] = lines[i].replace(b'"injured":8', b'"injured":3')
    assert lines[i] != _lines(true_log)[i]
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.line == i + 1 and v.problem.seq == 9
    assert "altered" in v.problem.reason


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_changed_byte_is_found_at_or_before_its_line(data, true_log, keyfile):
    lines = _lines(true_log)
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines[i]) - 1))
    old = lines[i][j]
    new = data.draw(st.integers(32, 126).filter(lambda b: b != old))
    lines[i] = lines[i][:j] + bytes([new]) + lines[i][j + 1 :]
    v = verify_lines(lines, load_public_key(keyfile))
    # The file is read-only here (the fixture is shared across examples). The log holds
    # canonical JSON, so no byte can change without changing what it says.
    assert v.problem is not None and v.problem.line == i + 1


def test_a_removed_entry_is_named(true_log, keyfile):
    lines = _lines(true_log)
    i = _entry_lines(lines)[4]
    del lines[i]
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.seq == 5 and v.problem.line == i + 1
    assert "missing" in v.problem.reason


def test_two_swapped_entries_are_found_at_the_first(true_log, keyfile):
    lines = _lines(true_log)
    a, b = _entry_lines(lines)[2], _entry_lines(lines)[3]
    assert b == a + 1
    lines[a], lines[b] = lines[b], lines[a]
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.line == a + 1 and v.problem.seq == 3


def test_an_altered_entry_with_a_fresh_hash_breaks_the_next_link(true_log, keyfile):
    from tocsin.ledger.entry import entry_line

    lines = _lines(true_log)
    i = _entry_lines(lines)[5]
    doc = json.loads(lines[i])
    doc["payload"]["event"]["identifier"] = "urn:tocsin:test:forged"
    text, _ = entry_line(doc["seq"], doc["t"], doc["kind"], doc["payload"], doc["prev_hash"])
    lines[i] = text.encode()
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.seq in (6, 7) and v.problem.line > i + 1


def test_a_forged_signature_is_refused(true_log, keyfile, tmp_path):
    from ledgercase import T0, fill_events

    from tocsin.ledger import Ledger, load_private_key
    from tocsin.store import SqliteEventLog

    # The forger re-signs a rewritten log with a key of their own but the region's key id.
    other = tmp_path / "other.key"
    generate_key(other)
    with SqliteEventLog(tmp_path / "forged.sqlite") as events:
        fill_events(events, n=3)
        with Ledger(tmp_path / "forged.jsonl") as ledger:
            ledger.follow(events)
            ledger.key = load_private_key(other)
            head = ledger.sign(T0 + 100)
    real_kid = json.loads(_lines(true_log)[-1])["key"]
    head["key"] = real_kid
    lines = _lines(tmp_path / "forged.jsonl")[:-1] + [json.dumps(head).encode()]
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.line == len(lines)
    assert "signature" in v.problem.reason


def test_a_log_signed_by_another_key_is_refused(true_log, tmp_path):
    other = tmp_path / "other.key"
    generate_key(other)
    v = verify_lines(_lines(true_log), load_public_key(other))
    assert v.problem is not None and "key" in v.problem.reason


def test_a_tail_cut_after_a_head_verifies_but_later_entries_are_unsigned(true_log, keyfile):
    lines = _lines(true_log)
    heads = [i for i, raw in enumerate(lines) if json.loads(raw)["type"] == "head"]
    cut = lines[: heads[1] + 3]  # the second head and the two entries after it
    v = verify_lines(cut, load_public_key(keyfile))
    assert v.ok and v.unsigned == 2
    assert v.signed_seq == json.loads(lines[heads[1]])["seq"]


@pytest.mark.parametrize("drop", ["head", "all_heads"])
def test_removing_heads_loses_coverage_not_entries(true_log, keyfile, drop):
    lines = _lines(true_log)
    kept = [raw for raw in lines if json.loads(raw)["type"] == "entry"]
    if drop == "head":
        kept = lines[:-1]
    v = verify_lines(kept, load_public_key(keyfile))
    assert v.ok and v.entries == 12 and v.unsigned > 0


def test_a_repeated_key_cannot_hide_a_rewritten_link(true_log, keyfile):
    """Entry 5 rewritten; entry 6 keeps its hashed prev_hash but adds a second one that
    points at the forgery: the repeated key is refused."""
    from tocsin.ledger.entry import entry_line

    lines = _lines(true_log)
    i5, i6 = _entry_lines(lines)[4], _entry_lines(lines)[5]
    doc = json.loads(lines[i5])
    doc["payload"]["event"]["identifier"] = "urn:tocsin:test:forged"
    text, forged = entry_line(doc["seq"], doc["t"], doc["kind"], doc["payload"], doc["prev_hash"])
    lines[i5] = text.encode()
    lines[i6] = lines[i6].replace(b',"seq":6,', b',"prev_hash":"' + forged.encode() + b'","seq":6,')
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.line == i6 + 1
    assert "repeated" in v.problem.reason


def test_a_reformatted_entry_is_reported_as_altered(true_log, keyfile):
    lines = _lines(true_log)
    i = _entry_lines(lines)[2]
    lines[i] = json.dumps(json.loads(lines[i]), indent=1).replace("\n", " ").encode()
    v = verify_lines(lines, load_public_key(keyfile))
    assert v.problem is not None and v.problem.line == i + 1 and "form" in v.problem.reason
