"""Resume a live engine from its event log after a restart (clean or ``kill -9``).

Alert decisions come back from ``alert_decided`` events (``alert.restore``);
the CAP sequence and the references that later Updates need, from
``cap_issued``; the tracks, by running the records of the last ``warm_s``
seconds (``record_taken``) through the tracker again, so that a threat still
in the air sustains its alerts instead of being found anew.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from tocsin.engine import Engine
from tocsin.ingest import Intake
from tocsin.messages import AlertChange, Detection
from tocsin.publish.rows import change_to_row
from tocsin.store.base import EventLog

log = logging.getLogger(__name__)

_TAG = {k: re.compile(rf"<{k}>([^<]*)</{k}>") for k in ("sent", "sender", "msgType", "status")}


@dataclass(frozen=True, slots=True, kw_only=True)
class CapEntry:
    """What the feed says of one CAP message."""

    seq: int
    identifier: str
    sent: str
    sender: str
    msg_type: str
    status: str
    level: str
    event: str
    zones: int


@dataclass(slots=True)
class Resumed:
    active: dict[tuple[str, str], dict] = field(default_factory=dict)  # (zone, level) -> row
    caps: list[CapEntry] = field(default_factory=list)
    warm_records: int = 0


def resume(engine: Engine, log_: EventLog, intake: Intake, now_s: float, warm_s: float,
           cap_dir: Path) -> Resumed:  # fmt: skip
    """Bring ``engine`` back to where the log leaves it; rewrite CAP files a crash lost."""
    out = Resumed()
    changes: list[tuple[AlertChange, str | None]] = []
    caps: dict[str, CapEntry] = {}
    last_row: dict[tuple[str, str], dict] = {}
    exercise = engine.settings.status != "Actual"
    for ev in log_.read(["alert_decided", "cap_issued"]):
        p = ev.payload
        if ev.kind == "cap_issued":
            xml = p["xml"]
            tag = {k: (m.group(1) if (m := rx.search(xml)) else "") for k, rx in _TAG.items()}
            caps[p["identifier"]] = CapEntry(
                seq=int(p["seq"]), identifier=p["identifier"], sent=tag["sent"],
                sender=tag["sender"], msg_type=tag["msgType"], status=tag["status"],
                level="", event="", zones=0,
            )  # fmt: skip
            path = cap_dir / f"{int(p['seq'])}.xml"
            if not path.exists():
                path.write_bytes(xml.encode("utf-8"))
            continue
        c = AlertChange(
            t_s=ev.t_s, zone=p["zone"], event=p["event"], level=p["level"], eta_s=p.get("eta_s"),
            tracks=tuple(p.get("tracks") or ()), cause=p.get("cause", "tracks"), exercise=exercise,
        )  # fmt: skip
        changes.append((c, p.get("cap")))
        row = change_to_row(c, p.get("cap"))
        if c.event == "clear":
            last_row.pop((c.zone, c.level), None)
        else:
            last_row[(c.zone, c.level)] = row
    cap_seq, refs = _cap_state(caps, changes, last_row)
    in_force = engine.resume((c for c, _ in changes), now_s, cap_seq, refs)
    out.active = last_row
    out.caps = sorted(caps.values(), key=lambda e: e.seq)
    out.warm_records = _warm_tracks(engine, log_, intake, now_s, warm_s)
    log.info(
        "resumed from the event log",
        extra={"alerts_in_force": in_force, "cap_messages": len(caps),
               "warm_records": out.warm_records},
    )  # fmt: skip
    return out


def _cap_state(caps: dict[str, CapEntry], changes, last_row) -> tuple[int, dict]:
    """The last CAP sequence number, what the next Update of each alert references; and
    (in ``caps``) each message's level, event and zone count, for the feed."""
    cap_seq = max((e.seq for e in caps.values()), default=0)
    refs = {}
    for (zone, level), row in last_row.items():
        entry = caps.get(row["cap"])
        if entry is not None:
            refs[(zone, level)] = (entry.sender, entry.identifier, entry.sent)
    zones: dict[str, int] = {}
    for c, ident in changes:
        entry = caps.get(ident)
        if entry is not None:
            zones[ident] = zones.get(ident, 0) + 1
            caps[ident] = replace(entry, level=c.level, event=c.event, zones=zones[ident])
    return cap_seq, refs


def _warm_tracks(engine: Engine, log_: EventLog, intake: Intake, now_s: float,
                 warm_s: float) -> int:  # fmt: skip
    """Run the records of the last warm_s through the tracker again, second by second."""
    if warm_s <= 0:
        return 0
    first = _first_seq_after(log_, now_s - warm_s)
    if first is None:
        return 0
    dets: list[Detection] = []
    for ev in log_.read(["record_taken"], since_seq=first - 1):
        line = ev.payload.get("line")
        if isinstance(line, str):
            d = intake.take(line, ev.seq, rx_override=ev.t_s)
            if isinstance(d, Detection):
                dets.append(d)
    dets.sort(key=lambda d: (d.rx_s, d.seq))
    tr, i = engine.tracker, 0
    while i < len(dets):
        t_next = math.floor(dets[i].rx_s) + 1
        j = i
        while j < len(dets) and dets[j].rx_s < t_next:
            j += 1
        tr.process(dets[i:j])
        tr.maintain(float(t_next))
        i = j
    return len(dets)


def _first_seq_after(log_: EventLog, wall_s: float) -> int | None:
    """The first event's seq whose wall clock is at or after wall_s (binary search)."""
    lo, hi = 1, log_.last_seq()
    if hi == 0:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        ev = next(iter(log_.read(since_seq=mid - 1, limit=1)))
        if ev.wall_s < wall_s:
            lo = mid + 1
        else:
            hi = mid
    ev = next(iter(log_.read(since_seq=lo - 1, limit=1)))
    return lo if ev.wall_s >= wall_s else None
