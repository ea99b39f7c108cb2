"""The public picture, kept on the event loop: alerts in force, recent CAP messages, SSE clients.

The engine thread hands each stored step to ``Board.receive`` (through the
event loop); the routes read from here and never touch the engine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque

from tocsin.api.restore import CapEntry, Resumed
from tocsin.api.worker import Outbound

log = logging.getLogger(__name__)


class SseClient:
    """One SSE connection's queue of (event id, alerts.jsonl row)."""

    def __init__(self, queue_max: int) -> None:
        self.queue: asyncio.Queue = asyncio.Queue(queue_max)
        self.dropped = False


class Board:
    def __init__(self, resumed: Resumed, feed_entries: int, sse_queue_max: int) -> None:
        self.active: dict[tuple[str, str], dict] = dict(resumed.active)
        self.caps: deque[CapEntry] = deque(resumed.caps[-feed_entries:], maxlen=feed_entries)
        self.sse_queue_max = sse_queue_max
        self.clients: set[SseClient] = set()
        self.event_id = 0
        # Event ids are "<run>.<n>": a client that reconnects with Last-Event-ID of this run
        # gets what it missed from the recent events kept here; of another run, nothing
        # (it reads /v1/alerts for the picture instead).
        self.run = f"{time.time_ns() // 1_000_000:x}"
        self.recent: deque[tuple[str, dict]] = deque(maxlen=sse_queue_max)
        self.closing = False
        self.last: Outbound | None = None

    def receive(self, out: Outbound) -> None:
        """Take one stored step's rows and messages; wake every SSE client."""
        for row in out.rows:
            key = (row["zone"], row["level"])
            if row["event"] == "clear":
                self.active.pop(key, None)
            else:
                self.active[key] = row
        self.caps.extend(out.caps)
        self.last = out
        for row in out.rows:
            self.event_id += 1
            item = (f"{self.run}.{self.event_id}", row)
            self.recent.append(item)
            for c in list(self.clients):
                try:
                    c.queue.put_nowait(item)
                except asyncio.QueueFull:  # a client too slow to keep up is let go
                    c.dropped = True
                    self.clients.discard(c)
                    log.warning("dropped a slow SSE client", extra={"queued": c.queue.qsize()})

    def connect(self, last_event_id: str | None = None) -> SseClient:
        """A new SSE client; with the id of the last event it saw, what it missed first."""
        c = SseClient(self.sse_queue_max)
        run, _, n = (last_event_id or "").partition(".")
        if run == self.run and n.isdigit() and self.recent:
            first = int(self.recent[0][0].partition(".")[2])
            for item in list(self.recent)[max(0, int(n) + 1 - first) :]:
                c.queue.put_nowait(item)
        self.clients.add(c)
        return c

    def disconnect(self, c: SseClient) -> None:
        self.clients.discard(c)

    def close(self) -> None:
        """Tell every SSE client the stream ends (graceful shutdown)."""
        self.closing = True
        for c in list(self.clients):
            try:
                c.queue.put_nowait(None)
            except asyncio.QueueFull:
                c.dropped = True

    def alerts(self) -> list[dict]:
        """Alerts in force, by zone then level."""
        return [self.active[k] for k in sorted(self.active)]


def sse_event(event_id: str, row: dict) -> bytes:
    """One Server-Sent Event carrying an alerts.jsonl row.

    >>> sse_event("r.3", {"zone": "z"})
    b'id: r.3\\nevent: alert\\ndata: {"zone": "z"}\\n\\n'
    """
    data = json.dumps(row, separators=(", ", ": "))
    return f"id: {event_id}\nevent: alert\ndata: {data}\n\n".encode()
