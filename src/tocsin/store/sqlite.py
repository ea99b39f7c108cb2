"""The event log in one SQLite file (standard library ``sqlite3``).

Schema (version 1): ``events(seq, t_s, kind, payload, wall_s)`` with an index
on ``kind``, and ``meta(key, value)`` holding ``schema_version``. Triggers make
the table append-only: UPDATE and DELETE abort, and an INSERT must carry the
next seq, so even raw SQL cannot rewrite history or leave a gap.

Durability: the file is in WAL journal mode with ``synchronous=FULL``, and the
log commits only in ``flush()`` (and ``close()``). Appends are buffered in
memory and written in batches (``executemany``) into one open transaction, so
the cost of a commit and its fsync is paid once per flush, not per event. When
``flush()`` returns, its events are in the fsynced WAL: they survive a crash
of the process or of the machine and are visible to other connections (with
``durable=False``, for logs that can be made again, such as a replay's, commits
skip the fsync: ``synchronous=NORMAL``, safe against a crash of the process but
not of the machine). Events appended after the last flush are lost in a
crash, and their seqs are reused on restart, so the stored sequence stays
gap-free. Readers on other
connections never block the writer, nor it them (WAL). One log object is one
writer; a second writer on the same file fails loudly at its next flush.

Any failure while writing leaves the log unusable (every call raises
StoreError): the caller reopens it and continues from the last flushed event.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self

from tocsin.errors import StoreError
from tocsin.store.base import Event
from tocsin.store.codec import check_kind, encode_event, json_to_payload

log = logging.getLogger(__name__)

MEMORY = ":memory:"
SCHEMA_VERSION = 1
_SPILL_ROWS = 4096  # buffered events written into the open transaction at a time
_PAGE_ROWS = 1000  # events fetched per query by read()

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, t_s REAL NOT NULL, kind TEXT NOT NULL,"
    " payload TEXT NOT NULL, wall_s REAL NOT NULL)",
    "CREATE INDEX events_kind ON events (kind)",
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    " BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END",
    "CREATE TRIGGER events_in_order BEFORE INSERT ON events"
    " WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM events)"
    " BEGIN SELECT RAISE(ABORT, 'events are append-only: seq must follow the last one'); END",
    f"INSERT INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}')",
)
_INSERT = "INSERT INTO events (seq, t_s, kind, payload, wall_s) VALUES (?, ?, ?, ?, ?)"
_Row = tuple[int, float, str, str, float]


def _page_sql(kinds: tuple[str, ...] | None) -> str:
    """One page of ``read``: events after a seq, up to a seq, of some kinds, in seq order.

    Several kinds are read by one index search per kind, each stopping at the page
    size, merged: a single ``kind IN (...)`` search would sort every event left in
    the range for each page, which makes reading a long log quadratic.
    """
    cols = "seq, t_s, kind, payload, wall_s"
    if kinds is None:
        return f"SELECT {cols} FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?"
    if len(kinds) == 1:
        return (
            f"SELECT {cols} FROM events WHERE seq > ? AND seq <= ? AND kind = ?"
            " ORDER BY seq LIMIT ?"
        )
    one = (
        "SELECT seq FROM (SELECT seq FROM events WHERE kind = ? AND seq > ? AND seq <= ?"
        " ORDER BY seq LIMIT ?)"
    )
    merged = " UNION ALL ".join([one] * len(kinds))
    return f"SELECT {cols} FROM events WHERE seq IN ({merged} ORDER BY seq LIMIT ?) ORDER BY seq"


class SqliteEventLog:
    """An ``EventLog`` in the SQLite file at ``path`` (``":memory:"``: private, in memory).

    The file and its schema are created if missing; reopening continues the
    sequence. ``clock`` gives ``wall_s``; ``timeout_s`` is how long to wait
    for a lock held by another connection; ``durable=False`` commits without
    an fsync (a log that can be made again from its inputs).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        timeout_s: float = 5.0,
        durable: bool = True,
    ) -> None:
        self.path = str(path)
        self.durable = durable
        self._clock = clock
        self._pending: list[_Row] = []
        self._closed = False
        self._broken: str | None = None
        if not self.path:
            raise StoreError("cannot open event log: empty path")
        conn = None
        try:
            conn = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
            self._setup(conn)
            self._last = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        except (sqlite3.Error, StoreError) as e:
            if conn is not None:
                conn.close()
            if isinstance(e, StoreError):
                raise
            raise StoreError(f"cannot open event log {self.path}: {e}") from e
        self._conn = conn

    def _setup(self, conn: sqlite3.Connection) -> None:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if self.path != MEMORY and mode.lower() != "wal":
            raise StoreError(f"cannot open event log {self.path}: WAL mode refused ({mode})")
        conn.execute(f"PRAGMA synchronous={'FULL' if self.durable else 'NORMAL'}")
        if not self._tables(conn):
            conn.execute("BEGIN IMMEDIATE")
            if not self._tables(conn):  # nobody created it while we waited for the lock
                for statement in _SCHEMA:
                    conn.execute(statement)
                log.info("created event log", extra={"path": self.path})
            conn.execute("COMMIT")
        tables = self._tables(conn)
        if not {"events", "meta"} <= tables:
            raise StoreError(f"cannot open event log {self.path}: not a Tocsin event log")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            found = None if row is None else row[0]
            raise StoreError(
                f"cannot open event log {self.path}: schema version {found}, "
                f"this Tocsin reads version {SCHEMA_VERSION}"
            )

    @staticmethod
    def _tables(conn: sqlite3.Connection) -> set[str]:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}

    def __repr__(self) -> str:
        return f"SqliteEventLog({self.path!r}, last_seq={self._last})"

    # -- writing -------------------------------------------------------------

    def append(self, kind: str, t_s: float, payload: dict) -> int:
        """Validate and buffer one event; return its seq. Invalid input stores nothing."""
        self._check_usable("append")
        t, k, text = encode_event(kind, t_s, payload)
        seq = self._last + 1
        self._pending.append((seq, t, k, text, self._clock()))
        self._last = seq
        if len(self._pending) >= _SPILL_ROWS:
            self._spill()
        return seq

    def append_many(self, items: Iterable[tuple[str, float, dict]]) -> list[int]:
        """Append ``(kind, t_s, payload)`` items all or nothing; return their seqs in order."""
        self._check_usable("append")
        encoded = []
        for index, item in enumerate(items):
            if not isinstance(item, tuple) or len(item) != 3:
                raise StoreError(f"append_many item {index} is not a (kind, t_s, payload) tuple")
            encoded.append(encode_event(*item))
        first = self._last + 1
        wall_s = self._clock()
        self._pending.extend(
            (first + i, t, k, text, wall_s) for i, (t, k, text) in enumerate(encoded)
        )
        self._last += len(encoded)
        if len(self._pending) >= _SPILL_ROWS:
            self._spill()
        return list(range(first, self._last + 1))

    def flush(self) -> None:
        """Durably commit everything appended so far (WAL, synchronous=FULL)."""
        self._check_usable("flush")
        self._spill()
        if self._conn.in_transaction:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._break("flush", e)

    def _spill(self) -> None:
        """Write the buffered events into the open transaction (not yet durable)."""
        if not self._pending:
            return
        try:
            if not self._conn.in_transaction:
                self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(_INSERT, self._pending)
        except sqlite3.Error as e:
            self._break("write", e)
        self._pending.clear()

    def _break(self, operation: str, error: sqlite3.Error) -> NoReturn:
        self._broken = f"{operation} failed: {error}"
        self._pending.clear()
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback failed", extra={"path": self.path})
        log.error("event log failed", extra={"path": self.path, "operation": operation})
        raise StoreError(
            f"event log {operation} failed on {self.path}: {error}; "
            "events after the last flush are lost, reopen the log to continue"
        ) from error

    # -- reading -------------------------------------------------------------

    def read(
        self,
        kinds: Collection[str] | None = None,
        since_seq: int = 0,
        limit: int | None = None,
    ) -> Iterator[Event]:
        """Events with ``seq > since_seq`` in seq order, of the given kinds (None: all).

        Includes unflushed events of this log; the range ends at the last seq
        appended before the call.
        """
        self._check_usable("read")
        if isinstance(kinds, str):
            raise StoreError(f"read kinds must be a collection of kinds, not the str {kinds!r}")
        wanted = None if kinds is None else tuple(sorted({check_kind(k) for k in kinds}))
        if isinstance(since_seq, bool) or not isinstance(since_seq, int) or since_seq < 0:
            raise StoreError(f"read since_seq must be an int >= 0, not {since_seq!r}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise StoreError(f"read limit must be an int >= 0 or None, not {limit!r}")
        if limit is not None and limit < 0:
            raise StoreError(f"read limit must be an int >= 0 or None, not {limit!r}")
        self._spill()
        return self._pages(wanted, since_seq, self._sync_last("read"), limit)

    def _pages(
        self, kinds: tuple[str, ...] | None, after: int, upto: int, limit: int | None
    ) -> Iterator[Event]:
        if kinds is not None and not kinds:
            return
        sql = _page_sql(kinds)
        left = limit
        while left is None or left > 0:
            size = _PAGE_ROWS if left is None else min(_PAGE_ROWS, left)
            self._check_usable("read")
            if kinds is None or len(kinds) == 1:
                args: tuple = (after, upto, *(kinds or ()), size)
            else:
                args = (*(a for k in kinds for a in (k, after, upto, size)), size)
            try:
                rows = self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as e:
                raise StoreError(f"event log read failed on {self.path}: {e}") from e
            for row in rows:
                yield self._event(row)
            if len(rows) < size:
                return
            after = rows[-1][0]
            if left is not None:
                left -= len(rows)

    def last_of(self, kind: str, before_seq: int | None = None) -> Event | None:
        """The newest event of ``kind`` with ``seq < before_seq`` (None: any); None if none.

        Includes unflushed events of this log. One index search, whatever the log's length.
        """
        self._check_usable("read")
        check_kind(kind)
        if before_seq is not None and (
            isinstance(before_seq, bool) or not isinstance(before_seq, int) or before_seq < 0
        ):
            raise StoreError(f"last_of before_seq must be an int >= 0 or None, not {before_seq!r}")
        self._spill()
        upto = self._sync_last("read") if before_seq is None else before_seq - 1
        try:
            row = self._conn.execute(
                "SELECT seq, t_s, kind, payload, wall_s FROM events"
                " WHERE kind = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
                (kind, upto),
            ).fetchone()
        except sqlite3.Error as e:
            raise StoreError(f"event log read failed on {self.path}: {e}") from e
        return None if row is None else self._event(row)

    def _event(self, row: _Row) -> Event:
        seq, t_s, kind, text, wall_s = row
        try:
            payload = json_to_payload(text)
        except ValueError as e:
            raise StoreError(
                f"event log read failed on {self.path}: event {seq} is corrupt: {e}"
            ) from e
        return Event(seq=seq, t_s=t_s, kind=kind, payload=payload, wall_s=wall_s)

    def last_seq(self) -> int:
        """The seq of the last appended event (flushed or not); 0 for an empty log."""
        self._check_usable("last_seq")
        return self._sync_last("last_seq")

    def _sync_last(self, operation: str) -> int:
        """The last seq, including events other connections flushed since this one looked."""
        if self._pending or self._conn.in_transaction:
            return self._last  # we hold (or are about to take) the write lock: nobody else wrote
        try:
            (self._last,) = self._conn.execute(
                "SELECT coalesce(max(seq), 0) FROM events"
            ).fetchone()
        except sqlite3.Error as e:
            raise StoreError(f"event log {operation} failed on {self.path}: {e}") from e
        return self._last

    def count(self, kind: str | None = None) -> int:
        """How many events (of one kind, or all) the log holds, flushed or not."""
        self._check_usable("count")
        if kind is not None:
            check_kind(kind)
        self._spill()
        try:
            if kind is None:
                row = self._conn.execute("SELECT count(*) FROM events").fetchone()
            else:
                row = self._conn.execute(
                    "SELECT count(*) FROM events WHERE kind = ?", (kind,)
                ).fetchone()
        except sqlite3.Error as e:
            raise StoreError(f"event log count failed on {self.path}: {e}") from e
        return row[0]

    # -- life cycle ----------------------------------------------------------

    def _check_usable(self, operation: str) -> None:
        if self._closed:
            raise StoreError(f"event log {operation} on {self.path}: the log is closed")
        if self._broken is not None:
            raise StoreError(
                f"event log {operation} on {self.path}: unusable after an earlier failure "
                f"({self._broken}); reopen it to continue from the last flushed event"
            )

    def close(self) -> None:
        """Flush (unless an earlier failure broke the log) and close; idempotent."""
        if self._closed:
            return
        try:
            if self._broken is None:
                self.flush()
        finally:
            self._closed = True
            self._pending.clear()
            try:
                self._conn.close()
            except sqlite3.Error:
                log.exception("close failed", extra={"path": self.path})

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
