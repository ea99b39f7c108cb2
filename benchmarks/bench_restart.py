"""Restart time of `tocsin serve` against the length of its event log: resuming from the
newest snapshot and the decisions after it, beside the peer, the same restart reading the
whole log, on the same log in the same run.

For each size, a seeded log of that many alert decisions on the Belgorod region's zones:
steps of a few records and 1-8 decisions, one CAP message (3 kB) per level and event of a
step, about 750 alerts in force; a snapshot every 10,000 decisions as the service stores
them, the last one 5,000 decisions before the end (half a period: the average tail). The
CAP files are there (hard links to a few files). Both restarts must give the same state.

    python benchmarks/bench_restart.py [10000,100000,1000000]
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tocsin.alert.cap import CapSettings
from tocsin.api.decisions import DecisionFold
from tocsin.api.restore import resume
from tocsin.api.snapshot import snapshot_payload, store_snapshot
from tocsin.engine import Engine, EngineSettings
from tocsin.geo import load_region
from tocsin.ingest import Intake
from tocsin.store import SqliteEventLog

SIZES = [int(n) for n in (sys.argv[1] if len(sys.argv) > 1 else "10000,100000,1000000").split(",")]
EVERY = 10_000  # decisions between snapshots ([snapshot] every_decisions)
TAIL = 5_000  # decisions after the last snapshot
TARGET = 300  # in force settles near 2.5 x this
T0 = 1_793_577_600.0
CAP = CapSettings(sender="tocsin@belgorod.example", region_id="belgorod")
PAD = "<info>" + "x" * 2900 + "</info>"  # a CAP message is 2-5 kB
MSG_TYPE = {"onset": "Alert", "update": "Update", "clear": "Cancel"}


def xml(seq: int, t_s: float, event: str) -> str:
    return (
        f"<alert><identifier>urn:tocsin:belgorod:{seq}</identifier><sender>{CAP.sender}"
        f"</sender><sent>{t_s:.0f}</sent><status>Actual</status><msgType>{MSG_TYPE[event]}"
        f"</msgType>{PAD}</alert>"
    )


def write_log(elog, cap_dir: Path, zones: list[str], n: int, rng) -> dict:
    """n decisions with snapshots; the CAP files as hard links. Returns counts."""
    text = xml(0, T0, "onset")
    fold = DecisionFold(200)
    in_force: list[tuple[str, str]] = []
    where: dict[tuple[str, str], int] = {}
    decided = caps = snaps = 0
    t_s = T0
    while decided < n:
        t_s += 2.0
        items = [("record_taken", t_s, {"seq": i, "sensor": "R1", "line": "{}"}) for i in range(3)]
        changes: dict[tuple[str, str], str] = {}
        for _ in range(int(rng.integers(1, 9))):
            if not in_force or rng.random() < TARGET / (TARGET + len(in_force)):
                key = (
                    zones[int(rng.integers(len(zones)))],
                    ("advisory", "warning")[rng.random() < 0.5],
                )
                if key in where or key in changes:
                    continue
                changes[key] = "onset"
            else:
                key = in_force[int(rng.integers(len(in_force)))]
                if key in changes:
                    continue
                changes[key] = "clear" if rng.random() < 0.4 else "update"
        groups = {}
        for key, event in changes.items():
            groups.setdefault((key[1], event), None)
        for g in groups:
            caps += 1
            groups[g] = caps
        for key, event in changes.items():
            if event == "clear":
                i = where.pop(key)
                last = in_force.pop()
                if last != key:
                    in_force[i], where[last] = last, i
            elif event == "onset":
                where[key] = len(in_force)
                in_force.append(key)
            items.append(("alert_decided", t_s, {
                "zone": key[0], "event": event, "level": key[1],
                "eta_s": None if event == "clear" else float(rng.uniform(60, 900)),
                "tracks": [] if event == "clear" else [f"T{int(rng.integers(500))}"],
                "cause": "tracks", "cap": f"urn:tocsin:belgorod:{groups[(key[1], event)]}",
            }))  # fmt: skip
        for (_, event), seq in groups.items():
            payload = {"identifier": f"urn:tocsin:belgorod:{seq}", "seq": seq,
                       "xml": xml(seq, t_s, event)}  # fmt: skip
            items.append(("cap_issued", t_s, payload))
            template = cap_dir / f"template{seq // 60_000}"  # a file has at most 65,000 links
            if not template.exists():
                template.write_text(text)
            os.link(template, cap_dir / f"{seq}.xml")
        elog.append_many(items)
        before, decided = decided, decided + len(changes)
        if (before + TAIL) // EVERY < (decided + TAIL) // EVERY and decided < n:
            fold.follow(elog)
            store_snapshot(elog, t_s, snapshot_payload(fold))
            snaps += 1
    elog.flush()
    return {"decisions": decided, "caps": caps, "snapshots": snaps, "events": elog.last_seq()}


def restart(region, path: Path, cap_dir: Path, snapshots: bool):
    with SqliteEventLog(path) as elog:
        engine = Engine(region, {}, CAP, EngineSettings(status="Actual"))
        t0 = time.perf_counter()
        out = resume(engine, elog, Intake({}, region.frame), T0 + 1e7, 0.0, cap_dir,
                     keep_caps=200, snapshots=snapshots)  # fmt: skip
        seconds = time.perf_counter() - t0
    state = (list(out.active.items()), out.caps, engine._cap_seq, engine._refs,
             [st.active.tolist() for st in engine.alerts.levels.values()])  # fmt: skip
    return seconds, out, state


def main() -> None:
    region = load_region("belgorod")
    zones = [str(z) for z in region.zones.ids]
    rows = []
    for n in SIZES:
        with tempfile.TemporaryDirectory() as d:
            path, cap_dir = Path(d) / "events.sqlite", Path(d) / "cap"
            cap_dir.mkdir()
            t0 = time.perf_counter()
            with SqliteEventLog(path, durable=False) as elog:
                counts = write_log(elog, cap_dir, zones, n, np.random.default_rng(n))
            made_s = time.perf_counter() - t0
            snap_s, out, snap_state = restart(region, path, cap_dir, True)
            whole_s, whole, whole_state = restart(region, path, cap_dir, False)
            assert snap_state == whole_state, "a restart from a snapshot must resume the same"
            with SqliteEventLog(path) as elog:  # one more snapshot, as the service stores it
                t0 = time.perf_counter()
                fold = DecisionFold(200)
                fold.follow(elog)
                t1 = time.perf_counter()
                payload = snapshot_payload(fold)
                store_snapshot(elog, T0, payload)
                write_s = time.perf_counter() - t1
            rows.append({
                **counts, "alerts_in_force": len(out.active), "tail_decisions": out.tail_decisions,
                "restart_snapshot_s": round(snap_s, 3), "restart_whole_log_s": round(whole_s, 3),
                "ratio": round(whole_s / snap_s, 1),
                "snapshot_write_s": round(write_s, 3),
                "snapshot_bytes": len(json.dumps(payload, separators=(",", ":"))),
                "log_bytes": path.stat().st_size, "made_s": round(made_s, 1),
            })  # fmt: skip
    print(json.dumps({
        "bench": "restart", "region": "belgorod", "snapshot_every_decisions": EVERY,
        "sizes": rows, "peer": "the same restart reading the whole log (snapshots=False)",
    }))  # fmt: skip


if __name__ == "__main__":
    main()
