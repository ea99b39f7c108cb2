"""The transparent log: an append-only hash chain in a JSON Lines file, with signed heads.

Each line is either an entry (``"type": "entry"``, see ``entry.py``) or a
signed head (``"type": "head"``, see ``keys.py``) for the entries before it.
The file is the public export as it stands: serving it is serving the log.

``Ledger.follow(log)`` appends the event log's CAP messages and incident
changes that are not chained yet (each entry's payload keeps the event's seq,
so reopening continues where it stopped). Heads are signed on the log's own
clock (the times of the events, or ``now_s`` given by the caller): whenever
entries are waiting and a minute has passed since the last head, before the
next entry is chained, and whenever ``sign`` is called.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tocsin.errors import StoreError
from tocsin.ledger.entry import GENESIS, entry_line
from tocsin.ledger.keys import sign_head
from tocsin.store.base import EventLog
from tocsin.store.codec import payload_to_json
from tocsin.times import format_time, parse_time

log = logging.getLogger(__name__)


class LedgerBusy(StoreError):
    """Another writer holds the log file."""


CHAINED_KINDS = ("cap_issued", "incident_reported", "incident_changed")
SIGN_PERIOD_S = 60.0


class Ledger:
    """The hash chain in the file at ``path`` (created if missing), signing with ``key``.

    Without a key the ledger still chains entries; heads need a key.
    """

    def __init__(
        self,
        path: str | Path,
        key: Ed25519PrivateKey | None = None,
        *,
        sign_period_s: float = SIGN_PERIOD_S,
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.sign_period_s = sign_period_s
        self.seq = 0
        self.head_hash = GENESIS
        self.event_seq = 0  # the last event-log seq chained
        self.signed_seq = 0
        self.signed_t_s: float | None = None
        try:
            self._file = self.path.open("ab")
        except OSError as e:
            raise StoreError(f"cannot open log file {self.path}: {e}") from e
        try:  # one writer at a time: two would fork the chain
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            self._file.close()
            raise LedgerBusy(f"log file {self.path} is in use by another writer") from e
        try:
            self._scan()
        except StoreError:
            self._file.close()
            raise

    def _scan(self) -> None:
        """Recover the chain's end from the file; a torn last line is cut off.

        Read backwards from the end, and only as far as the newest entry, the newest
        entry with an event seq and the newest head: a start costs the same at a
        thousand entries as at a million. The whole chain is checked by
        ``tocsin verify``, not here.
        """
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            end = _end_of_last_line(f, size)
        if end < size:
            log.warning("cutting a torn last line", extra={"path": str(self.path)})
            with self.path.open("r+b") as f:
                f.truncate(end)
        entry = event = head = False
        with self.path.open("rb") as f:
            for offset, line in _lines_backwards(f, end):
                try:
                    doc = json.loads(line)
                    if doc["type"] == "entry":
                        if not entry:
                            self.seq, self.head_hash, entry = doc["seq"], doc["hash"], True
                        if not event and "event_seq" in doc["payload"]:
                            self.event_seq, event = doc["payload"]["event_seq"], True
                    elif doc["type"] == "head" and not head:
                        self.signed_seq, self.signed_t_s = doc["seq"], parse_time(doc["t"])
                        head = True
                except (ValueError, KeyError, TypeError, AttributeError) as e:
                    number = _line_number(f, offset)
                    raise StoreError(f"log file {self.path} line {number} is corrupt: {e}") from e
                if entry and event and head:
                    return

    @property
    def unsigned(self) -> int:
        """Entries not yet covered by a signed head."""
        return self.seq - self.signed_seq

    def append(self, kind: str, t_s: float, payload: dict) -> str:
        """Chain one entry; return its hash. Not durable before ``sync``."""
        seq = self.seq + 1
        text, h = entry_line(seq, format_time(t_s), kind, payload, self.head_hash)
        self._write(text)
        self.seq, self.head_hash = seq, h
        return h

    def sign(self, now_s: float) -> dict:
        """Sign the current head now (even if nothing is new); return the head."""
        if self.key is None:
            raise StoreError(f"log {self.path}: no signing key loaded, cannot sign the head")
        head = sign_head(self.key, self.seq, self.head_hash, format_time(now_s))
        self._write(payload_to_json(head))
        self.signed_seq, self.signed_t_s = self.seq, now_s
        return head

    def maybe_sign(self, now_s: float) -> dict | None:
        """Sign if entries are waiting and a sign period has passed since the last head."""
        if self.key is None or self.unsigned == 0:
            return None
        if self.signed_t_s is not None and now_s - self.signed_t_s < self.sign_period_s:
            return None
        return self.sign(now_s)

    def follow(self, events: EventLog, now_s: float | None = None) -> int:
        """Chain the event log's new CAP and incident events; return how many were added."""
        added = 0
        for e in events.read(CHAINED_KINDS, since_seq=self.event_seq):
            self.maybe_sign(e.t_s)
            self.append(e.kind, e.t_s, {"event_seq": e.seq, "event": e.payload})
            self.event_seq = e.seq
            added += 1
        if now_s is not None:
            self.maybe_sign(now_s)
        self.sync()
        return added

    def _write(self, text: str) -> None:
        try:
            self._file.write(text.encode("ascii") + b"\n")
        except (OSError, ValueError) as e:
            raise StoreError(f"cannot write log file {self.path}: {e}") from e

    def sync(self) -> None:
        """Make everything written so far durable."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except (OSError, ValueError) as e:
            raise StoreError(f"cannot write log file {self.path}: {e}") from e

    def close(self) -> None:
        if not self._file.closed:
            self.sync()
            self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_CHUNK = 1 << 16


def _end_of_last_line(f, size: int) -> int:
    """The offset just past the file's last newline (0 if it has none)."""
    pos = size
    while pos > 0:
        start = max(0, pos - _CHUNK)
        f.seek(start)
        i = f.read(pos - start).rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


def _lines_backwards(f, end: int):
    """(offset, line) of the whole lines before ``end``, last first, read in chunks."""
    pos, tail = end, b""
    while pos > 0:
        start = max(0, pos - _CHUNK)
        f.seek(start)
        block = f.read(pos - start) + tail
        lines = block.split(b"\n")
        tail = lines[0] if start > 0 else b""  # maybe the end of a line begun earlier
        offset = start + len(block)
        for line in reversed(lines if start == 0 else lines[1:]):
            offset -= len(line) + 1
            if line:
                yield offset + 1, line
        pos = start


def _line_number(f, offset: int) -> int:
    """The 1-based number of the line that starts at ``offset``."""
    f.seek(0)
    return f.read(offset).count(b"\n") + 1
