"""End to end: `tocsin serve` as a process; a raid streamed in; kill -9; restart; shutdown.

Every alert change seen on the stream is already in the event log when the
process is killed; after the restart the same alerts are in force, CAP
identifiers are never reused, and a SIGTERM stops the service cleanly.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import feedparser
import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from servecase import (  # noqa: E402
    LAT0,
    LON0,
    ProcessServer,
    SseReader,
    WebhookReceiver,
    fly,
    wait_for,
    write_scene,
)

from tocsin.store import SqliteEventLog  # noqa: E402


def _in_force(url: str) -> set[tuple[str, str]]:
    return {(a["zone"], a["level"]) for a in httpx.get(f"{url}/v1/alerts").json()["alerts"]}


def _cap_seqs(url: str) -> list[int]:
    feed = feedparser.parse(httpx.get(f"{url}/v1/cap/feed.atom").content)
    return sorted(int(e.id.rsplit(":", 1)[1]) for e in feed.entries)


@pytest.fixture()
def scene(tmp_path):
    return tmp_path, write_scene(tmp_path)


@pytest.mark.parametrize("snapshots", [False, True], ids=["whole-log", "snapshots"])
def test_kill_9_and_restart_resume_every_alert(scene, snapshots):
    root, paths = scene
    data = root / "data"
    settings = None
    if snapshots:  # a snapshot after every step that decides: the restart reads one
        settings = root / "settings.toml"
        settings.write_text("[snapshot]\nevery_decisions = 1\n")
    first = ProcessServer(paths, data, settings=settings)
    hook = WebhookReceiver()
    try:
        sub = {
            "point": {"lat": LAT0, "lon": LON0},
            "target": {"kind": "webhook", "address": hook.url},
        }
        town = httpx.post(f"{first.url}/v1/subscriptions", json=sub).json()["zone"]
        sse = SseReader(first.url)
        fly(first.url, 6)
        wait_for(
            lambda: any(r["level"] == "warning" for _, r in sse.rows), "a warning on the stream"
        )
        wait_for(lambda: any(r["zone"] == town for r in hook.got), "the town's webhook")
        before = _in_force(first.url)
        seqs_before = _cap_seqs(first.url)
        seen = [r for _, r in sse.rows]
        sse.close()
    finally:
        first.kill()  # SIGKILL: no shutdown code runs
        hook.close()
    with SqliteEventLog(data / "events.sqlite") as elog:
        stored = {
            (e.payload["zone"], e.payload["level"], e.payload["event"], e.payload["cap"])
            for e in elog.read(["alert_decided"])
        }
        assert (elog.count("snapshot_taken") > 0) == snapshots
    assert {(r["zone"], r["level"], r["event"], r["cap"]) for r in seen} <= stored

    second = ProcessServer(paths, data, settings=settings)
    try:
        assert before and before <= _in_force(second.url)
        fly(second.url, 4)  # the drone flies on: new messages continue the sequence
        wait_for(lambda: max(_cap_seqs(second.url)) > max(seqs_before), "a new CAP message")
        seqs = _cap_seqs(second.url)
        assert len(seqs) == len(set(seqs))
        ids = [p.stem for p in (data / "cap").glob("*.xml")]
        assert len(ids) == len(set(ids)) >= len(seqs_before)
    finally:
        code = second.terminate()
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    with SqliteEventLog(data / "events.sqlite") as elog:
        runs = list(elog.read(["run_started", "run_finished"]))
    assert [e.kind for e in runs] == ["run_started", "run_started", "run_finished"]
    assert (runs[1].payload["snapshot_upto_seq"] > 0) == snapshots  # the restart read one
