"""End to end: `tocsin serve` chains its CAP messages into the transparent log, serves the
log and the region's key, and `tocsin verify` accepts the download and rejects a forgery."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from servecase import ProcessServer, fly, wait_for, write_scene  # noqa: E402

from tocsin.ledger import Ledger, LedgerBusy, key_id, load_public_key  # noqa: E402


def _verify(logfile: Path, key: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tocsin.cli", "verify", str(logfile), "--key", str(key)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _entries(url: str) -> list[dict]:
    r = httpx.get(f"{url}/v1/log", timeout=10)
    assert r.status_code == 200, r.text
    assert not r.content or r.content.endswith(b"\n")  # always whole lines
    return [json.loads(line) for line in r.content.splitlines()]


@pytest.fixture()
def served(tmp_path):
    paths = write_scene(tmp_path)
    srv = ProcessServer(paths, tmp_path / "data")
    try:
        yield tmp_path, srv
    finally:
        if srv.proc.poll() is None:
            srv.terminate()


def test_the_served_log_verifies_and_a_tampered_copy_does_not(served):
    root, srv = served
    data = root / "data"
    assert (data / "region.key").is_file() and (data / "region.pub").is_file()
    with pytest.raises(LedgerBusy):  # the service is the log's one writer
        Ledger(data / "log.jsonl")
    fly(srv.url, 6)
    lines = wait_for(
        lambda: (
            [d for d in _entries(srv.url) if d.get("kind") == "cap_issued"] and _entries(srv.url)
        ),
        "a CAP message in the served log",
    )
    assert any(d["type"] == "head" for d in lines)
    log_copy = root / "copy.jsonl"
    log_copy.write_bytes(httpx.get(f"{srv.url}/v1/log", timeout=10).content)
    key = httpx.get(f"{srv.url}/v1/log/key", timeout=10)
    assert key.status_code == 200
    pub = root / "downloaded.pub"
    pub.write_bytes(key.content)
    assert key.headers["x-tocsin-key-id"] == key_id(load_public_key(pub))
    assert pub.read_bytes() == (data / "region.pub").read_bytes()

    good = _verify(log_copy, pub)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "verified" in good.stdout

    text = log_copy.read_text()
    cap = next(ln for ln in text.splitlines() if '"cap_issued"' in ln)
    assert "<msgType>Alert</msgType>" in cap
    forged = text.replace(cap, cap.replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"))
    bad_copy = root / "forged.jsonl"
    bad_copy.write_text(forged)
    bad = _verify(bad_copy, pub)
    assert bad.returncode == 1
    assert "TAMPERED" in bad.stdout and "altered" in bad.stdout

    # SIGTERM (uvicorn re-raises it once shut down): the last step is chained, the log closed
    assert srv.terminate() in (0, -signal.SIGTERM)
    with Ledger(data / "log.jsonl") as ledger:  # the writer let go of it
        assert ledger.seq >= sum(1 for ln in text.splitlines() if '"type":"entry"' in ln)
