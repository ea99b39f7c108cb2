"""Subscribers by zone, and the fan-out of alert changes to a push gateway.

The index keeps one zone index per subscription in a numpy array and, when
asked, a stable sort of it with per-zone offsets, so the subscribers of a zone
are one slice: an onset over 100 zones among a million subscribers costs 100
``searchsorted`` lookups and a concatenation, not a scan.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from tocsin.publish.base import PushBatch, PushGateway

log = logging.getLogger(__name__)


class SubscriberIndex:
    """Subscription number -> zone index, with zone -> subscribers lookups.

    Subscription numbers are 0..N-1 in the order of adding; a removed one keeps
    its number and is never returned again. Safe to use from several threads.
    """

    def __init__(self, n_zones: int) -> None:
        self.n_zones = n_zones
        self._zone = np.zeros(0, np.int32)
        self._parts: list[np.ndarray] = []
        self._order = np.zeros(0, np.int64)
        self._starts = np.zeros(n_zones + 1, np.int64)
        self._dirty = False
        self._lock = threading.Lock()

    def add_many(self, zones: np.ndarray) -> np.ndarray:
        """Register subscribers at zone indexes ``zones (N,)``; returns their numbers (N,)."""
        z = np.asarray(zones, np.int32)
        if z.size and (z.min() < 0 or z.max() >= self.n_zones):
            raise ValueError(f"zone indexes must be in 0..{self.n_zones - 1}")
        with self._lock:
            first = len(self)
            self._parts.append(z)
            self._dirty = True
        return np.arange(first, first + z.size, dtype=np.int64)

    def remove(self, number: int) -> bool:
        """Forget one subscriber; False if there was none with that number."""
        with self._lock:
            self._compact()
            if not 0 <= number < len(self._zone) or self._zone[number] < 0:
                return False
            self._zone[number] = -1
            self._dirty = True
            return True

    def __len__(self) -> int:
        return len(self._zone) + sum(len(p) for p in self._parts)

    def subscribers(self, zones: Sequence[int] | np.ndarray) -> np.ndarray:
        """Numbers of every subscriber in any of ``zones``, zone by zone (int64)."""
        with self._lock:
            self._rebuild()
            z = np.asarray(zones, np.int64)
            z = z[(z >= 0) & (z < self.n_zones)]
            a, b = self._starts[z], self._starts[z + 1]
            if not len(z):
                return np.zeros(0, np.int64)
            return np.concatenate([self._order[i:j] for i, j in zip(a, b, strict=True)])

    def _compact(self) -> None:
        if self._parts:
            self._zone = np.concatenate([self._zone, *self._parts])
            self._parts = []

    def _rebuild(self) -> None:
        if not self._dirty:
            return
        self._compact()
        live = np.flatnonzero(self._zone >= 0)
        zl = self._zone[live]
        order = np.argsort(zl, kind="stable")
        self._order = live[order]
        self._starts = np.searchsorted(zl[order], np.arange(self.n_zones + 1)).astype(np.int64)
        self._dirty = False


class FanOut:
    """Hands every subscriber an alert row concerns to a push gateway, in its own thread.

    ``zone_of(zone_id)`` gives a zone's index. ``submit(rows)`` never blocks:
    when ``queue_max`` lists of rows are already waiting, it drops the new ones
    and counts them in ``dropped`` (the stored log and the feeds still have them).
    """

    def __init__(
        self,
        index: SubscriberIndex,
        gateway: PushGateway,
        zone_of: Callable[[str], int],
        batch: int = 10_000,
        queue_max: int = 1_000,
        on_done: Callable[[int, float], None] | None = None,
    ) -> None:
        self.index, self.gateway, self.zone_of, self.batch = index, gateway, zone_of, batch
        self.on_done = on_done  # (subscribers handed over, seconds taken)
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(queue_max)
        self._thread = threading.Thread(target=self._run, name="tocsin-fanout", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, rows: list[dict]) -> None:
        try:
            self._queue.put_nowait(rows)
        except queue.Full:
            self.dropped += len(rows)
            log.error("fan-out queue full: alert rows dropped", extra={"rows": len(rows)})

    def depth(self) -> int:
        return self._queue.qsize()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued, then end the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout_s)

    def fan_out(self, rows: list[dict]) -> int:
        """Hand every affected subscriber of each row to the gateway; returns how many."""
        t0 = time.perf_counter()
        n = 0
        for row in rows:
            subs = self.index.subscribers([self.zone_of(row["zone"])])
            for i in range(0, len(subs), self.batch):
                self.gateway.deliver(PushBatch(row=row, subscribers=subs[i : i + self.batch]))
            n += len(subs)
        if self.on_done is not None:
            self.on_done(n, time.perf_counter() - t0)
        return n

    def _run(self) -> None:
        while (rows := self._queue.get()) is not None:
            try:
                self.fan_out(rows)
            except Exception:  # a gateway failure must not stop the fan-out
                log.exception("fan-out failed", extra={"rows": len(rows)})
