"""Records through the broker: a durable JetStream consumer feeding the engine.

Sensors publish signed envelopes (``ingest.envelope``) over MQTT or NATS; the
JetStream stream keeps them, so records sent while Tocsin is down are taken
when it is back. A message is acknowledged once its records are queued for the
engine (or refused); the time it reached the broker is its records' ``rx``
and the reference for the 30-second window of its signature.
"""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from tocsin.api import accept
from tocsin.api.service import Service
from tocsin.ingest.envelope import EnvelopeError, envelope_to_request

log = logging.getLogger(__name__)


class BrokerIntake:
    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.cfg = svc.settings.broker
        self.taken = 0
        self._task: asyncio.Task | None = None
        self._nc = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        cfg = self.cfg
        self._nc = await nats.connect(cfg.url, name="tocsin-serve", max_reconnect_attempts=-1)
        js = self._nc.jetstream()
        stream = StreamConfig(name=cfg.stream, subjects=[cfg.subjects], storage=StorageType.FILE)
        try:
            await js.stream_info(cfg.stream)
        except NotFoundError:
            await js.add_stream(stream)
        consumer = ConsumerConfig(durable_name=cfg.durable, ack_policy=AckPolicy.EXPLICIT,
                                  max_ack_pending=20 * cfg.batch)  # fmt: skip
        self._sub = await js.pull_subscribe(cfg.subjects, durable=cfg.durable, config=consumer)
        self._task = asyncio.create_task(self._run(), name="tocsin-broker-intake")
        log.info("taking records from the broker", extra={"stream": cfg.stream})

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        if self._nc is not None:
            try:
                await self._nc.flush(timeout=2)  # the last acknowledgements
            except Exception:
                log.warning("could not flush the last acknowledgements to the broker")
            await self._nc.close()

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msgs = await self._sub.fetch(self.cfg.batch, timeout=0.5)
            except (NatsTimeout, TimeoutError):  # nothing to take just now
                continue
            except Exception:  # the connection reconnects on its own
                log.exception("fetching from the broker failed")
                await asyncio.sleep(0.5)
                continue
            for m in msgs:
                if await asyncio.to_thread(self._take, m.data, m.metadata.timestamp.timestamp()):
                    await m.ack()
                else:
                    await m.nak(delay=1.0)  # the engine's queue is full: try again soon

    def _take(self, data: bytes, at_s: float) -> bool:
        """Queue one message's records; False to have the broker deliver it again."""
        svc = self.svc
        try:
            headers, body = envelope_to_request(data)
        except EnvelopeError as e:
            accept.refuse(svc, 400, "bad_envelope", str(e))
            return True
        try:
            sensor = accept.authenticate(svc, headers, body, now_s=at_s)
            accept.take(svc, sensor, body, rx_s=at_s)
        except accept.Refused as e:
            return not e.retry
        self.taken += 1
        return True
