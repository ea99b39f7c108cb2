"""The engine thread: steps the deterministic core on the wall clock and hands on its decisions.

Everything that touches the engine or the event log runs in this one thread
(SQLite connections belong to the thread that opened them). Requests queue
their checked records here and wake the thread: it steps as soon as records
wait, though no sooner than ``step_gap_s`` after its last step, and at every
tick of the wall clock (each whole second by default) when none come, so that
time passing still ends silent tracks and clears zones. Each step logs the
records, calls ``Engine.step(now, records that arrived before now)``, makes the
log durable, writes the CAP files and only then hands the step's alert rows to
the channels: a decision is stored before anyone hears of it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.api.metrics import ServiceMetrics
from tocsin.api.restore import CapEntry, Resumed
from tocsin.engine import Engine, StepResult, TrackRows
from tocsin.ingest import Rejection
from tocsin.messages import Detection
from tocsin.publish.rows import change_to_row
from tocsin.store.base import EventLog

log = logging.getLogger(__name__)


class QueueFull(Exception):
    """More records wait for the engine than the ingest queue holds."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """The records of one accepted request: good ones with their raw lines, and rejects."""

    sensor: str
    rx_s: float
    detections: list[Detection]
    lines: list[str]  # raw text of each detection's record, aligned with detections
    rejections: list[Rejection]


@dataclass(frozen=True, slots=True)
class Outbound:
    """What one step decided, once it is stored."""

    t_s: float
    rows: list[dict]
    caps: list[CapEntry]
    newest_rx_s: float | None
    wall_s: float = field(default_factory=time.time)


Build = Callable[[], tuple[Engine, EventLog, Resumed]]


class EngineWorker:
    def __init__(self, build: Build, tick_s: float, publish: Callable[[Outbound], None],
                 metrics: ServiceMetrics, cap_dir: Path, queue_max: int,
                 on_fatal: Callable[[], None] | None = None,
                 step_gap_s: float = 0.1) -> None:  # fmt: skip
        self._build, self.tick_s, self._publish = build, tick_s, publish
        self.step_gap_s = step_gap_s  # the least time between two steps while records come
        self.metrics, self.cap_dir, self.queue_max = metrics, cap_dir, queue_max
        self.on_fatal = on_fatal  # called once if the thread dies: alerts are no longer decided
        # Called in this thread after each stored step, once its alerts are handed on.
        self.after_step: Callable[[EventLog, float], None] | None = None
        # Called in this thread with each step's requests, once their records are logged.
        self.on_taken: Callable[[list[Inbound]], None] | None = None
        self.resumed: Resumed | None = None
        self.error: BaseException | None = None
        self.steps = 0
        self.tracks: TrackRows | None = None  # the last step's tracks, for the public map
        self._inbox: list[Inbound] = []
        self._waiting = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()  # set when records come or the thread must stop
        self._thread = threading.Thread(target=self._run, name="tocsin-engine", daemon=True)

    def start(self, timeout_s: float = 600.0) -> Resumed:
        """Start the thread and wait until the engine has resumed from its log."""
        self._thread.start()
        self._ready.wait(timeout_s)
        if self.error is not None:
            raise self.error
        if self.resumed is None:
            raise TimeoutError("the engine did not resume in time")
        return self.resumed

    def submit(self, item: Inbound) -> None:
        n = len(item.detections) + len(item.rejections)
        with self._lock:
            if self._waiting + n > self.queue_max:
                raise QueueFull(f"{self._waiting} records already wait for the engine")
            self._inbox.append(item)
            self._waiting += n
        self._wake.set()
        self.metrics.queue_depth.labels("ingest").set(self._waiting)

    @property
    def queued(self) -> int:
        """Records waiting for the next step."""
        return self._waiting

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and self.error is None

    def stop(self, timeout_s: float) -> None:
        """Step once more with everything queued, store it, close the log, end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("engine thread did not stop in time", extra={"timeout_s": timeout_s})

    def _run(self) -> None:
        try:
            engine, elog, self.resumed = self._build()
        except BaseException as e:  # reported to start()
            self.error = e
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop(engine, elog)
        except BaseException as e:
            self.error = e
            log.critical("engine thread failed: no more alerts are decided", exc_info=e)
            if self.on_fatal is not None:
                self.on_fatal()
        finally:
            try:
                elog.close()
            except Exception:
                log.exception("closing the event log failed")

    def _loop(self, engine: Engine, elog: EventLog) -> None:
        tick = self.tick_s
        next_tick = (math.floor(time.time() / tick) + 1) * tick
        last_t = -math.inf
        pending: list[Detection] = []  # records taken but not yet stepped (rx not before now)
        while True:
            stopping = self._wait(next_tick, last_t + self.step_gap_s, pending)
            t_s = max(time.time(), last_t)  # never back in time, whatever the wall clock does
            self._step(engine, elog, t_s, pending)
            last_t = t_s
            if stopping:
                elog.append("run_finished", time.time(), {"steps": self.steps})
                return
            late_s = time.time() - t_s
            if late_s > tick:
                log.warning("engine step took longer than a tick", extra={"late_s": late_s})
            if t_s >= next_tick:
                next_tick = (math.floor(t_s / tick) + 1) * tick

    def _wait(self, next_tick: float, soonest: float, pending: list[Detection]) -> bool:
        """Wait for the next step: the next tick, or ``soonest`` once records wait.
        True when the thread must stop (after one last step with everything queued)."""
        while not self._stop.is_set():
            self._wake.clear()  # before looking, so a record that comes meanwhile wakes us
            due = min(next_tick, soonest) if (self._inbox or pending) else next_tick
            now = time.time()
            if now >= due:
                return False
            self._wake.wait(due - now)
        return True

    def _step(self, engine: Engine, elog: EventLog, t_s: float, pending: list[Detection]) -> None:
        with self._lock:
            inbox, self._inbox, self._waiting = self._inbox, [], 0
        self.metrics.queue_depth.labels("ingest").set(0)
        items = []
        for it in inbox:
            for d, line in zip(it.detections, it.lines, strict=True):
                items.append(("record_taken", d.rx_s, {"seq": d.seq, "sensor": d.sensor,
                                                       "line": line}))  # fmt: skip
            for r in it.rejections:
                items.append(("record_rejected", it.rx_s, {"seq": r.seq, "sensor": it.sensor,
                              "reason": r.reason, "message": r.message}))  # fmt: skip
            pending.extend(it.detections)
        if items:
            elog.append_many(items)
        if inbox and self.on_taken is not None:
            self.on_taken(inbox)
        batch = [d for d in pending if d.rx_s < t_s]
        pending[:] = [d for d in pending if d.rx_s >= t_s]
        t0 = time.perf_counter()
        result = engine.step(t_s, batch)
        elog.flush()  # records and decisions are durable before anything is published
        self.metrics.step_seconds.observe(time.perf_counter() - t0)
        self.steps += 1
        self.tracks = result.tracks
        self._report(engine, result)
        if result.changes:
            out = self._outbound(result, max((d.rx_s for d in batch), default=None))
            self._publish(out)
            if out.newest_rx_s is not None:
                self.metrics.publish_latency.observe(time.time() - out.newest_rx_s)
        if batch:
            self.metrics.record_latency.observe(time.time() - min(d.rx_s for d in batch))
        if self.after_step is not None:  # the transparent log and incident changes
            self.after_step(elog, t_s)

    def _outbound(self, r: StepResult, newest_rx_s: float | None) -> Outbound:
        rows = [change_to_row(c, r.cap_of.get(i)) for i, c in enumerate(r.changes)]
        caps = []
        for m in r.caps:
            path = self.cap_dir / f"{m.seq}.xml"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(m.xml)
            tmp.replace(path)
            sender = m.xml.split(b"<sender>", 1)[1].split(b"<", 1)[0].decode()
            caps.append(CapEntry(seq=m.seq, identifier=m.identifier, sent=m.sent, sender=sender,
                                 msg_type=m.msg_type, status=m.status, level=m.level,
                                 event=m.event, zones=len(m.zone_ids)))  # fmt: skip
        return Outbound(t_s=r.t_s, rows=rows, caps=caps, newest_rx_s=newest_rx_s)

    def _report(self, engine: Engine, r: StepResult) -> None:
        m = self.metrics
        status = r.tracks.status
        for s in ("tentative", "confirmed"):
            m.tracks.labels(s).set(sum(1 for x in status if x == s))
        for level in ("advisory", "warning"):
            m.alerts.labels(level).set(len(engine.alerts.active_zones(level)))
        for c in r.changes:
            m.alert_changes.labels(c.level, c.event).inc()
        m.cap_messages.inc(len(r.caps))
