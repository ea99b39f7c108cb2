"""``tocsin demo --serve`` as a user runs it: it starts, serves the public map and the console
on 127.0.0.1 (its printed demo operator logs in), and stops cleanly on Ctrl-C, in bounded time."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from servecase import free_port, wait_for  # noqa: E402

START_S = 120.0
STOP_S = 60.0


def _ctrl_c_as_at_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_demo_serve_starts_serves_the_map_and_console_and_stops_cleanly(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out = tmp_path / "out.log"
    cmd = [sys.executable, "-m", "tocsin.cli", "demo", "--serve", "--out", str(tmp_path / "demo"),
           "--port", str(port), "--duration-min", "2"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    env["COLUMNS"] = "200"  # the printed lines unwrapped
    with out.open("wb") as log:
        # Ctrl-C as at a terminal, even when the suite runs as a background job,
        # whose commands start with SIGINT ignored and would pass that on.
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                preexec_fn=_ctrl_c_as_at_a_terminal)  # fmt: skip
    try:

        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"demo --serve exited with {proc.returncode}")
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, "tocsin demo --serve to answer /healthz", deadline_s=START_S)
        page = httpx.get(f"{url}/", timeout=10)
        assert page.status_code == 200 and "/static/map.js" in page.text
        assert httpx.get(f"{url}/console", timeout=10).status_code == 200
        wait_for(lambda: "password" in out.read_text("utf-8"), "the demo operators' passwords")
        m = re.search(r"operator (demo-a), password (\S+)", out.read_text("utf-8"))
        assert m, out.read_text("utf-8")
        r = httpx.post(f"{url}/v1/console/login", json={"name": m[1], "password": m[2]}, timeout=10)
        assert r.status_code == 200 and r.json()["role"] == "operator"
        assert httpx.get(f"{url}/v1/map.json", timeout=10).json()["status"] == "Exercise"
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        t0 = time.monotonic()
        try:
            rc = proc.wait(STOP_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    assert rc == 0, out.read_text("utf-8")
    assert time.monotonic() - t0 < STOP_S
    with pytest.raises(httpx.TransportError):  # nothing answers on the port any more
        httpx.get(f"{url}/healthz", timeout=1)
