"""Webhooks: the push gateway for subscribers whose target is a URL.

Each alert row is POSTed to every webhook target it concerns, from a few
worker threads: as JSON, or, for a target with ``"format": "cap"``, the CAP 1.2
message that announced the change. A failed delivery (no answer, or a 429/5xx) is retried with
exponential backoff; after the last attempt it goes to the dead-letter file,
one JSON line each, for an operator to replay. Targets of other kinds (app
push, SMS) are left to the gateways of their providers.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tocsin.publish.base import PushBatch

log = logging.getLogger(__name__)


class WebhookGateway:
    """A ``PushGateway`` for ``{"kind": "webhook", "address": URL, "format": "json"|"cap"}``.

    ``cap_xml(identifier)`` gives a CAP message's XML (None if unknown).
    """

    def __init__(
        self,
        target_of: Callable[[int], dict | None],
        dead_letter: Path,
        attempts: int = 5,
        backoff_s: float = 1.0,
        timeout_s: float = 5.0,
        workers: int = 4,
        cap_xml: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.target_of, self.dead_letter = target_of, Path(dead_letter)
        self.cap_xml = cap_xml
        self.attempts, self.backoff_s, self.timeout_s = attempts, backoff_s, timeout_s
        self.delivered = 0
        self.dead = 0
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, name=f"tocsin-webhook-{k}", daemon=True)
            for k in range(workers)
        ]
        for t in self._threads:
            t.start()

    def deliver(self, batch: PushBatch) -> None:
        for n in batch.subscribers.tolist():
            target = self.target_of(n)
            if target is not None and target.get("kind") == "webhook":
                self._queue.put((target["address"], batch.row, target.get("format", "json")))

    def depth(self) -> int:
        return self._queue.qsize()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish what is queued (retries included, within timeout_s), then end the workers."""
        for _ in self._threads:
            self._queue.put(None)
        end = time.monotonic() + timeout_s
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while (item := self._queue.get()) is not None:
                self._send(client, *item)

    def _send(self, client: httpx.Client, url: str, row: dict, fmt: str) -> None:
        xml = self.cap_xml(row["cap"]) if fmt == "cap" and self.cap_xml and row.get("cap") else None
        if xml is not None:
            kw = {"content": xml, "headers": {"Content-Type": "application/cap+xml"}}
        else:
            kw = {"json": row}
        error = ""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                r = client.post(url, **kw)
            except httpx.HTTPError as e:
                error = f"{type(e).__name__}: {e}"
                continue
            if r.status_code < 300:
                with self._lock:
                    self.delivered += 1
                return
            error = f"HTTP {r.status_code}"
            if r.status_code != 429 and r.status_code < 500:
                break  # the receiver refuses it: trying again changes nothing
        self._bury(url, row, error)

    def _bury(self, url: str, row: dict, error: str) -> None:
        doc = {"t": time.time(), "url": url, "row": row, "error": error}
        with self._lock:
            self.dead += 1
            with self.dead_letter.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(doc) + "\n")
        log.error("webhook delivery failed; kept in the dead-letter file",
                  extra={"url": url, "error": error, "path": str(self.dead_letter)})  # fmt: skip
