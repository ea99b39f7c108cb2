"""The composition root: one deterministic core from detections to alert decisions.

``Engine.step(now_s, detections)`` is called with the detections that arrived
before ``now_s``: in replay once per whole second of the records' clock; in the
live service as soon as records come (at most every ``step_gap_s``) and at each
tick of the wall clock.
It tracks, assesses, decides, encodes CAP, stores every decision in the event
log (flushed before anything is published), and returns what changed. Replay,
the live service and drills all drive this same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tocsin.alert.cap import CapMessage, CapSettings, changes_to_cap, validate_cap
from tocsin.alert.manual import ManualBook, ManualOrder, dress, order_payload
from tocsin.alert.restore import restore_alerts
from tocsin.alert.shelter import ShelterSettings, shelter_times
from tocsin.alert.standdown import StandDownBook, StandDownOrder, stand_down_payload
from tocsin.alert.state import AlertPolicy, ZoneAlerts
from tocsin.assess import ReachSettings, ThreatCache
from tocsin.geo import Region
from tocsin.messages import AlertChange, Detection, Sensor, TrackConfirmed, TrackDeleted
from tocsin.store.base import EventLog
from tocsin.track import MultiSensorTracker, TrackerSettings
from tocsin.track.table import CONFIRMED, STATUS_NAMES


@dataclass(frozen=True, slots=True)
class EngineSettings:
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    reach: ReachSettings = field(default_factory=ReachSettings)
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    shelter: ShelterSettings = field(default_factory=ShelterSettings)
    fresh_s: float = 30.0  # a confirmed track silent longer than this starts no new warning
    assess_period_s: float = 2.0  # how often threats are reassessed when nothing new is confirmed
    status: str = "Exercise"  # CAP status: Exercise for drills, simulations and replays
    validate_cap: bool = False  # check every message against the CAP schema as it is made


@dataclass(frozen=True, slots=True)
class TrackRows:
    """Every live track's state at one whole second, as arrays (N,), plus deletions."""

    t_s: float
    ids: list[str]
    status: list[str]
    states: np.ndarray  # (N, 6)
    sigma_m: np.ndarray  # (N,)
    sensors: list[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class StepResult:
    t_s: float
    tracks: TrackRows
    track_events: list[TrackConfirmed | TrackDeleted]
    changes: list[AlertChange]
    caps: list[CapMessage]
    cap_of: dict[int, str]  # index in changes -> identifier of the CAP message announcing it


class Engine:
    """Sensor detections in, tracks and zone alert decisions out."""

    def __init__(
        self,
        region: Region,
        sensors: dict[str, Sensor],
        cap: CapSettings,
        settings: EngineSettings | None = None,
        log: EventLog | None = None,
    ) -> None:
        self.region = region
        self.settings = settings or EngineSettings()
        self.cap_settings = cap
        self.log = log
        self.tracker = MultiSensorTracker(sensors, self.settings.tracker)
        self.alerts = ZoneAlerts(
            region.zones.ids,
            self.settings.policy,
            exercise=self.settings.status != "Actual",
            shelter_s=shelter_times(region, self.settings.shelter),
        )
        self.threats = ThreatCache(region.zones, self.settings.reach)  # kept between steps
        self.manual_alerts = ManualBook()  # alerts issued by duty officers (alert/manual.py)
        self.stand_downs = StandDownBook()  # automatic alerts cancelled (alert/standdown.py)
        self._cap_seq = 0
        self._refs: dict[tuple[str, str], tuple[str, str, str]] = {}  # (zone, level) -> last CAP
        self._prev_t: float | None = None
        self._last_assess = -np.inf
        self.counts = {
            "detections": 0,
            "tracks_confirmed": 0,
            "alert_changes": 0,
            "cap_messages": 0,
        }

    def step(self, now_s: float, detections: Sequence[Detection]) -> StepResult:
        """Process the detections that arrived up to now_s; decide; store; report."""
        tr = self.tracker
        dets = list(detections)
        events: list[TrackConfirmed | TrackDeleted] = list(tr.process(dets)) if dets else []
        self.counts["detections"] += len(dets)
        events += tr.maintain(now_s)
        t_dec = max((d.rx_s for d in dets), default=now_s)
        changes: list[AlertChange] = []
        if any(isinstance(e, TrackConfirmed) for e in events) or (
            now_s - self._last_assess >= self.settings.assess_period_s
        ):
            changes = self.stand_downs.screen(t_dec, self._assess_and_decide(t_dec), self.alerts)
            changes = self.manual_alerts.screen(changes)
            self._last_assess = now_s
        caps, cap_of = self._encode(changes)
        self._store(events, changes, caps, cap_of)
        self._prev_t = now_s
        self.counts["tracks_confirmed"] += sum(isinstance(e, TrackConfirmed) for e in events)
        self.counts["alert_changes"] += len(changes)
        self.counts["cap_messages"] += len(caps)
        rows = self._rows(now_s, [e.track for e in events if isinstance(e, TrackDeleted)])
        return StepResult(now_s, rows, events, changes, caps, cap_of)

    def resume(
        self,
        changes: Iterable[AlertChange],
        now_s: float,
        cap_seq: int,
        refs: dict[tuple[str, str], tuple[str, str, str]],
    ) -> int:
        """Take up, after a restart, where the event log leaves off; returns the alerts in force.

        ``changes`` are the stored alert decisions in log order (alert/restore.py
        says what they leave in force), ``cap_seq`` the last CAP sequence number
        issued (the next message is ``cap_seq + 1``), and ``refs`` the (sender,
        identifier, sent) of the last message of each (zone, level) in force, which
        its next Update or all-clear references.
        """
        in_force = restore_alerts(self.alerts, changes, now_s)
        self._cap_seq = max(self._cap_seq, cap_seq)
        self._refs.update(refs)
        return in_force

    def manual(self, t_s: float, order: ManualOrder) -> StepResult:
        """An operator's approved alert, cancel or correction, or the expiry of manual alerts:
        decided by the manual book, encoded as CAP, stored, then returned like a step.

        ValueError (nothing stored) if the order cannot be carried out.
        """
        changes = self.manual_alerts.decide(t_s, order, self.alerts)
        template = order.alert.template if order.action == "issue" else order.template
        caps, cap_of = self._encode(
            changes,
            msg_type="Cancel" if order.action == "cancel" else None,
            template=template,
            refs=self.manual_alerts.references(order),
        )
        if self.log is not None:
            payload = order_payload(order, self.manual_alerts, caps, t_s)
            self.log.append("manual_action", t_s, payload)
        self.manual_alerts.record(order, caps, t_s)
        self._store([], changes, caps, cap_of)
        if self.log is not None:
            self.log.flush()
        self.counts["alert_changes"] += len(changes)
        self.counts["cap_messages"] += len(caps)
        return StepResult(t_s, self._rows(t_s, []), [], changes, caps, cap_of)

    def stand_down(self, t_s: float, order: StandDownOrder) -> StepResult:
        """An operator's cancel of an automatic alert: one CAP Cancel for the zones, which
        then stand down (alert/standdown.py); stored, then returned like a step.

        ValueError (nothing stored) if a zone is not under an automatic alert at the level.
        """
        changes = self.stand_downs.decide(t_s, order, self.alerts)
        caps, cap_of = self._encode(changes, msg_type="Cancel", template=order.template)
        known = self.live_tracks()
        if self.log is not None:
            self.log.append("manual_action", t_s, stand_down_payload(t_s, order, known, caps))
        self.stand_downs.record(t_s, order, self.alerts, known)
        self._store([], changes, caps, cap_of)
        self.counts["alert_changes"] += len(changes)
        self.counts["cap_messages"] += len(caps)
        return StepResult(t_s, self._rows(t_s, []), [], changes, caps, cap_of)

    def live_tracks(self) -> set[str]:
        """Ids of the tracks the tracker holds now, confirmed or not."""
        tab = self.tracker.table
        return {tab.ids[k] for k in tab.live()}

    def announced(self, zone: str, level: str) -> str | None:
        """The identifier of the last CAP message of ``zone`` at ``level`` while in force."""
        ref = self._refs.get((zone, level))
        return ref[1] if ref else None

    def _assess_and_decide(self, t_s: float) -> list[AlertChange]:
        tab = self.tracker.table
        live = tab.live()
        confirmed = live[tab.status[live] == CONFIRMED]
        # Tracks only the public has reported are assessed too, for advisories only:
        # a report reaches Tocsin minutes late, kilometres off, and may be mistaken.
        idx = np.union1d(confirmed, self.tracker.sighted())
        x, P = self.tracker.predicted(idx, t_s)
        th = self.threats.threats(t_s, idx, x, P)
        may_warn = (tab.status[idx] == CONFIRMED)[th.track]
        # A track gone silent may have struck or turned unseen: it keeps the warnings it
        # started until its deletion, but starts no new ones. Nor does a pass that is
        # possible but unlikely (the wide edge of a cone): that zone gets an advisory.
        fresh = (t_s - tab.last_update_s[idx]) <= self.settings.fresh_s
        # A warning is kept while the zone stays in a corridor or, with p_keep, while a
        # pass stays that likely: hysteresis in the chance itself (docs/engine.md).
        rs = self.settings.reach
        firm = may_warn & (fresh[th.track] | (th.eta_s == 0.0)) & (th.p_hit >= rs.p_warn)
        z_all, eta_all = th.earliest()
        z_keep, eta_keep = th.earliest(may_warn & (th.p_hit >= min(rs.p_keep, rs.p_warn)))
        # A zone that a likely pass will reach is warned by the earliest time any threat
        # may arrive: the likely pass justifies the warning, the earliest one times it.
        z_firm, _ = th.earliest(firm)
        may_start = np.isin(z_keep, z_firm)
        threats = {"advisory": (z_all, eta_all, None), "warning": (z_keep, eta_keep, may_start)}
        reach, rows = self.alerts.reach_s, idx.tolist()

        def tracks_of(z: int) -> tuple[str, ...]:
            a, b = np.searchsorted(th.zone, [z, z + 1]).tolist()
            near = zip(th.track[a:b].tolist(), th.eta_s[a:b].tolist(), strict=True)
            return tuple(tab.ids[rows[k]] for k in sorted({k for k, eta in near if eta <= reach}))

        return self.alerts.step(t_s, threats, tracks_of, previous_t_s=self._prev_t)

    def _encode(
        self,
        changes: list[AlertChange],
        *,
        msg_type: str | None = None,
        template: str | None = None,
        refs: Iterable[tuple[str, str, str]] = (),
    ) -> tuple[list[CapMessage], dict[int, str]]:
        """CAP for ``changes``; an operator's order gives its type, text and references."""
        groups: dict[tuple[float, str, str, bool], list[int]] = {}
        for i, c in enumerate(changes):
            groups.setdefault((c.t_s, c.level, c.event, c.exercise), []).append(i)
        caps, cap_of = [], {}
        for (_, level, event, exercise), members in groups.items():
            group = [changes[i] for i in members]
            amends = set(refs)
            if event != "onset":
                amends |= {self._refs[(c.zone, level)] for c in group
                           if (c.zone, level) in self._refs}  # fmt: skip
            self._cap_seq += 1
            msg = changes_to_cap(
                group,
                seq=self._cap_seq,
                region=self.region,
                settings=self.cap_settings,
                references=sorted(amends),
                # a drill among live alerts (manual alerts only) is an Exercise
                status=self.settings.status if exercise == self.alerts.exercise else "Exercise",
                msg_type=msg_type,
            )
            if template:
                msg = dress(msg, template, self.cap_settings.languages)
            if self.settings.validate_cap:
                validate_cap(msg.xml)
            ref = (self.cap_settings.sender, msg.identifier, msg.sent)
            for c in group:
                if event == "clear":
                    self._refs.pop((c.zone, level), None)
                else:
                    self._refs[(c.zone, level)] = ref
            caps.append(msg)
            cap_of.update({i: msg.identifier for i in members})
        return caps, cap_of

    def _store(self, events, changes, caps, cap_of) -> None:
        if self.log is None:
            return
        items = []
        for e in events:
            if isinstance(e, TrackConfirmed):
                items.append(
                    ("track_confirmed", e.t_s, {"track": e.track, "sensors": list(e.sensors)})
                )
            else:
                items.append(("track_deleted", e.t_s, {"track": e.track, "reason": e.reason}))
        for i, c in enumerate(changes):
            items.append(
                (
                    "alert_decided",
                    c.t_s,
                    {
                        "zone": c.zone,
                        "event": c.event,
                        "level": c.level,
                        "eta_s": c.eta_s,
                        "tracks": list(c.tracks),
                        "cause": c.cause,
                        "cap": cap_of.get(i),
                    },
                )
            )
        for m in caps:
            items.append(
                (
                    "cap_issued",
                    changes[0].t_s if changes else 0.0,
                    {
                        "identifier": m.identifier,
                        "seq": m.seq,
                        "xml": m.xml.decode("utf-8"),
                    },
                )
            )
        if items:
            self.log.append_many(items)
        if changes:
            self.log.flush()  # a decision is durable before anyone is told of it

    def _rows(self, now_s: float, deleted: list[str]) -> TrackRows:
        """Live tracks at now_s, then a closing row for each track deleted in this step."""
        tr, tab = self.tracker, self.tracker.table
        live = np.concatenate([tab.live(), [tab.index_of(t) for t in deleted]]).astype(np.int64)
        ids = [tab.ids[k] for k in live]
        status = [STATUS_NAMES[tab.status[k]] for k in live]
        x, P = tr.predicted(live, now_s)
        sensors = [tr.recent_sensors(k, now_s) for k in live]
        return TrackRows(now_s, ids, status, x, tr.sigma_m(P), sensors)
