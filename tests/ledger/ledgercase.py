"""Event logs to build test ledgers from."""

from __future__ import annotations

from tocsin.store import SqliteEventLog

T0 = 1_795_554_000.0  # 2026-11-24T21:00:00Z


def fill_events(log: SqliteEventLog, n: int = 12, step_s: float = 25.0) -> None:
    """CAP messages and incident changes, interleaved with events the log does not chain."""
    for k in range(n):
        t = T0 + k * step_s
        log.append("record_taken", t, {"seq": k, "line": "{}"})
        if k % 3 == 2:
            log.append("incident_reported", t, {"id": f"I{k}", "casualties": {"injured": k}})
        else:
            log.append("cap_issued", t, {"identifier": f"urn:tocsin:test:{k}", "seq": k})
    log.flush()
