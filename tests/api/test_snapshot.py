"""Snapshots: a restart from the newest valid snapshot and the events after it resumes
exactly what reading the whole log resumes; a torn, absent or bad snapshot is passed over."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tocsin.alert.cap import CapSettings
from tocsin.alert.restore import restore_alerts
from tocsin.api.decisions import CapEntry, DecisionFold
from tocsin.api.restore import resume
from tocsin.api.snapshot import SNAPSHOT_KIND, Snapshotter, newest_fold, snapshot_payload
from tocsin.engine import Engine, EngineSettings
from tocsin.geo import load_region
from tocsin.ingest import Intake
from tocsin.messages import AlertChange
from tocsin.publish.rows import change_to_row
from tocsin.store import SqliteEventLog

sys.path.insert(0, str(Path(__file__).parent))
from snapcase import T0, steps, write_log  # noqa: E402

KEEP = 20
CAP = CapSettings(sender="tocsin@test.example", region_id="test")


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """A square of 0.1 degrees: a dozen zones."""
    ring = [[35.95, 49.95], [36.05, 49.95], [36.05, 50.05], [35.95, 50.05], [35.95, 49.95]]
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "Square"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }]}  # fmt: skip
    path = tmp_path_factory.mktemp("region") / "square.geojson"
    path.write_text(json.dumps(doc))
    return load_region(path)


def _zones(region) -> list[str]:
    return [str(z) for z in region.zones.ids[:12]] + ["zz-not-in-region"]


def _resumed(region, elog, cap_dir, snapshots, status="Actual"):
    cap_dir.mkdir(exist_ok=True)
    engine = Engine(region, {}, CAP, EngineSettings(status=status))
    out = resume(engine, elog, Intake({}, region.frame), T0 + 10**6, 0.0, cap_dir,
                 keep_caps=KEEP, snapshots=snapshots)  # fmt: skip
    return engine, out


def _state(engine, out) -> dict:
    """Everything a restart leaves, in a form that compares (dict order included)."""
    levels = {
        name: [st.active.tolist(), st.last_eta_s.tolist(), st.announced_s.tolist(),
               st.last_threat_s.tolist()]
        for name, st in engine.alerts.levels.items()
    }  # fmt: skip
    return {"active": list(out.active.items()), "caps": out.caps, "levels": levels,
            "cap_seq": engine._cap_seq, "refs": sorted(engine._refs.items())}  # fmt: skip


_TAG = {k: re.compile(rf"<{k}>([^<]*)</{k}>") for k in ("sent", "sender", "msgType", "status")}


def _reference(region, elog, status="Actual") -> dict:
    """The whole log read as resume read it before snapshots (a copy of that code)."""
    changes, caps, last_row = [], {}, {}
    exercise = status != "Actual"
    for ev in elog.read(["alert_decided", "cap_issued"]):
        p = ev.payload
        if ev.kind == "cap_issued":
            xml = p["xml"]
            tag = {k: (m.group(1) if (m := rx.search(xml)) else "") for k, rx in _TAG.items()}
            caps[p["identifier"]] = CapEntry(
                seq=int(p["seq"]), identifier=p["identifier"], sent=tag["sent"],
                sender=tag["sender"], msg_type=tag["msgType"], status=tag["status"],
                level="", event="", zones=0,
            )  # fmt: skip
            continue
        c = AlertChange(
            t_s=ev.t_s, zone=p["zone"], event=p["event"], level=p["level"], eta_s=p.get("eta_s"),
            tracks=tuple(p.get("tracks") or ()), cause=p.get("cause", "tracks"), exercise=exercise,
        )  # fmt: skip
        changes.append((c, p.get("cap")))
        if c.event == "clear":
            last_row.pop((c.zone, c.level), None)
        else:
            last_row[(c.zone, c.level)] = change_to_row(c, p.get("cap"))
    refs, zones = {}, {}
    for (zone, level), row in last_row.items():
        entry = caps.get(row["cap"])
        if entry is not None:
            refs[(zone, level)] = (entry.sender, entry.identifier, entry.sent)
    for c, ident in changes:
        entry = caps.get(ident)
        if entry is not None:
            zones[ident] = zones.get(ident, 0) + 1
            caps[ident] = replace(entry, level=c.level, event=c.event, zones=zones[ident])
    engine = Engine(region, {}, CAP, EngineSettings(status=status))
    restore_alerts(engine.alerts, (c for c, _ in changes), T0 + 10**6)
    engine._cap_seq = max((e.seq for e in caps.values()), default=0)
    engine._refs.update(refs)
    out = type("Out", (), {})()
    out.active, out.caps = last_row, sorted(caps.values(), key=lambda e: e.seq)[-KEEP:]
    return _state(engine, out)


@pytest.mark.parametrize("seed", range(30))
def test_snapshots_at_random_points_resume_what_the_whole_log_resumes(region, tmp_path, seed):
    rng = np.random.default_rng(seed)
    n_steps = int(rng.integers(1, 400))
    snapshot_p = float(rng.choice([0.0, 0.002, 0.02, 0.2]))
    status = ("Actual", "Exercise")[seed % 2]
    with SqliteEventLog(tmp_path / "events.sqlite") as elog:
        snaps = write_log(elog, rng, _zones(region), n_steps, snapshot_p, keep_caps=KEEP)
        full = _state(*_resumed(region, elog, tmp_path / "a", False, status))
        e, out = _resumed(region, elog, tmp_path / "b", True, status)
        assert _state(e, out) == full == _reference(region, elog, status)
        if snaps:
            newest = elog.last_of(SNAPSHOT_KIND).payload["upto_seq"]
            assert out.snapshot_seq == newest > 0
            assert out.tail_decisions == elog.count("alert_decided") - sum(
                1 for ev in elog.read(["alert_decided"]) if ev.seq <= newest
            )
        else:
            assert out.snapshot_seq == 0
        assert all(e.announced(*key) == row["cap"] for key, row in out.active.items())


def test_a_fold_from_its_own_snapshot_goes_on_like_the_fold_itself(region, tmp_path):
    rng = np.random.default_rng(7)
    zones = _zones(region)
    with SqliteEventLog(tmp_path / "events.sqlite") as elog:
        live = DecisionFold(KEEP)
        for items in steps(rng, zones, 300):
            elog.append_many(items)
            live.follow(elog)
            again = DecisionFold.from_dict(json.loads(json.dumps(live.to_dict())))
            assert again.to_dict() == live.to_dict()
            assert (again.feed(), again.refs(), again.rows(False)) == (
                live.feed(), live.refs(), live.rows(False)
            )  # fmt: skip
        assert len(live.caps) <= KEEP + len(live.decided)  # pruned: bounded, not the log


def _two_snapshots(region, tmp_path):
    elog = SqliteEventLog(tmp_path / "events.sqlite")
    rng = np.random.default_rng(3)
    write_log(elog, rng, _zones(region), 200, 0.0)
    first = write_log(elog, rng, _zones(region), 1, 1.0)[-1]  # every event of one step
    write_log(elog, rng, _zones(region), 200, 0.0)
    second = write_log(elog, rng, _zones(region), 1, 1.0)[-1]
    write_log(elog, rng, _zones(region), 50, 0.0)
    return elog, first, second


def test_a_snapshot_whose_digest_fails_is_passed_over_for_the_one_before(region, tmp_path):
    elog, first, second = _two_snapshots(region, tmp_path)
    full = _state(*_resumed(region, elog, tmp_path / "a", False))
    bad = elog.last_of(SNAPSHOT_KIND).payload
    bad["state"]["cap_seq"] += 1  # its digest no longer matches
    elog.append(SNAPSHOT_KIND, T0, bad)
    e, out = _resumed(region, elog, tmp_path / "b", True)
    assert _state(e, out) == full
    assert out.snapshot_seq == elog.last_of(SNAPSHOT_KIND, second + 1).payload["upto_seq"]
    other = dict(elog.last_of(SNAPSHOT_KIND, second + 1).payload, format=99)
    for _ in range(3):  # more bad ones than are tried: the whole log is read
        elog.append(SNAPSHOT_KIND, T0, other)
    e, out = _resumed(region, elog, tmp_path / "c", True)
    assert (_state(e, out), out.snapshot_seq) == (full, 0)
    elog.close()


def test_a_snapshot_keeping_fewer_feed_entries_than_asked_is_not_used(region, tmp_path):
    elog, _, _ = _two_snapshots(region, tmp_path)
    assert newest_fold(elog, KEEP) is not None
    assert newest_fold(elog, KEEP + 1) is None
    elog.close()


def test_a_snapshot_keeping_more_feed_entries_than_asked_gives_the_newest_asked(region, tmp_path):
    elog, _, _ = _two_snapshots(region, tmp_path)
    feeds = []
    for snapshots in (True, False):
        engine = Engine(region, {}, CAP, EngineSettings(status="Actual"))
        out = resume(engine, elog, Intake({}, region.frame), T0 + 10**6, 0.0, tmp_path,
                     keep_caps=5, snapshots=snapshots)  # fmt: skip
        feeds.append(out.caps)
    assert feeds[0] == feeds[1] and len(feeds[0]) == 5
    elog.close()


def test_a_torn_snapshot_falls_back_to_the_whole_log(region, tmp_path):
    elog, _, _ = _two_snapshots(region, tmp_path)
    full = _state(*_resumed(region, elog, tmp_path / "a", False))
    elog.close()
    text = json.dumps(snapshot_payload(DecisionFold(KEEP)))
    conn = sqlite3.connect(tmp_path / "events.sqlite", isolation_level=None)
    (last,) = conn.execute("SELECT max(seq) FROM events").fetchone()
    conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                 (last + 1, T0, SNAPSHOT_KIND, text[: len(text) // 2], time.time()))  # fmt: skip
    conn.close()
    with SqliteEventLog(tmp_path / "events.sqlite") as elog:
        e, out = _resumed(region, elog, tmp_path / "b", True)
        assert (_state(e, out), out.snapshot_seq) == (full, 0)


_CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    sys.path.insert(0, sys.argv[3])
    from snapcase import steps, write_log
    from tocsin.api.decisions import DecisionFold
    from tocsin.api.snapshot import snapshot_payload, store_snapshot
    from tocsin.store import SqliteEventLog

    zones = sys.argv[2].split(",")
    elog = SqliteEventLog(sys.argv[1])
    rng = np.random.default_rng(int(sys.argv[4]))
    write_log(elog, rng, zones, 300, 0.01, keep_caps=20)
    # a fold with many alerts in force: each snapshot takes a while to write
    big = [f"big{i}" for i in range(12000)]
    fold = DecisionFold(20)
    for items in steps(rng, big, 4000):
        elog.append_many(items)
    elog.flush()
    n = 0
    while True:
        fold.follow(elog)
        payload = snapshot_payload(fold)
        print(f"snapshot {n}", flush=True)
        store_snapshot(elog, 0.0, payload)
        n += 1
        for items in steps(rng, zones, 5):
            elog.append_many(items)
    """
)


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_while_a_snapshot_is_written_leaves_a_log_that_resumes_the_same(
    region, tmp_path, seed
):
    path = tmp_path / "events.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), ",".join(_zones(region)),
         str(Path(__file__).parent), str(seed)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(seed):  # killed while writing the first or the second big snapshot
            line = child.stdout.readline()
            assert line.startswith("snapshot"), line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    with SqliteEventLog(path) as elog:
        full = _state(*_resumed(region, elog, tmp_path / "a", False))
        e, out = _resumed(region, elog, tmp_path / "b", True)
        assert _state(e, out) == full
        assert elog.count(SNAPSHOT_KIND) >= 1  # at least the small ones before


def test_the_restart_writes_again_the_cap_files_after_its_snapshot(region, tmp_path):
    elog, first, second = _two_snapshots(region, tmp_path)
    upto = elog.last_of(SNAPSHOT_KIND).payload["upto_seq"]
    after = [ev.payload["seq"] for ev in elog.read(["cap_issued"], since_seq=upto)]
    cap_dir = tmp_path / "cap"
    _, out = _resumed(region, elog, cap_dir, True)
    assert after and sorted(int(p.stem) for p in cap_dir.glob("*.xml")) == sorted(after)
    assert sorted(out.fold.unsynced) == sorted(after)  # made durable before the next snapshot
    elog.close()


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _live(region, tmp_path, every_decisions, every_s):
    elog = SqliteEventLog(tmp_path / "events.sqlite")
    cap_dir = tmp_path / "cap"
    cap_dir.mkdir()
    clock = _Clock()
    snap = Snapshotter(DecisionFold(KEEP), cap_dir, every_decisions, every_s, clock=clock)
    return elog, cap_dir, clock, snap


def _step(elog, cap_dir, rng, region, snap, files=True):
    for items in steps(rng, _zones(region), 1):
        elog.append_many(items)
        elog.flush()
        for kind, _, p in items:
            if kind == "cap_issued" and files:
                (cap_dir / f"{p['seq']}.xml").write_text(p["xml"])
    snap.after_step(elog, T0)
    if snap._syncing is not None:
        snap._syncing.join(10)


def test_the_service_stores_a_snapshot_every_n_decisions_once_cap_files_are_durable(
    region, tmp_path
):
    elog, cap_dir, clock, snap = _live(region, tmp_path, every_decisions=30, every_s=0)
    rng = np.random.default_rng(11)
    while elog.count("alert_decided") < 200:
        _step(elog, cap_dir, rng, region, snap)
    n = elog.count(SNAPSHOT_KIND)
    assert 3 <= n <= 200 // 30
    assert all(ev.payload["upto_seq"] < ev.seq for ev in elog.read([SNAPSHOT_KIND]))
    full = _state(*_resumed(region, elog, tmp_path / "a", False))
    assert _state(*_resumed(region, elog, tmp_path / "b", True)) == full
    elog.close()


def test_the_service_stores_a_snapshot_after_every_s_with_new_decisions(region, tmp_path):
    elog, cap_dir, clock, snap = _live(region, tmp_path, every_decisions=0, every_s=300)
    rng = np.random.default_rng(12)
    for _ in range(20):
        _step(elog, cap_dir, rng, region, snap)
    assert elog.count(SNAPSHOT_KIND) == 0
    clock.t = 301.0
    for _ in range(50):  # due at the first step with decisions; stored once its files are
        _step(elog, cap_dir, rng, region, snap)
        if elog.count(SNAPSHOT_KIND):
            break
    assert elog.count(SNAPSHOT_KIND) == 1
    for _ in range(20):
        _step(elog, cap_dir, rng, region, snap)
    assert elog.count(SNAPSHOT_KIND) == 1  # not again before another every_s
    clock.t = 700.0
    snap.decisions = 0  # nothing new: no snapshot however long it has been
    snap.fold.follow(elog)
    snap.after_step(elog, T0)
    assert elog.count(SNAPSHOT_KIND) == 1
    elog.close()


def test_no_snapshot_while_a_cap_file_cannot_be_made_durable(region, tmp_path):
    elog, cap_dir, clock, snap = _live(region, tmp_path, every_decisions=1, every_s=0)
    rng = np.random.default_rng(13)
    while not elog.count("cap_issued"):
        _step(elog, cap_dir, rng, region, snap, files=False)
    _step(elog, cap_dir, rng, region, snap, files=False)
    assert elog.count(SNAPSHOT_KIND) == 0
    for ev in elog.read(["cap_issued"]):  # the files come: the next snapshot is stored
        (cap_dir / f"{ev.payload['seq']}.xml").write_text(ev.payload["xml"])
    for _ in range(40):
        _step(elog, cap_dir, rng, region, snap)
    assert elog.count(SNAPSHOT_KIND) >= 1
    elog.close()
