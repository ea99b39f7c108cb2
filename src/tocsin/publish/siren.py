"""Siren topics: one retained MQTT message per zone, ``tocsin/alerts/<zone>``.

A siren controller subscribes to its zone's topic and, connecting at any
time, gets the zone's current state at once (the broker keeps the last
message). The payload is ``{"zone", "t", "warning", "advisory", "row"}``: the
levels in force after the change, and the alerts.jsonl row of the change.
"""

from __future__ import annotations

import json
import logging
import queue
import threading

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)
TOPIC = "tocsin/alerts/{zone}"


class SirenPublisher:
    """Publishes retained zone states over MQTT (QoS 1) from its own thread.

    ``publish`` only queues (the engine never waits for the network); paho keeps
    unacknowledged messages and sends them again after a reconnection.
    """

    def __init__(self, host: str, port: int, client_id: str = "tocsin-sirens") -> None:
        self.host, self.port = host, port
        self._levels: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="tocsin-sirens", daemon=True)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  clean_session=False)  # fmt: skip
        self.client.reconnect_delay_set(1, 30)

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        self._thread.start()

    def publish(self, rows: list[dict]) -> None:
        """Queue the new state of every zone the rows change; never blocks."""
        self._queue.put(rows)

    def depth(self) -> int:
        """Batches of rows waiting to be sent."""
        return self._queue.qsize()

    def _run(self) -> None:
        while (rows := self._queue.get()) is not None:
            try:
                self._send(rows)
            except Exception:  # a failure here must not end the siren channel
                log.exception("siren publish failed", extra={"rows": len(rows)})

    def _send(self, rows: list[dict]) -> None:
        with self._lock:
            for row in rows:
                levels = self._levels.setdefault(row["zone"], set())
                if row["event"] == "clear":
                    levels.discard(row["level"])
                else:
                    levels.add(row["level"])
                doc = {"zone": row["zone"], "t": row["t"], "warning": "warning" in levels,
                       "advisory": "advisory" in levels, "row": row}  # fmt: skip
                info = self.client.publish(TOPIC.format(zone=row["zone"]), json.dumps(doc),
                                           qos=1, retain=True)  # fmt: skip
                if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                    log.error("siren publish failed", extra={"zone": row["zone"], "rc": info.rc})

    def restore(self, active: dict[tuple[str, str], dict]) -> None:
        """Start from the alerts in force (after a restart)."""
        with self._lock:
            for zone, level in active:
                self._levels.setdefault(zone, set()).add(level)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Send what is queued, then disconnect."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout_s)
        self.client.disconnect()  # first: loop_stop waits for the network loop to end
        self.client.loop_stop()
