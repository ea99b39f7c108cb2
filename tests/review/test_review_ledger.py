"""The transparent log over the engine's real output: every CAP message of a replayed raid,
then incidents, chained, signed and verified."""

from __future__ import annotations

import json
import re

from tocsin.ledger import Ledger, generate_key, load_private_key, verify_lines
from tocsin.store import SqliteEventLog


def test_every_cap_message_of_a_run_is_chained_in_order_and_verifies(month, tmp_path):
    run = month.root / "run0"
    generate_key(tmp_path / "region.key")
    key = load_private_key(tmp_path / "region.key")
    with SqliteEventLog(run / "events.sqlite") as events:
        with Ledger(tmp_path / "log.jsonl", key) as ledger:
            added = ledger.follow(events)
            ledger.sign(events.read().__next__().t_s + 86400)
    caps = sorted(run.glob("cap/*.xml"), key=lambda p: int(p.stem))
    assert added == len(caps) > 10
    lines = (tmp_path / "log.jsonl").read_bytes().splitlines()
    docs = [json.loads(x) for x in lines]
    entries = [d for d in docs if d["type"] == "entry"]
    for d, path in zip(entries, caps, strict=True):
        assert d["payload"]["event"]["xml"].encode() == path.read_bytes()
    # The replay's clock: a head at least every minute of it while messages keep coming.
    heads = [d for d in docs if d["type"] == "head"]
    assert len(heads) >= 10
    v = verify_lines(lines, key.public_key())
    assert v.ok and v.entries == len(caps) and v.unsigned == 0
    # A warning quietly re-dated in the copy is found at its very entry.
    k = next(
        i
        for i, d in enumerate(docs)
        if d["type"] == "entry" and "Shelter" in d["payload"]["event"]["xml"]
    )
    lines[k] = re.sub(
        rb"<sent>[^<]+</sent>", b"<sent>2026-11-03T20:00:00+00:00</sent>", lines[k], count=1
    )
    v = verify_lines(lines, key.public_key())
    assert v.problem is not None and v.problem.line == k + 1 and "altered" in v.problem.reason
