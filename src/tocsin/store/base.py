"""The append-only event log: one ``Event`` type and one ``EventLog`` protocol.

Every input record and every decision the engine makes is appended to the log
as an ``Event``; state after a crash is rebuilt by replaying it. The log
assigns ``seq`` itself, gap-free from 1, and never changes or removes an event.

Kinds used by the engine (any string matching ``[a-z_]{1,40}`` is accepted, so
later stages can add kinds without touching the store; anything else is
refused with ``StoreError``):

``record_taken``
    an interchange record passed ingest; the payload is the record as received.
``record_rejected``
    a record was refused; the payload holds the record (or its raw text) and
    the reason.
``track_confirmed``
    the tracker confirmed a track, with the evidence that confirmed it.
``track_deleted``
    the tracker dropped a track, and why.
``alert_decided``
    a zone changed alert state (an ``AlertChange``: onset, update or clear).
``cap_issued``
    a CAP 1.2 message was issued (identifier, references, the XML itself).
``run_started``
    the engine started or resumed (configuration, region, software version).
``run_finished``
    the engine stopped cleanly.
``manual_action``
    a duty officer drafted, approved, cancelled or corrected an alert.
``snapshot_taken``
    what a restart needs from the alert decisions and CAP messages up to a seq
    (api/snapshot.py), so that a restart reads only the events after it.

Durability contract shared by every backend: ``append`` and ``append_many``
validate and buffer; the events are visible to ``read`` and ``count`` of the
same log at once, but durable and visible to other connections only after
``flush()``. The engine calls ``flush()`` before it publishes any alert, so a
warning is always stored before it is published. ``close()`` flushes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

ENGINE_KINDS = (
    "record_taken",
    "record_rejected",
    "track_confirmed",
    "track_deleted",
    "alert_decided",
    "cap_issued",
    "run_started",
    "run_finished",
    "manual_action",
    "snapshot_taken",
)
KIND_PATTERN = r"[a-z_]{1,40}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One stored fact.

    ``seq`` is the position in the log (from 1, no gaps); ``t_s`` the scenario
    or record time the fact belongs to; ``payload`` a JSON object; ``wall_s``
    the wall-clock time (Unix seconds) at which the log took the event.
    """

    seq: int
    t_s: float
    kind: str
    payload: dict = field(hash=False)
    wall_s: float

    def __post_init__(self) -> None:
        if not isinstance(self.seq, int) or self.seq < 1:
            raise ValueError(f"seq must be an integer from 1, not {self.seq!r}")
        if not isinstance(self.payload, dict):
            raise ValueError(f"payload must be a dict, not {type(self.payload).__name__}")


@runtime_checkable
class EventLog(Protocol):
    """An append-only, gap-free sequence of events; every backend passes one contract suite."""

    def append(self, kind: str, t_s: float, payload: dict) -> int:
        """Validate and buffer one event; return its seq. Invalid input stores nothing."""
        ...

    def append_many(self, items: Iterable[tuple[str, float, dict]]) -> list[int]:
        """Append ``(kind, t_s, payload)`` items all or nothing; return their seqs in order."""
        ...

    def flush(self) -> None:
        """Durably commit everything appended so far."""
        ...

    def read(
        self,
        kinds: Collection[str] | None = None,
        since_seq: int = 0,
        limit: int | None = None,
    ) -> Iterator[Event]:
        """Events with ``seq > since_seq`` in seq order, of the given kinds (None: all).

        The range is fixed when ``read`` is called: events appended while the
        iterator is consumed are not included.
        """
        ...

    def last_of(self, kind: str, before_seq: int | None = None) -> Event | None:
        """The newest event of ``kind`` with ``seq < before_seq`` (None: any seq); None if
        there is none. StoreError if that event cannot be read."""
        ...

    def last_seq(self) -> int:
        """The seq of the last appended event (flushed or not); 0 for an empty log."""
        ...

    def count(self, kind: str | None = None) -> int:
        """How many events (of one kind, or all) the log holds, flushed or not."""
        ...

    def close(self) -> None:
        """Flush and release the log; idempotent. Every later call raises StoreError."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
