"""What only the SQLite backend promises: file format, durability, failures."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from tocsin.errors import StoreError
from tocsin.store import SqliteEventLog
from tocsin.store.sqlite import _PAGE_ROWS, _SPILL_ROWS, SCHEMA_VERSION


@pytest.fixture()
def path(tmp_path):
    return tmp_path / "events.db"


def test_a_log_that_can_be_made_again_commits_without_fsync(path):
    with SqliteEventLog(path, durable=False) as log:
        assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        log.append("note", 1.0, {"n": 1})
    with SqliteEventLog(path) as log:
        assert [e.payload for e in log.read()] == [{"n": 1}]


def test_file_has_the_schema_wal_mode_and_full_sync(path):
    with SqliteEventLog(path) as log:
        assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        objects = set(conn.execute("SELECT type, name FROM sqlite_master"))
        assert {
            ("table", "events"),
            ("table", "meta"),
            ("index", "events_kind"),
            ("trigger", "events_no_update"),
            ("trigger", "events_no_delete"),
            ("trigger", "events_in_order"),
        } <= objects
        columns = [(name, kind) for _, name, kind, *_ in conn.execute("PRAGMA table_info(events)")]
        assert columns == [
            ("seq", "INTEGER"),
            ("t_s", "REAL"),
            ("kind", "TEXT"),
            ("payload", "TEXT"),
            ("wall_s", "REAL"),
        ]
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
    finally:
        conn.close()


def test_wall_time_comes_from_the_clock(path):
    ticks = iter([10.0, 20.0])
    with SqliteEventLog(path, clock=lambda: next(ticks)) as log:
        log.append("run_started", 1.0, {})
        log.append_many([("record_taken", 2.0, {}), ("record_taken", 3.0, {})])
        assert [e.wall_s for e in log.read()] == [10.0, 20.0, 20.0]


def test_opening_something_that_is_not_an_event_log_names_the_path(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match=f"cannot open event log {junk}: file is not a database"):
        SqliteEventLog(junk)
    missing = tmp_path / "no" / "such" / "dir" / "events.db"
    with pytest.raises(StoreError, match=f"cannot open event log {missing}"):
        SqliteEventLog(missing)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.close()
    with pytest.raises(StoreError, match="not a Tocsin event log"):
        SqliteEventLog(other)
    with pytest.raises(StoreError, match="empty path"):
        SqliteEventLog("")


def test_a_newer_schema_is_refused(path):
    SqliteEventLog(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 2, this Tocsin reads version 1"):
        SqliteEventLog(path)


def test_a_crash_loses_only_what_was_not_flushed(path):
    script = textwrap.dedent(
        f"""
        import os
        from tocsin.store import SqliteEventLog
        log = SqliteEventLog({str(path)!r})
        log.append_many([("record_taken", float(i), {{"i": i}}) for i in range({_SPILL_ROWS})])
        log.append("alert_decided", 1.0, {{"zone": "z"}})
        log.flush()
        log.append_many([("record_taken", 2.0, {{}})] * {_SPILL_ROWS + 5})  # spilled, not flushed
        os._exit(0)  # no close, no flush: as if the process died
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with SqliteEventLog(path) as log:
        assert log.last_seq() == _SPILL_ROWS + 1 == log.count()
        assert [e.payload for e in log.read(kinds={"alert_decided"})] == [{"zone": "z"}]
        assert log.append("run_started", 3.0, {}) == _SPILL_ROWS + 2


def test_readers_are_not_blocked_by_an_unflushed_writer(path):
    writer = SqliteEventLog(path)
    writer.append("run_started", 0.0, {})
    writer.flush()
    writer.append_many([("record_taken", 1.0, {})] * (_SPILL_ROWS + 1))  # write transaction open
    assert writer._conn.in_transaction
    reader = SqliteEventLog(path, timeout_s=0.05)
    try:
        assert reader.count() == 1 and reader.last_seq() == 1
        writer.flush()
        assert reader.count() == _SPILL_ROWS + 2 == reader.last_seq()
    finally:
        reader.close()
        writer.close()


def test_a_second_writer_fails_loudly_and_the_log_must_be_reopened(path):
    first = SqliteEventLog(path)
    second = SqliteEventLog(path)
    second.append("manual_action", 1.0, {"by": "second"})
    second.flush()
    assert first.append("manual_action", 2.0, {"by": "first"}) == 1  # stale view of the file
    with pytest.raises(StoreError, match=f"event log write failed on {path}"):
        first.flush()
    with pytest.raises(StoreError, match="unusable after an earlier failure"):
        first.append("run_finished", 3.0, {})
    first.close()  # allowed, does not flush
    second.close()
    with SqliteEventLog(path) as log:
        assert [e.payload for e in log.read()] == [{"by": "second"}]


def test_a_corrupt_stored_payload_is_reported_on_read(path):
    with SqliteEventLog(path) as log:
        log.append("record_taken", 1.0, {})
        log.flush()
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("INSERT INTO events VALUES (2, 2.0, 'record_taken', '[1, 2', 0.0)")
        raw.close()
        events = log.read()
        assert next(events).seq == 1
        with pytest.raises(StoreError, match=f"read failed on {path}: event 2 is corrupt"):
            next(events)


def test_reads_span_pages_and_spills(path):
    n = 2 * _SPILL_ROWS + 3 * _PAGE_ROWS + 17
    kinds = ("record_taken", "track_confirmed", "alert_decided")
    with SqliteEventLog(path) as log:
        for start in range(0, n, 997):  # flushes that do not line up with spills or pages
            items = [(kinds[i % 3], float(i), {"i": i}) for i in range(start, min(start + 997, n))]
            assert log.append_many(items) == [i + 1 for i in range(start, start + len(items))]
            log.flush()
        assert log.count() == n == log.last_seq()
        assert [e.payload["i"] for e in log.read()] == list(range(n))
        decided = [e.seq for e in log.read(kinds={"alert_decided"}, since_seq=1000, limit=1500)]
        assert decided == list(range(1002, 1002 + 3 * 1500, 3))
        assert log.count("alert_decided") == n // 3
