"""End to end through a real broker: nats-server (JetStream + MQTT) started here on loopback.

Sensors publish signed envelopes over MQTT; the service takes them from a
durable JetStream stream (so what is sent while it is down is taken when it is
back), its alerts reach SSE and the retained siren topic of each zone, and a
forged envelope is refused and counted.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import sys
import time
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from servecase import (  # noqa: E402
    KEYS,
    LAT0,
    LON0,
    SseReader,
    ThreadServer,
    free_port,
    plot,
    scanned,
    settings_for,
    steps,
    wait_for,
    write_scene,
)

from tocsin.api.auth import sign  # noqa: E402
from tocsin.api.natsd import BrokerPlan, start_broker  # noqa: E402
from tocsin.geo import load_region  # noqa: E402
from tocsin.ingest.envelope import request_to_envelope  # noqa: E402
from tocsin.store import SqliteEventLog  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("nats-server") is None, reason="nats-server is not installed"
)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture()
def broker(tmp_path):
    plan = BrokerPlan(data_dir=tmp_path / "nats", port=free_port(), mqtt_port=free_port())
    proc = start_broker(plan, tmp_path / "nats.log")
    try:
        wait_for(lambda: _listening(plan.port) and _listening(plan.mqtt_port), "nats-server")
        yield plan
    finally:
        proc.terminate()
        proc.wait(30)


class MqttPeer:
    """A paho client: a sensor that publishes, or a siren that keeps what it receives."""

    def __init__(self, port: int, client_id: str, topic: str | None = None) -> None:
        self.got: dict[str, dict] = {}
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.c.on_message = lambda c, u, m: self.got.__setitem__(m.topic, json.loads(m.payload))
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        if topic:
            self.c.subscribe(topic, qos=1)

    def send(self, records: list[dict], sensor: str = "R1", key: str | None = None) -> None:
        body = "".join(json.dumps(r) + "\n" for r in records).encode()
        ts, nonce = str(int(time.time())), secrets.token_hex(12)
        sig = sign(key or KEYS[sensor], ts, nonce, body)
        env = request_to_envelope(sensor, ts, nonce, body, sig)
        self.c.publish(f"tocsin/detections/{sensor}", env, qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def _metric(url: str, prefix: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_records_over_mqtt_reach_sse_and_the_siren_topics(tmp_path, broker):
    paths = write_scene(tmp_path)
    more = {"broker.url": f"nats://127.0.0.1:{broker.port}", "broker.mqtt_host": "127.0.0.1",
            "broker.mqtt_port": broker.mqtt_port}  # fmt: skip
    settings = settings_for(paths, tmp_path / "data", **more)
    town = str(load_region(str(paths["region"])).zones.ids[
        load_region(str(paths["region"])).zones.locate(LAT0, LON0)[0]])  # fmt: skip
    srv = ThreadServer(settings)
    sensor = MqttPeer(broker.mqtt_port, "sensor-R1")
    siren = MqttPeer(broker.mqtt_port, "siren-town", f"tocsin/alerts/{town}")
    try:
        sse = SseReader(srv.url)
        sensor.send([plot(time.time())], key="forged-key-000000")
        t0 = time.time()
        for _ in range(6):  # one plot a scan, as a radar gives them
            before, t_plot = steps(srv.url), time.time()
            sensor.send([plot(t_plot, t0_s=t0)])
            wait_for(lambda b=before, t=t_plot: scanned(srv.url, b, t), "the radar's next scan")
        wait_for(lambda: any(r["level"] == "warning" for _, r in sse.rows), "a warning on SSE")
        state = wait_for(lambda: siren.got.get(f"tocsin/alerts/{town}"), "the siren topic")
        assert state["zone"] == town and (state["warning"] or state["advisory"])
        late = MqttPeer(broker.mqtt_port, "siren-late", f"tocsin/alerts/{town}")
        wait_for(lambda: late.got, "the retained state for a siren that connects later")
        late.close()
        assert _metric(srv.url, 'tocsin_requests_rejected_total{reason="bad_signature"}') == 1
    finally:
        srv.stop()
    # Sent while the service is down: kept by JetStream, taken after the restart.
    marker = time.time()
    sensor.send([{**plot(marker), "lat": LAT0 + 0.05}])
    srv = ThreadServer(settings_for(paths, tmp_path / "data", **more))
    try:
        wait_for(lambda: _metric(srv.url, 'tocsin_records_total{outcome="accepted"}') >= 1,
                 "the record sent during the restart")  # fmt: skip
    finally:
        srv.stop()
        sensor.close()
        siren.close()
    with SqliteEventLog(tmp_path / "data" / "events.sqlite") as elog:
        lines = [e.payload["line"] for e in elog.read(["record_taken"])]
    assert any(json.loads(x)["t"] == round(marker, 3) for x in lines)
