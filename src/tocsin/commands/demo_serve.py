"""`tocsin demo --serve`: a simulated raid played through the live service on 127.0.0.1.

The raid is simulated over one built-in region, then its records are signed
by their sensors and posted to a ``tocsin serve`` running in this process at
the pace they were made, their times moved to now. Stretches in which no
sensor reports are shortened to ``gap_s`` (the only acceleration that keeps
the drones' speeds true). The public map is at ``/`` and the console at
``/console``; two demo operators are made with passwords printed once. The
service runs as an exercise: every message is marked as a drill.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from tocsin.commands import console
from tocsin.times import parse_time


def serve_demo(out: Path, seed: int, duration_min: float, port: int, region: str = "belgorod",
               gap_s: float = 5.0) -> None:  # fmt: skip
    """Simulate, start the service, play the records; return when they are all sent."""
    from tocsin.api.accounts import add_account
    from tocsin.api.auth import sign
    from tocsin.api.server import build_service, make_server
    from tocsin.config import load_settings
    from tocsin.sim.preset import settings_for
    from tocsin.sim.scenario import simulate, write_scenario

    base = out / "serve"
    scn = simulate(region, settings_for("typical", seed=seed, duration_min=duration_min))
    write_scenario(scn, base / "scenario")
    sensors = json.loads((base / "scenario" / "sensors.json").read_text("utf-8"))["sensors"]
    keys = {s["id"]: secrets.token_hex(16) for s in sensors}
    (base / "keys.json").write_text(json.dumps(keys), "utf-8")
    data = base / "data"
    passwords = {name: secrets.token_urlsafe(12) for name in ("demo-a", "demo-b")}
    for name, pw in passwords.items():
        add_account(data / "accounts.json", name, "operator", pw, replace=True)
    settings = load_settings(env={}, overrides={
        "region.name": region, "sensors.registry": str(base / "scenario" / "sensors.json"),
        "sensors.keys": str(base / "keys.json"), "data_dir": str(data),
        "server.host": "127.0.0.1", "server.port": port,
    })  # fmt: skip
    service = build_service(settings)
    server = make_server(service, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, name="tocsin-demo-serve", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    console.print(f"public map: {url}/   console: {url}/console  (a drill: Exercise)")
    for name, pw in passwords.items():
        console.print(f"  operator {name}, password {pw}")
    try:
        n = play(url, base / "scenario" / "detections.jsonl", keys, sign, gap_s)
        console.print(f"all {n:,} records sent; the service runs until Ctrl-C")
        thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        service.begin_shutdown()
        server.should_exit = True
        thread.join(60)


def play(url: str, detections: Path, keys: dict[str, str], sign, gap_s: float) -> int:
    """Post the records second by second, each sensor's batch signed by it; how many sent."""
    by_second: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    with open(detections, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rx = parse_time(r.pop("rx", r["t"]))
            r["_age_s"] = rx - parse_time(r["t"])
            by_second[int(rx)][r["sensor"]].append(r)
    sent, shift, last = 0, None, None
    with httpx.Client(base_url=url, timeout=30) as client:
        for second in sorted(by_second):
            if last is not None and second - last > gap_s:
                shift -= second - last - gap_s  # a quiet stretch, shortened
            last = second
            if shift is None:
                shift = time.time() - second
            wait = second + shift - time.time()
            if wait > 0:
                time.sleep(wait)
            for sensor, records in by_second[second].items():
                now = time.time()
                lines = []
                for r in records:
                    rec = {k: v for k, v in r.items() if k != "_age_s"}
                    rec["t"] = round(now - r["_age_s"], 3)
                    lines.append(json.dumps(rec))
                body = ("\n".join(lines) + "\n").encode()
                stamp, nonce = str(int(now)), secrets.token_hex(12)
                headers = {"X-Tocsin-Sensor": sensor, "X-Tocsin-Timestamp": stamp,
                           "X-Tocsin-Nonce": nonce,
                           "X-Tocsin-Signature": sign(keys[sensor], stamp, nonce, body),
                           "Content-Type": "application/x-ndjson"}  # fmt: skip
                client.post("/v1/detections", content=body, headers=headers)
                sent += len(records)
    return sent
