"""Event log throughput: SqliteEventLog vs a bare sqlite3 executemany peer, same flush cadence."""

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from tocsin.store import SqliteEventLog

N = 500_000
FLUSH_EVERY = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
payloads = [
    {"sensor": f"r{i % 50}", "x_m": i * 1.5, "y_m": -i * 0.5, "snr_db": 12.0} for i in range(N)
]
with tempfile.TemporaryDirectory() as d:
    path = Path(d) / "events.db"
    log = SqliteEventLog(path)
    t0 = time.perf_counter()
    c0 = time.process_time()
    for i, p in enumerate(payloads):
        log.append("record_taken", 1.7e9 + i * 0.01, p)
        if i % FLUSH_EVERY == FLUSH_EVERY - 1:
            log.flush()
    log.flush()
    t_append = time.perf_counter() - t0
    cpu_append = time.process_time() - c0
    t0 = time.perf_counter()
    n = sum(1 for _ in log.read())
    t_read = time.perf_counter() - t0
    log.close()
    # peer: bare table, no validation/triggers/index, json.dumps, same WAL+FULL and cadence
    c = sqlite3.connect(Path(d) / "peer.db", isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.execute(
        "CREATE TABLE e (seq INTEGER PRIMARY KEY, t_s REAL, kind TEXT, payload TEXT, wall_s REAL)"
    )
    t0 = time.perf_counter()
    for j in range(0, N, FLUSH_EVERY):
        rows = [
            (j + i + 1, 1.7e9, "record_taken", json.dumps(p), time.time())
            for i, p in enumerate(payloads[j : j + FLUSH_EVERY])
        ]
        c.execute("BEGIN")
        c.executemany("INSERT INTO e VALUES (?,?,?,?,?)", rows)
        c.execute("COMMIT")
    t_peer = time.perf_counter() - t0
print(
    json.dumps(
        {
            "bench": "store.sqlite",
            "events": N,
            "flush_every": FLUSH_EVERY,
            "append_eps": round(N / t_append),
            "append_s": round(t_append, 2),
            "append_cpu_s": round(cpu_append, 2),
            "read_eps": round(n / t_read),
            "peer": "bare sqlite3 executemany + json.dumps",
            "peer_eps": round(N / t_peer),
            "peer_s": round(t_peer, 2),
        }
    )
)
