"""Seeded logs of alert decisions and CAP messages, with snapshots at chosen points.

Each step decides a few (zone, level) changes as the engine stores them: the
``alert_decided`` events, then one ``cap_issued`` per (level, event) group,
with records around them. ``write_log`` appends event by event so that a
snapshot can fall anywhere, even between a step's decisions and its messages,
and makes each snapshot as the live service does: a fold follows the log and
its payload is stored.
"""

from __future__ import annotations

import numpy as np

from tocsin.api.decisions import DecisionFold
from tocsin.api.snapshot import snapshot_payload, store_snapshot
from tocsin.store.base import EventLog

T0 = 1_764_018_000.0
SENDER = "tocsin@test.example"


def cap_xml(seq: int, t_s: float, msg_type: str) -> str:
    return (
        f"<alert><identifier>urn:tocsin:test:{seq}</identifier><sender>{SENDER}</sender>"
        f"<sent>{t_s:.3f}</sent><status>Actual</status><msgType>{msg_type}</msgType></alert>"
    )


def steps(rng: np.random.Generator, zones: list[str], n_steps: int):
    """Yield each step's events as (kind, t_s, payload), in the engine's order."""
    in_force: set[tuple[str, str]] = set()
    cap_seq, t_s = 0, T0
    for _ in range(n_steps):
        t_s += float(rng.integers(1, 30)) + 0.25
        items = [("record_taken", t_s, {"seq": int(rng.integers(1e6)), "sensor": "R1"})]
        changes = []
        for _ in range(int(rng.integers(0, 6))):
            zone = zones[int(rng.integers(len(zones)))]
            level = ("advisory", "warning")[int(rng.integers(2))]
            if any((zone, level) == (c[0], c[1]) for c in changes):
                continue
            if (zone, level) in in_force:
                event = ("update", "clear")[int(rng.integers(2))]
            else:
                event = "onset"
            changes.append((zone, level, event))
        groups: dict[tuple[str, str], list] = {}
        for c in changes:
            groups.setdefault((c[1], c[2]), []).append(c)
        ident_of = {}
        for level, event in groups:
            cap_seq += 1
            ident_of[(level, event)] = (cap_seq, f"urn:tocsin:test:{cap_seq}")
        for zone, level, event in changes:
            if event == "clear":
                in_force.discard((zone, level))
            else:
                in_force.add((zone, level))
            eta = None if event == "clear" else round(float(rng.uniform(0, 900)), 3)
            items.append(("alert_decided", t_s, {
                "zone": zone, "event": event, "level": level, "eta_s": eta,
                "tracks": [f"T{int(rng.integers(50))}"] if eta is not None else [],
                "cause": "tracks", "cap": ident_of[(level, event)][1],
            }))  # fmt: skip
        for (_, event), (seq, ident) in ident_of.items():
            msg_type = {"onset": "Alert", "update": "Update", "clear": "Cancel"}[event]
            xml = cap_xml(seq, t_s, msg_type)
            items.append(("cap_issued", t_s, {"identifier": ident, "seq": seq, "xml": xml}))
        yield items


def write_log(
    elog: EventLog,
    rng: np.random.Generator,
    zones: list[str],
    n_steps: int,
    snapshot_p: float,
    keep_caps: int = 20,
) -> list[int]:
    """Append ``n_steps`` steps, with a snapshot after any event with chance
    ``snapshot_p``; return the snapshots' seqs."""
    fold = DecisionFold(keep_caps)
    snaps = []
    for items in steps(rng, zones, n_steps):
        for kind, t_s, payload in items:
            elog.append(kind, t_s, payload)
            if rng.random() < snapshot_p:
                fold.follow(elog)
                snaps.append(store_snapshot(elog, t_s, snapshot_payload(fold)))
    elog.flush()
    return snaps
