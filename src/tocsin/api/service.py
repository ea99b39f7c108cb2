"""The live service's parts, put together: engine thread, board, fan-out, authenticator."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Mapping
from pathlib import Path

from tocsin import __version__
from tocsin.alert.cap import CapSettings
from tocsin.api.auth import Authenticator
from tocsin.api.board import Board
from tocsin.api.desk import Desk
from tocsin.api.health import SensorHealth
from tocsin.api.keeper import Keeper
from tocsin.api.metrics import ServiceMetrics
from tocsin.api.restore import Resumed, resume
from tocsin.api.sessions import Sessions
from tocsin.api.snapshot import Snapshotter
from tocsin.api.subscribers import SubscriberStore
from tocsin.api.worker import EngineWorker, Outbound
from tocsin.config import ConfigError, Settings
from tocsin.engine import Engine
from tocsin.geo import Region
from tocsin.ingest import Intake
from tocsin.messages import Sensor
from tocsin.publish.base import PushGateway
from tocsin.publish.fanout import FanOut, SubscriberIndex
from tocsin.publish.siren import SirenPublisher
from tocsin.publish.webhook import WebhookGateway
from tocsin.store import SqliteEventLog

log = logging.getLogger(__name__)


class Service:
    """Everything ``tocsin serve`` runs; ``start`` and ``stop`` are called by the app's lifespan."""

    def __init__(
        self,
        settings: Settings,
        region: Region,
        sensors: Mapping[str, Sensor],
        keys: Mapping[str, bytes],
        gateway: PushGateway | None = None,
    ) -> None:
        if settings.data_dir is None:
            raise ConfigError("'data_dir' is required: where the event log and CAP files live")
        unknown = sorted(set(keys) - set(sensors))
        if unknown:
            raise ConfigError(f"keys name sensors not in the registry: {', '.join(unknown[:5])}")
        self.settings, self.region, self.sensors = settings, region, dict(sensors)
        self.data_dir = Path(settings.data_dir)
        self.cap_dir = self.data_dir / "cap"
        self.cap_dir.mkdir(parents=True, exist_ok=True)
        ing = settings.ingest
        self.auth = Authenticator(keys, ing.max_skew_s, ing.nonce_window_s)
        # One intake per sensor, knowing only that sensor: a record naming another is refused.
        self.intakes = {sid: Intake({sid: sensors[sid]}, region.frame) for sid in keys}
        self.metrics = ServiceMetrics()
        self.index = SubscriberIndex(len(region.zones))
        self.subscribers = SubscriberStore(self.data_dir / "subscriptions.jsonl", self.index,
                                           region.zones.ids)  # fmt: skip
        self.gateway = gateway or WebhookGateway(
            self.subscribers.target, self.data_dir / "dead-letters.jsonl", cap_xml=self.cap_xml
        )
        ch = settings.channels
        zone_index = {str(z): i for i, z in enumerate(region.zones.ids)}
        self.fanout = FanOut(self.index, self.gateway, lambda z: zone_index.get(z, -1),
                             ch.push_batch, ch.push_queue_max, self._fanned)  # fmt: skip
        self.worker = EngineWorker(self._build, settings.timeouts.tick_s, self._publish,
                                   self.metrics, self.cap_dir, ing.queue_max,
                                   step_gap_s=settings.timeouts.step_gap_s)  # fmt: skip
        self.keeper = Keeper(self.data_dir, region)  # transparent log and incidents
        # The console's desk (manual alerts, drills, sensor health) and its sessions.
        self.desk = Desk(self.worker, self._publish, SensorHealth(region, sensors))
        self.sessions = Sessions()
        self.worker.after_step = self._after_step
        self.worker.on_taken = self.desk.count  # each sensor's records, for its health
        self.snapshots: Snapshotter | None = None  # made once the engine has resumed
        self.board: Board | None = None
        self.started_s = time.time()
        self._seq = itertools.count()
        self._early: list[Outbound] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.broker = None  # BrokerIntake, when records also come through the broker
        self.sirens: SirenPublisher | None = None
        b = settings.broker
        if b.mqtt_host:
            self.sirens = SirenPublisher(b.mqtt_host, b.mqtt_port, f"tocsin-{region.name}")

    def cap_xml(self, identifier: str) -> bytes | None:
        """The stored CAP message with this identifier (``urn:tocsin:<region>:<seq>``)."""
        seq = identifier.rpartition(":")[2]
        path = self.cap_dir / f"{seq}.xml"
        return path.read_bytes() if seq.isdigit() and path.is_file() else None

    def next_seqs(self, n: int) -> range:
        first = next(self._seq)
        for _ in range(n - 1):
            next(self._seq)
        return range(first, first + n)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        n = await asyncio.to_thread(self.subscribers.load)
        self.metrics.subscribers.set(n)
        resumed = await asyncio.to_thread(self.worker.start)
        ch = self.settings.channels
        self.board = Board(resumed, ch.feed_entries, ch.sse_queue_max)
        for out in self._early:
            self.board.receive(out)
        self._early.clear()
        self.fanout.start()
        if self.sirens is not None:
            self.sirens.restore(resumed.active)
            self.sirens.start()
        if self.settings.broker.url:
            from tocsin.api.broker import BrokerIntake  # it needs this module

            self.broker = BrokerIntake(self)
            await self.broker.start()
        log.info("service started", extra={"alerts_in_force": len(resumed.active),
                                           "subscribers": n})  # fmt: skip

    def begin_shutdown(self) -> None:
        """End SSE streams so that the HTTP server can close its connections."""
        if self.board is not None:
            self.board.close()

    async def stop(self) -> None:
        self.begin_shutdown()
        if self.broker is not None:
            await self.broker.stop()
        await asyncio.to_thread(self.worker.stop, self.settings.timeouts.shutdown_s)
        self.keeper.close()
        self.desk.close()
        await asyncio.to_thread(self.fanout.stop, self.settings.timeouts.shutdown_s)
        stop_gateway = getattr(self.gateway, "stop", None)
        if stop_gateway is not None:
            await asyncio.to_thread(stop_gateway, self.settings.timeouts.shutdown_s)
        self.subscribers.close()
        if self.sirens is not None:
            self.sirens.stop()
        log.info("service stopped", extra={"steps": self.worker.steps})

    def _build(self) -> tuple[Engine, SqliteEventLog, Resumed]:
        """Runs in the engine thread: open the log, make the engine, resume from the log."""
        s, region = self.settings, self.region
        elog = SqliteEventLog(self.data_dir / "events.sqlite")
        cap = CapSettings(sender=s.cap.sender, region_id=region.name, languages=s.cap.languages,
                          expires_s=s.cap.expires_s, web=s.cap.web)  # fmt: skip
        engine = Engine(region, self.sensors, cap, s.engine_settings(), elog)
        intake = Intake(self.sensors, region.frame)
        resumed = resume(engine, elog, intake, time.time(), s.timeouts.warm_s, self.cap_dir,
                         keep_caps=s.channels.feed_entries)  # fmt: skip
        snap = s.snapshot
        if resumed.fold is not None and (snap.every_decisions or snap.every_s):
            self.snapshots = Snapshotter(resumed.fold, self.cap_dir, snap.every_decisions,
                                         snap.every_s, pending=resumed.tail_decisions)  # fmt: skip
        resumed.fold = None  # the snapshotter holds it, or nobody
        self.keeper.open(elog)
        self.desk.open(engine, elog, resumed.active)
        elog.append("run_started", time.time(), {
            "version": __version__, "region": region.name, "zones": len(region.zones),
            "sensors": len(self.sensors), "status": s.cap.status,
            "alerts_in_force": len(resumed.active), "warm_records": resumed.warm_records,
            "snapshot_upto_seq": resumed.snapshot_seq, "tail_decisions": resumed.tail_decisions,
        })  # fmt: skip
        elog.flush()
        return engine, elog, resumed

    def _after_step(self, elog, t_s: float) -> None:
        self.keeper.after_step(elog, t_s)
        self.desk.after_step(elog, t_s)
        if self.snapshots is not None:  # after the desk: its CAP files are written
            self.snapshots.after_step(elog, t_s)

    def _publish(self, out: Outbound) -> None:
        """Called by the engine thread once a step is stored."""
        self.fanout.submit(out.rows)
        if self.sirens is not None:
            self.sirens.publish(out.rows)
        self.metrics.queue_depth.labels("fanout").set(self.fanout.depth())
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._receive, out)

    def _receive(self, out: Outbound) -> None:
        if self.board is None:
            self._early.append(out)
        else:
            self.board.receive(out)

    def _fanned(self, n: int, seconds: float) -> None:
        self.metrics.fanout.inc(n)
        self.metrics.fanout_seconds.observe(seconds)
