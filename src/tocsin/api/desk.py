"""The duty desk, in the engine thread: drafts, manual alerts, drills and their audit trail.

Requests from the console queue jobs here (``submit``); after each stored
step the worker calls ``after_step``, which runs them with the engine and the
event log, then clears the manual alerts whose expiry has come; ``count``
tallies the records each sensor sent, as each step takes them (``health.py``).
Every login, logout, draft, approval, refusal, cancel, correction and drill
is an event in the log (``operator_action`` or ``manual_action``) naming the
account. What an approved order decides goes out like any step: stored, CAP
files written, handed to the channels and the public board.

The two-person rule is checked here, where the alert is made, whatever the
console sent: an account can never approve its own draft.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass

from tocsin.alert.manual import ManualAlert, ManualOrder
from tocsin.alert.standdown import StandDownOrder
from tocsin.alert.templates import check_template
from tocsin.api.health import SensorHealth
from tocsin.api.jobs import JobQueue
from tocsin.api.worker import EngineWorker, Inbound, Outbound
from tocsin.engine import Engine, StepResult
from tocsin.errors import StoreError
from tocsin.store.base import EventLog
from tocsin.types import ALERT_LEVELS

log = logging.getLogger(__name__)
Job = Callable[[Engine, EventLog, float], object]
MAX_HOLD_S = 24 * 3600.0
_NUMBER = re.compile(r"\d+$")


class Refused(ValueError):
    """The desk will not do what was asked (the two-person rule, an unknown draft, ...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    id: str
    level: str
    zones: tuple[str, ...]
    template: str
    hold_s: float  # held this long after approval unless cancelled
    exercise: bool
    drafted_by: str
    t_s: float


class Desk:
    def __init__(self, worker: EngineWorker, publish: Callable[[Outbound], None],
                 health: SensorHealth) -> None:  # fmt: skip
        self.worker, self._publish, self.health = worker, publish, health
        self.engine: Engine | None = None
        self.drafts: dict[str, Draft] = {}
        self.drill: dict | None = None  # {"by", "t_s"} while a drill runs
        self.live_exercise = True  # the service itself runs as an exercise
        self._n = {"D": 0, "M": 0}
        self._queue = JobQueue(
            Refused, "the service is stopping", "the service stopped before the action was taken"
        )

    # --- in the engine thread -------------------------------------------------------------

    def open(self, engine: Engine, elog: EventLog, board_rows: dict) -> None:
        """Restore the manual alerts in force, pending drafts and a running drill."""
        self.engine = engine
        self.live_exercise = engine.alerts.exercise
        actions = [e.payload for e in elog.read(["manual_action"])]
        engine.manual_alerts.restore(actions)
        engine.stand_downs.restore(actions, time.time())
        for p in actions:
            act = p.get("action")
            if act == "draft":
                d = p["draft"]
                self.drafts[d["id"]] = Draft(**{**d, "zones": tuple(d["zones"])})
            elif act in ("discard", "approved"):
                self.drafts.pop(p.get("draft_id", ""), None)
            elif act == "drill_start":
                self.drill = {"by": p["by"], "t_s": p["at_s"]}
            elif act == "drill_stop":
                self.drill = None
            for key, ident in (("D", p.get("draft", {}).get("id")),
                               ("M", p.get("alert", {}).get("id"))):  # fmt: skip
                if ident and _NUMBER.search(ident):
                    self._n[key] = max(self._n[key], int(_NUMBER.search(ident).group()))
        index = {str(z): i for i, z in enumerate(engine.alerts.zone_ids)}
        for a in engine.manual_alerts.alerts.values():  # held by the book, not by the tracks
            for z in a.zones:
                if z in index and a.exercise == engine.alerts.exercise:
                    engine.alerts.levels[a.level].active[index[z]] = False
                row = board_rows.get((z, a.level))
                if row is not None and a.exercise and not self.live_exercise:
                    row["exercise"] = True

    def after_step(self, elog: EventLog, t_s: float) -> None:
        for job, fut in self._queue.take():
            try:
                fut.set_result(job(self.engine, elog, t_s))
            except StoreError as e:  # the event log failed: loud and fatal, as for alerts
                fut.set_exception(e)
                raise
            except ValueError as e:  # refused: only the refusal itself was stored
                fut.set_exception(e)
            except Exception as e:  # a fault of one action must not stop the alerts
                log.exception("a console action failed", extra={"error": str(e)})
                fut.set_exception(e)
        if self.engine.manual_alerts.due(t_s):
            self._send(self.engine.manual(t_s, ManualOrder(action="expire", by="expiry")))

    def submit(self, job: Job) -> Future:
        return self._queue.submit(job)

    def close(self) -> None:
        self._queue.close()

    # --- jobs: each is called in the engine thread as job(engine, elog, t_s) ---------------

    @staticmethod
    def audit(action: str, by: str, **more) -> Job:
        def job(engine, elog, t_s):
            elog.append("operator_action", time.time(), {"action": action, "by": by, **more})
            elog.flush()

        return job

    def draft(self, by: str, level: str, zones: list[str], template: str, hold_s: float) -> Job:
        def job(engine: Engine, elog: EventLog, t_s: float) -> Draft:
            if level not in ALERT_LEVELS:
                raise Refused(f"'level' must be one of {', '.join(ALERT_LEVELS)}")
            check_template("alert", template)
            if not zones:
                raise Refused("pick one or more zones on the map or by settlement")
            unknown = [z for z, i in zip(zones, engine.region.zones.index(zones), strict=True)
                       if i < 0]  # fmt: skip
            if unknown:
                raise Refused(f"zones not in the region: {', '.join(unknown[:5])}")
            if not 60 <= hold_s <= MAX_HOLD_S:
                raise Refused("'hold_min' must be from 1 minute to 24 hours")
            self._n["D"] += 1
            exercise = self.drill is not None or self.live_exercise
            d = Draft(id=f"D{self._n['D']}", level=level, zones=tuple(dict.fromkeys(zones)),
                      template=template, hold_s=hold_s, exercise=exercise, drafted_by=by,
                      t_s=t_s)  # fmt: skip
            self._act(elog, t_s, "draft", by, draft={**asdict(d), "zones": list(d.zones)})
            self.drafts[d.id] = d
            return d

        return job

    def approve(self, by: str, draft_id: str) -> Job:
        def job(engine: Engine, elog: EventLog, t_s: float) -> StepResult:
            d = self.drafts.get(draft_id)
            if d is None:
                raise Refused(f"no draft {draft_id!r} waits for approval")
            if d.drafted_by == by:  # the two-person rule
                self._act(elog, t_s, "approval_refused", by, draft_id=draft_id,
                          reason="own draft")  # fmt: skip
                raise Refused("the account that drafted an alert cannot approve it")
            self._n["M"] += 1
            alert = ManualAlert(id=f"M{self._n['M']}", level=d.level, zones=d.zones,
                                template=d.template, expires_s=t_s + d.hold_s,
                                exercise=d.exercise, drafted_by=d.drafted_by,
                                approved_by=by)  # fmt: skip
            result = engine.manual(t_s, ManualOrder(action="issue", alert=alert, by=by))
            self._act(elog, t_s, "approved", by, draft_id=draft_id, alert_id=alert.id)
            del self.drafts[draft_id]
            self._send(result)
            return result

        return job

    def discard(self, by: str, draft_id: str, supervisor: bool) -> Job:
        def job(engine: Engine, elog: EventLog, t_s: float) -> None:
            d = self.drafts.get(draft_id)
            if d is None:
                raise Refused(f"no draft {draft_id!r}")
            if d.drafted_by != by and not supervisor:
                raise Refused("only the drafter or a supervisor discards a draft")
            self._act(elog, t_s, "discard", by, draft_id=draft_id)
            del self.drafts[draft_id]

        return job

    def order(self, by: str, action: str, alert_id: str, template: str,
              keep: tuple[str, ...] = ()) -> Job:  # fmt: skip
        def job(engine: Engine, elog: EventLog, t_s: float) -> StepResult:
            o = ManualOrder(action=action, alert_id=alert_id, template=template, keep=keep, by=by)
            result = engine.manual(t_s, o)
            self._send(result)
            return result

        return job

    def stand_down(self, by: str, level: str, zones: list[str], template: str,
                   hold_s: float) -> Job:  # fmt: skip
        """Cancel an automatic alert for ``zones`` at ``level``; they stand down ``hold_s``."""

        def job(engine: Engine, elog: EventLog, t_s: float) -> StepResult:
            try:
                o = StandDownOrder(level=level, zones=tuple(dict.fromkeys(zones)),
                                   template=template, hold_s=hold_s, by=by)  # fmt: skip
                result = engine.stand_down(t_s, o)
            except ValueError as e:
                self._act(elog, t_s, "stand_down_refused", by, level=level, zones=list(zones),
                          reason=str(e))  # fmt: skip
                raise
            self._send(result)
            return result

        return job

    def automatic(self, engine: Engine, t_s: float) -> tuple[list[dict], list[dict]]:
        """Automatic alerts in force, one per level and CAP message; zones stood down."""
        groups: dict[tuple[str, str], list[str]] = {}
        for level in ALERT_LEVELS:
            for z in engine.alerts.active_zones(level).tolist():
                zone = str(engine.alerts.zone_ids[z])
                groups.setdefault((level, engine.announced(zone, level) or ""), []).append(zone)
        held = [{"zone": s.zone, "level": s.level, "until_s": s.until_s, "by": s.by}
                for s in engine.stand_downs.active(t_s)]  # fmt: skip
        rows = [{"level": lvl, "cap": cap, "zones": zs} for (lvl, cap), zs in groups.items()]
        return rows, held

    def drill_switch(self, by: str, start: bool) -> Job:
        def job(engine: Engine, elog: EventLog, t_s: float) -> dict | None:
            if start == (self.drill is not None):
                raise Refused("a drill is already running" if start else "no drill is running")
            if start:
                self.drill = {"by": by, "t_s": t_s}
                self._act(elog, t_s, "drill_start", by)
                return self.drill
            self._act(elog, t_s, "drill_stop", by)
            self.drill = None
            if not self.live_exercise:  # a drill's alerts end with it; drafts are dropped
                for d in [d for d in self.drafts.values() if d.exercise]:
                    self._act(elog, t_s, "discard", by, draft_id=d.id)
                    del self.drafts[d.id]
                for a in [a for a in engine.manual_alerts.alerts.values() if a.exercise]:
                    self._send(engine.manual(t_s, ManualOrder(action="end", alert_id=a.id,
                                                              by=by)))  # fmt: skip
            return None

        return job

    # --- helpers ---------------------------------------------------------------------------

    def _act(self, elog: EventLog, t_s: float, action: str, by: str, **more) -> None:
        elog.append("manual_action", t_s, {"action": action, "by": by, "at_s": t_s, **more})
        elog.flush()

    def _send(self, result: StepResult) -> None:
        """Hand a stored manual result on: CAP files, then channels and the public board."""
        if not result.changes:
            return
        out = self.worker._outbound(result, None)
        if self.live_exercise is False:
            for row, c in zip(out.rows, result.changes, strict=True):
                if c.exercise:
                    row["exercise"] = True
        self._publish(out)

    def count(self, inbox: list[Inbound]) -> None:
        """The records of a step's requests, per sensor, for its health (health.py)."""
        for it in inbox:
            n, bad = len(it.detections) + len(it.rejections), len(it.rejections)
            self.health.seen_many(it.sensor, it.rx_s, n, bad)
