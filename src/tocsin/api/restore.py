"""Resume a live engine from its event log after a restart (clean or ``kill -9``).

Alert decisions, the CAP sequence and the references that later Updates need
come back from the ``alert_decided`` and ``cap_issued`` events
(api/decisions.py), read from the newest valid snapshot on (api/snapshot.py)
or, without one, from the start of the log; the alerts in force are then set in
the engine (``alert.restore``). The tracks come back by running the records of
the last ``warm_s`` seconds (``record_taken``) through the tracker again, so
that a threat still in the air sustains its alerts instead of being found anew.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.api.decisions import CapEntry, DecisionFold
from tocsin.api.snapshot import newest_fold
from tocsin.engine import Engine
from tocsin.ingest import Intake
from tocsin.messages import Detection
from tocsin.store.base import EventLog

__all__ = ["CapEntry", "Resumed", "resume"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Resumed:
    active: dict[tuple[str, str], dict] = field(default_factory=dict)  # (zone, level) -> row
    caps: list[CapEntry] = field(default_factory=list)  # the newest, in sequence order
    warm_records: int = 0
    fold: DecisionFold | None = None  # where the log was left, for the snapshots to go on
    snapshot_seq: int = 0  # the snapshot read (0: none, the whole log was read)
    tail_decisions: int = 0  # decisions read after it


def resume(engine: Engine, log_: EventLog, intake: Intake, now_s: float, warm_s: float,
           cap_dir: Path, keep_caps: int = 200, snapshots: bool = True) -> Resumed:  # fmt: skip
    """Bring ``engine`` back to where the log leaves it; rewrite CAP files a crash lost.

    ``keep_caps`` is how many of the newest CAP messages come back for the feed;
    ``snapshots=False`` reads the whole log even if it holds snapshots.
    """
    out = Resumed()
    fold = newest_fold(log_, keep_caps) if snapshots else None
    if fold is not None:
        out.snapshot_seq = fold.seq
    else:
        fold = DecisionFold(keep_caps)
    out.tail_decisions = fold.follow(log_, cap_dir)
    exercise = engine.settings.status != "Actual"
    in_force = engine.resume(fold.in_force(exercise), now_s, fold.cap_seq, fold.refs())
    out.active = fold.rows(exercise)
    out.caps = fold.feed()
    out.fold = fold
    out.warm_records = _warm_tracks(engine, log_, intake, now_s, warm_s)
    log.info(
        "resumed from the event log",
        extra={"alerts_in_force": in_force, "cap_seq": fold.cap_seq,
               "snapshot_upto_seq": out.snapshot_seq, "tail_decisions": out.tail_decisions,
               "warm_records": out.warm_records},
    )  # fmt: skip
    return out


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
