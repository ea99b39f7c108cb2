"""Backends for the event-log contract suite.

Every test that takes ``backend``, ``log`` or ``shared`` runs once per backend.
To add one (PostgreSQL), write a factory like ``_sqlite_file`` that opens a
fresh, empty log and gives a raw DB-API connection for the trigger tests, and
add it to ``BACKENDS``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tocsin.store import EventLog, SqliteEventLog


@dataclass
class Backend:
    name: str
    open: Callable[[], EventLog]  # opens the log under test; again: the same data if persistent
    raw: Callable[[EventLog], sqlite3.Connection]  # DB-API connection that bypasses the log
    refused: tuple[type[BaseException], ...]  # what a raw connection raises on a forbidden write
    persistent: bool  # reopening and second connections see the flushed events


def _sqlite_file(tmp_path: Path, closers: list) -> Backend:
    path = tmp_path / "events.db"

    def open_log() -> EventLog:
        log = SqliteEventLog(path)
        closers.append(log)
        return log

    def raw(log: EventLog) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None)
        closers.append(conn)
        return conn

    return Backend("sqlite-file", open_log, raw, (sqlite3.IntegrityError,), persistent=True)


def _sqlite_memory(tmp_path: Path, closers: list) -> Backend:
    def open_log() -> EventLog:
        log = SqliteEventLog(":memory:")
        closers.append(log)
        return log

    def raw(log: EventLog) -> sqlite3.Connection:
        return log._conn  # the only connection that sees a private in-memory database

    return Backend("sqlite-memory", open_log, raw, (sqlite3.IntegrityError,), persistent=False)


BACKENDS = {"sqlite-file": _sqlite_file, "sqlite-memory": _sqlite_memory}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, tmp_path) -> Iterator[Backend]:
    closers: list = []
    yield BACKENDS[request.param](tmp_path, closers)
    for item in reversed(closers):
        item.close()


@pytest.fixture()
def log(backend: Backend) -> EventLog:
    """A fresh, empty log of the backend under test, closed at teardown."""
    return backend.open()


@pytest.fixture()
def shared(backend: Backend) -> Backend:
    """The backend, for tests that reopen the log or open a second connection."""
    if not backend.persistent:
        pytest.skip(f"{backend.name} is private to one connection and lost on close")
    return backend
