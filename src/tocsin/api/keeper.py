"""The record keeper: the incident registry in the engine thread, the transparent log beside it.

The event log belongs to the engine thread, so everything that writes it runs
there. After each stored step the worker calls ``Keeper.after_step``: it runs
the incident changes that requests queued (``submit``), each stored through
the registry, and then wakes the ``tocsin-ledger`` thread, which chains every
new CAP message and incident change into ``DATA/log.jsonl`` with
``Ledger.follow`` (reading the event log through a connection of its own),
signing the head on the service's clock. Chaining only reads the event log,
so it need not hold up the next step: at the start of a mass raid one step
may issue thousands of CAP messages, a few tenths of a second to chain.
Requests read the log file only up to ``log_bytes``, the end of the last
durable write, which always falls on a line end.

The region's signing key is ``DATA/region.key``; on the first start it is
made, with ``region.pub`` beside it. Only one process may write the log: a
second one is refused at start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from tocsin.api.jobs import JobQueue
from tocsin.errors import StoreError
from tocsin.geo import Region
from tocsin.incident import IncidentRegistry
from tocsin.ledger import Ledger, LedgerBusy, generate_key, key_id, load_private_key
from tocsin.ledger.keys import public_pem
from tocsin.store import SqliteEventLog
from tocsin.store.base import EventLog

log = logging.getLogger(__name__)

Job = Callable[[IncidentRegistry], object]


class Stopped(Exception):
    """The engine thread no longer takes changes (shutdown or failure)."""


class Keeper:
    """The ledger and incident registry of the service whose data directory is ``data_dir``."""

    def __init__(self, data_dir: Path, region: Region) -> None:
        self.log_path = Path(data_dir) / "log.jsonl"
        self.key_path = Path(data_dir) / "region.key"
        self.region = region
        self.ledger: Ledger | None = None
        self.registry: IncidentRegistry | None = None
        self.public_pem = b""
        self.key_id = ""
        self.log_bytes = 0  # the log file is durable and whole up to here
        self.failures = 0  # steps whose chaining failed
        self._events_path: str | None = None
        self._due_s: float | None = None  # the service's clock at the last step, to sign on
        self._wake = threading.Event()
        self._stopping = False
        self._chainer: threading.Thread | None = None
        self._queue = JobQueue(
            Stopped,
            "the service is stopping: no changes are taken",
            "the service stopped before the change was stored",
        )

    def open(self, elog: EventLog) -> None:
        """In the engine thread, once: load (or make) the key, lock the log, read incidents."""
        if self.key_path.exists():
            key = load_private_key(self.key_path)
        else:
            key = generate_key(self.key_path)
            log.warning(
                "made the region's signing key: publish its public half",
                extra={"key": str(self.key_path), "public": str(self.key_path.with_suffix(".pub")),
                       "key_id": key_id(key.public_key())},
            )  # fmt: skip
        self.public_pem = public_pem(key.public_key())
        self.key_id = key_id(key.public_key())
        try:
            self.ledger = Ledger(self.log_path, key)
        except LedgerBusy as e:
            raise StoreError(f"{e}: stop the other writer before starting the service") from e
        self.registry = IncidentRegistry(elog, self.region)
        self._follow(elog, None)
        extra = {"path": str(self.log_path), "entries": self.ledger.seq, "key_id": self.key_id}
        log.info("transparent log open", extra=extra)
        self._events_path = getattr(elog, "path", None)
        if self._events_path is not None:  # else chained in the engine thread, as it goes
            self._chainer = threading.Thread(target=self._chain, name="tocsin-ledger", daemon=True)
            self._chainer.start()

    def submit(self, job: Job) -> Future:
        """Queue ``job(registry)`` for the engine thread's next step; its result or error
        comes back through the future."""
        return self._queue.submit(job)

    def after_step(self, elog: EventLog, t_s: float) -> None:
        """In the engine thread, after a stored step: run queued jobs, then chain."""
        for job, fut in self._queue.take():
            try:
                fut.set_result(job(self.registry))
            except StoreError as e:  # the event log failed: loud and fatal, as for alerts
                fut.set_exception(e)
                raise
            except Exception as e:  # refused by the registry (ValueError): nothing stored
                fut.set_exception(e)
        if self._chainer is None:
            self._follow(elog, t_s)
            return
        self._due_s = t_s
        self._wake.set()

    def _chain(self) -> None:
        """The ledger thread: chain what each step stored, until ``close`` (then once more)."""
        reader = None
        try:
            reader = SqliteEventLog(self._events_path)
            while True:
                self._wake.wait()
                self._wake.clear()
                stopping = self._stopping  # read before chaining: nothing stored is left out
                self._follow(reader, self._due_s)
                if stopping:
                    return
        except Exception:  # alerts go on without the transparent log; it is logged loudly
            log.exception("the transparent log's thread failed; entries wait for a restart")
        finally:
            if reader is not None:
                try:
                    reader.close()
                except StoreError:
                    pass

    def _follow(self, elog: EventLog, t_s: float | None) -> None:
        """Chain what is new. A failure is logged and retried at the next step: alerts go
        on while the log catches up later (its entries derive from the event log alone)."""
        try:
            if self.ledger is None:  # reopened after a failure: a torn last line is cut
                self.ledger = Ledger(self.log_path, load_private_key(self.key_path))
            self.ledger.follow(elog, t_s)
            self.log_bytes = self.log_path.stat().st_size
        except (StoreError, OSError) as e:
            self.failures += 1
            if self.failures == 1 or self.failures % 60 == 0:
                log.error("chaining the transparent log failed; retrying each step",
                          extra={"error": str(e), "failures": self.failures})  # fmt: skip
            if self.ledger is not None:
                try:
                    self.ledger.close()
                except StoreError:
                    pass
                self.ledger = None
        else:
            self.failures = 0

    def close(self) -> None:
        """After the engine thread ends: refuse queued jobs, chain the rest, close the log."""
        self._queue.close()
        if self._chainer is not None:
            self._stopping = True
            self._wake.set()
            self._chainer.join(60.0)
            self._chainer = None
        if self.ledger is not None:
            try:
                self.ledger.close()
            except StoreError:
                log.exception("closing the transparent log failed")
            self.ledger = None
