"""The append-only event log: every record and decision, stored before it is published.

``open_event_log(url)`` picks the backend:

- ``":memory:"``, ``"sqlite://"`` or ``"sqlite:///:memory:"``: a private in-memory
  SQLite log (tests);
- ``"sqlite:///events.db"`` (relative) or ``"sqlite:////var/lib/tocsin/events.db"``
  (absolute; the SQLAlchemy convention: three slashes, then the path);
- any other string without ``://``: a plain path to a SQLite file;
- ``"postgresql://…"``: not available yet (a later issue adds it behind the same
  contract).
"""

from __future__ import annotations

from pathlib import Path

from tocsin.errors import StoreError
from tocsin.store.base import ENGINE_KINDS, KIND_PATTERN, Event, EventLog
from tocsin.store.sqlite import MEMORY, SqliteEventLog

__all__ = [
    "ENGINE_KINDS",
    "KIND_PATTERN",
    "Event",
    "EventLog",
    "SqliteEventLog",
    "open_event_log",
]

_POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_event_log(url: str | Path) -> EventLog:
    """Open (creating if needed) the event log named by ``url``; see the module docstring."""
    text = str(url)
    if not text:
        raise StoreError("cannot open event log: empty URL")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return SqliteEventLog(text)
    scheme = scheme.lower()
    # Never echo the rest of a URL in errors: it may hold a password.
    if scheme in _POSTGRES_SCHEMES or scheme.startswith("postgresql+"):
        raise StoreError(
            "cannot open event log: the PostgreSQL backend is not available yet; use sqlite:///path"
        )
    if scheme != "sqlite":
        raise StoreError(
            f"cannot open event log: unknown URL scheme {scheme!r} "
            "(use sqlite:///path, a plain path or :memory:)"
        )
    if rest in ("", "/" + MEMORY):
        return SqliteEventLog(MEMORY)
    if not rest.startswith("/") or len(rest) == 1:
        raise StoreError("cannot open event log: a SQLite URL is sqlite:///path")
    if "?" in rest or "#" in rest:
        raise StoreError("cannot open event log: SQLite URL options are not supported")
    return SqliteEventLog(rest[1:])
