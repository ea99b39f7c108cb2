"""Transparent log: chaining a month of CAP messages from the event log, then verifying the
download end to end; beside the peer, one SHA-256 pass over the same bytes (the least any
hash-chain verifier must do). Then reopening the log, as the service does at each start
(it reads back from the end only), beside parsing every line, as opening did before."""

import hashlib
import json
import tempfile
import time
from pathlib import Path

from tocsin.ledger import Ledger, generate_key, load_private_key, verify_lines
from tocsin.store import SqliteEventLog

N = 30_000  # CAP messages: a busy month of a region (bursts: one every 6 s)
XML = "<alert>" + "x" * 3000 + "</alert>"  # a CAP message is 2-5 kB
T0 = 1_793_577_600.0  # 2026-11-01T00:00:00Z

with tempfile.TemporaryDirectory() as d:
    d = Path(d)
    with SqliteEventLog(d / "events.sqlite") as events:
        for i in range(N):
            events.append("cap_issued", T0 + i * 6.0, {"identifier": f"urn:x:{i}", "xml": XML})
    generate_key(d / "k.key")
    key = load_private_key(d / "k.key")
    with SqliteEventLog(d / "events.sqlite") as events, Ledger(d / "log.jsonl", key) as ledger:
        t0 = time.perf_counter()
        ledger.follow(events)
        t_chain = time.perf_counter() - t0
        heads = ledger.seq
    t0 = time.perf_counter()
    with Ledger(d / "log.jsonl", key) as reopened:
        t_open = time.perf_counter() - t0
        assert reopened.seq == heads
    data = (d / "log.jsonl").read_bytes()
    t0 = time.perf_counter()
    for line in data.splitlines():
        json.loads(line)
    t_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    verdict = verify_lines(data.splitlines(), key.public_key())
    t_verify = time.perf_counter() - t0
    t0 = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    t_peer = time.perf_counter() - t0
assert verdict.ok and verdict.entries == N
print(
    json.dumps(
        {
            "bench": "ledger",
            "entries": N,
            "heads": verdict.heads,
            "file_mb": round(len(data) / 1e6, 1),
            "chain_entries_per_s": round(N / t_chain),
            "verify_entries_per_s": round(N / t_verify),
            "verify_s": round(t_verify, 2),
            "peer": "one sha256 pass over the file",
            "peer_s": round(t_peer, 3),
            "open_s": round(t_open, 4),
            "open_peer": "parsing every line",
            "open_peer_s": round(t_parse, 3),
        }
    )
)
