"""Helpers for the live service's tests: a small scene, a signed sensor client, a server.

The server runs on uvicorn in a thread of the test process (``ThreadServer``)
or as a ``tocsin serve`` process (``ProcessServer``), always on 127.0.0.1 at a
free port, in the test's own directory. Nothing waits by sleeping: helpers
poll with a deadline.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from tocsin.api.auth import sign

LAT0, LON0 = 50.0, 36.0  # the town at the centre of the square region
KEYS = {"R1": "secret-of-radar-one-0001", "R2": "secret-of-radar-two-0002"}
DEADLINE_S = 60.0


def write_scene(root: Path) -> dict[str, Path]:
    """A square region around a town, two radars east of it and their keys."""
    h = 0.2
    ring = [[LON0 - h, LAT0 - h], [LON0 + h, LAT0 - h], [LON0 + h, LAT0 + h],
            [LON0 - h, LAT0 + h], [LON0 - h, LAT0 - h]]  # fmt: skip
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Square"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"name": "Town", "population": 20000},
         "geometry": {"type": "Point", "coordinates": [LON0, LAT0]}},
    ]}  # fmt: skip
    paths = {k: root / f"{k}.json" for k in ("sensors", "keys")}
    paths["region"] = root / "square.geojson"
    paths["region"].write_text(json.dumps(doc))
    radars = [
        {"id": "R1", "kind": "radar", "lat": LAT0, "lon": 36.3, "range_max_m": 60000},
        {"id": "R2", "kind": "radar", "lat": 50.1, "lon": 36.3, "range_max_m": 60000},
    ]
    paths["sensors"].write_text(json.dumps({"sensors": radars}))
    paths["keys"].write_text(json.dumps(KEYS))
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], object], what: str, deadline_s: float = DEADLINE_S):
    """Poll ``check`` until it returns something truthy; fail after the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def plot(
    t_s: float, sensor: str = "R1", speed_mps: float = 47.0, t0_s: float | None = None
) -> dict:
    """A radar position plot of one drone flying west along the town's parallel.

    A 50 m plot: after the few scans a test waits for, the track's heading is
    sure enough for a warning to start where the drone is headed."""
    t0_s = t_s if t0_s is None else t0_s
    lon = 36.45 - speed_mps * (t_s - t0_s) / (111_320 * math.cos(math.radians(LAT0)))
    return {"t": round(t_s, 3), "sensor": sensor, "lat": LAT0, "lon": lon, "alt_m": 300,
            "sigma_m": 50}  # fmt: skip


@dataclass
class Sensor:
    """Signs and posts records as one sensor."""

    url: str
    sensor: str = "R1"
    key: str | None = None

    def headers(self, body: bytes, ts: str | None = None, nonce: str | None = None) -> dict:
        ts = str(int(time.time())) if ts is None else ts
        nonce = nonce or secrets.token_hex(12)
        key = self.key or KEYS[self.sensor]
        return {"X-Tocsin-Sensor": self.sensor, "X-Tocsin-Timestamp": ts,
                "X-Tocsin-Nonce": nonce, "X-Tocsin-Signature": sign(key, ts, nonce, body),
                "Content-Type": "application/x-ndjson"}  # fmt: skip

    def post(self, records: list[dict] | bytes, client: httpx.Client | None = None,
             **kw) -> httpx.Response:  # fmt: skip
        body = records if isinstance(records, bytes) else _jsonl(records)
        h = self.headers(body, **kw)
        c = client or httpx
        return c.post(f"{self.url}/v1/detections", content=body, headers=h, timeout=10)


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def steps(url: str) -> int:
    return httpx.get(f"{url}/healthz", timeout=5).json()["steps"]


def fly(url: str, n_plots: int = 6, scan_s: float = 2.0) -> float:
    """Post one plot a radar scan of scan_s, each once the engine has stepped past the last
    (it steps as soon as records come); returns t0."""
    s = Sensor(url)
    t0 = time.time()
    for _ in range(n_plots):
        before, t_plot = steps(url), time.time()
        r = s.post([plot(t_plot, t0_s=t0)])
        assert r.status_code == 202, r.text
        wait_for(lambda b=before, t=t_plot: scanned(url, b, t, scan_s), "the radar's next scan")
    return t0


def scanned(url: str, steps_before: int, t_plot_s: float, scan_s: float = 2.0) -> bool:
    """The engine has stepped past a plot sent at t_plot_s and a radar's next scan is due:
    plots as far apart in time as a radar gives them, however often the engine steps."""
    return time.time() >= t_plot_s + scan_s and steps(url) >= steps_before + 2


class SseReader:
    """Reads /v1/stream in a thread; ``rows`` gathers (receive time, row)."""

    def __init__(self, url: str) -> None:
        self.rows: list[tuple[float, dict]] = []
        self.ids: list[str] = []
        self.open = threading.Event()
        self._stop = False
        self.closed_by_server = False
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()
        wait_for(self.open.is_set, "the SSE stream to open")

    def _read(self, url: str) -> None:
        timeout = httpx.Timeout(5, read=None)
        try:
            with httpx.stream("GET", f"{url}/v1/stream", timeout=timeout) as r:
                self.open.set()
                for line in r.iter_lines():
                    if self._stop:
                        return
                    if line.startswith("id: "):
                        self.ids.append(line[4:])
                    if line.startswith("data: "):
                        self.rows.append((time.time(), json.loads(line[6:])))
        except httpx.TransportError:  # the server went away: the stream ends
            self.closed_by_server = True

    def close(self) -> None:
        self._stop = True


class ThreadServer:
    """uvicorn serving a Service in a thread of this process."""

    def __init__(self, settings, gateway=None) -> None:
        from tocsin.api.server import build_service, make_server

        self.service = build_service(settings, gateway)
        self.server = make_server(self.service, "127.0.0.1", settings.server.port)
        self.url = f"http://127.0.0.1:{settings.server.port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        wait_for(lambda: self.server.started or not self._thread.is_alive(), "uvicorn to start")
        assert self.server.started, "the server did not start"

    def stop(self) -> None:
        self.service.begin_shutdown()
        self.server.should_exit = True
        self._thread.join(30)
        assert not self._thread.is_alive()


class ProcessServer:
    """``tocsin serve`` as a child process."""

    def __init__(self, paths: dict[str, Path], data: Path, port: int | None = None,
                 settings: Path | None = None) -> None:  # fmt: skip
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (data.parent / f"serve-{self.port}.log").open("ab")
        cmd = [sys.executable, "-m", "tocsin.cli", "serve", "--region", str(paths["region"]),
               "--sensors", str(paths["sensors"]), "--keys", str(paths["keys"]),
               "--data", str(data), "--host", "127.0.0.1", "--port", str(self.port)]  # fmt: skip
        if settings is not None:
            cmd += ["--settings", str(settings)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_for(self._up, "tocsin serve to answer /healthz")

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"tocsin serve exited with {self.proc.returncode}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(30)
        self.log.close()

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        self.log.close()
        return code


def settings_for(paths: dict[str, Path], data: Path, port: int | None = None, **more):
    from tocsin.config import load_settings

    overrides = {
        "region.name": str(paths["region"]),
        "sensors.registry": str(paths["sensors"]),
        "sensors.keys": str(paths["keys"]),
        "data_dir": str(data),
        "server.port": port or free_port(),
        **more,
    }
    return load_settings(env={}, overrides=overrides)


def live_server(tmp_path_factory):
    """A server for a module's tests, with a gateway that records what it is handed.

    Each test module makes it its ``live`` fixture (module scope); a conftest.py here
    would clash with tests/conftest.py under --doctest-modules.
    """
    from tocsin.publish.base import RecordingGateway

    root = tmp_path_factory.mktemp("scene")
    paths = write_scene(root)
    gateway = RecordingGateway()
    srv = ThreadServer(settings_for(paths, root / "data"), gateway)
    srv.gateway = gateway
    yield srv
    srv.stop()


class WebhookReceiver:
    """A webhook endpoint on loopback that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        got = self.got = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
