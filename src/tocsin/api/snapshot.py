"""Snapshots of the restart state, so that a restart reads a bounded tail of the log.

A snapshot is one ``snapshot_taken`` event: the ``DecisionFold`` of every
alert decision and CAP message up to ``upto_seq`` (api/decisions.py), with a
SHA-256 digest of it. Nothing is rewritten: the log stays append-only, and a
restart (api/restore.py) continues the newest valid snapshot with the events
after ``upto_seq``, which ends exactly where reading the whole log ends. A
snapshot is one event committed in one transaction, so a crash while it is
written leaves it whole or absent; one that does not check out (another
format, a digest that does not match, fewer feed entries than asked for) is
passed over for the one before it, and after ``TRIES`` of them, or if none is
left, the whole log is read.

In the live service a ``Snapshotter`` follows the log after each step and
stores a snapshot every ``every_decisions`` decisions or every ``every_s``
seconds with something new, whichever comes first. The CAP files of the
messages a snapshot covers are made durable (fsync, in a thread of their own
so the engine never waits) before it is stored: a restart writes again only
the files of the messages after the snapshot.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tocsin.api.decisions import DecisionFold
from tocsin.errors import StoreError
from tocsin.store.base import EventLog

log = logging.getLogger(__name__)

SNAPSHOT_KIND = "snapshot_taken"
FORMAT = 1
TRIES = 3  # invalid snapshots passed over before the whole log is read


def snapshot_payload(fold: DecisionFold) -> dict:
    """The ``snapshot_taken`` payload of ``fold`` (which is pruned)."""
    state = fold.to_dict()
    return {"format": FORMAT, "upto_seq": fold.seq, "digest": _digest(state), "state": state}


def store_snapshot(elog: EventLog, t_s: float, payload: dict) -> int:
    """Append and flush one snapshot; return its seq."""
    seq = elog.append(SNAPSHOT_KIND, t_s, payload)
    elog.flush()
    return seq


def newest_fold(elog: EventLog, keep_caps: int) -> DecisionFold | None:
    """The fold of the newest valid snapshot with at least ``keep_caps`` feed entries;
    None when there is none (then the whole log is to be read)."""
    before = None
    for _ in range(TRIES):
        try:
            ev = elog.last_of(SNAPSHOT_KIND, before)
        except StoreError as e:
            log.warning("a snapshot cannot be read: reading the whole log", extra={"error": str(e)})
            return None
        if ev is None:
            return None
        problem = _check(ev.payload, ev.seq, keep_caps)
        if problem is None:
            try:
                fold = DecisionFold.from_dict(ev.payload["state"])
                fold.keep_caps = keep_caps  # the newest keep_caps of its newest are the same
                return fold
            except (KeyError, TypeError, ValueError) as e:
                problem = f"its state does not read: {e!r}"
        log.warning("passed over a snapshot", extra={"seq": ev.seq, "problem": problem})
        before = ev.seq
    return None


def _check(p: dict, seq: int, keep_caps: int) -> str | None:
    """Why a snapshot payload cannot be used; None if it can."""
    if p.get("format") != FORMAT:
        return f"format {p.get('format')!r}, not {FORMAT}"
    state = p.get("state")
    if not isinstance(state, dict) or p.get("digest") != _digest(state):
        return "its digest does not match"
    upto = state.get("seq")
    if not isinstance(upto, int) or upto != p.get("upto_seq") or not 0 <= upto < seq:
        return f"it covers up to seq {upto!r}, not before itself ({seq})"
    if not isinstance(state.get("keep_caps"), int) or state["keep_caps"] < keep_caps:
        return f"it keeps {state.get('keep_caps')!r} feed entries, {keep_caps} are asked for"
    return None


def _digest(state: dict) -> str:
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Snapshotter:
    """In the engine thread: follow the log's decisions; store a snapshot when one is due.

    ``fold`` is the one the restart ended with; ``pending`` the decisions it read after
    its snapshot (a long tail makes the first snapshot due at once).
    """

    def __init__(
        self,
        fold: DecisionFold,
        cap_dir: Path,
        every_decisions: int,
        every_s: float,
        pending: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fold, self.cap_dir = fold, cap_dir
        self.every_decisions, self.every_s = every_decisions, every_s
        self.clock = clock
        self.decisions = pending  # decisions taken since the last snapshot was made
        self.last_s = clock()
        self.stored = 0  # snapshots stored by this process
        self._syncing: _FileSync | None = None

    def after_step(self, elog: EventLog, t_s: float) -> None:
        self.decisions += self.fold.follow(elog)
        if self._syncing is not None:
            if self._syncing.is_alive():
                return
            sync, self._syncing = self._syncing, None
            if sync.error is None:
                self._store(elog, t_s, sync.payload)
            else:  # its files will be made durable with the next one
                self.fold.unsynced[:0] = sync.seqs
                log.warning("CAP files could not be made durable: no snapshot this time",
                            extra={"error": str(sync.error)})  # fmt: skip
        if not self._due():
            return
        self.decisions, self.last_s = 0, self.clock()
        payload = snapshot_payload(self.fold)
        seqs, self.fold.unsynced = self.fold.unsynced, []
        if not seqs:
            self._store(elog, t_s, payload)
            return
        self._syncing = _FileSync(self.cap_dir, seqs, payload)
        self._syncing.start()

    def _due(self) -> bool:
        if not self.decisions:
            return False  # nothing new since the last one
        if self.every_decisions and self.decisions >= self.every_decisions:
            return True
        return bool(self.every_s) and self.clock() - self.last_s >= self.every_s

    def _store(self, elog: EventLog, t_s: float, payload: dict) -> None:
        seq = store_snapshot(elog, t_s, payload)
        self.stored += 1
        log.info(
            "stored a snapshot",
            extra={
                "seq": seq,
                "upto_seq": payload["upto_seq"],
                "alerts_in_force": len(payload["state"]["decided"]),
            },
        )


class _FileSync(threading.Thread):
    """fsync the CAP files ``seqs`` and their directory, then hold ``payload`` for storing."""

    def __init__(self, cap_dir: Path, seqs: list[int], payload: dict) -> None:
        super().__init__(name="tocsin-snapshot", daemon=True)
        self.cap_dir, self.seqs, self.payload = cap_dir, seqs, payload
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            for seq in self.seqs:
                _fsync(self.cap_dir / f"{seq}.xml")
            _fsync(self.cap_dir)
        except OSError as e:
            self.error = e


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
