"""The zone alert state machine: advisory and warning, each with onset, update, clear.

Each level is kept apart (a zone can be under both). A zone enters a level
when a threat's ETA falls within that level's horizon, stays in it while the
ETA is within the horizon plus a hysteresis margin, and is cleared only after
no threat has been within that reach for ``hold_s``: so no zone flickers, and
none stays under alert once the threat has gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tocsin.messages import AlertChange
from tocsin.types import BoolArray, FloatArray, IntArray


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    warning_horizon_s: float = 300.0
    advisory_horizon_s: float = 900.0
    hysteresis_s: float = 120.0
    hold_s: float = 45.0  # a warning clears this long after the last threat within reach
    advisory_hold_s: float = 120.0  # advisories sit at the edge of wide cones: hold longer
    update_min_interval_s: float = 60.0
    update_eta_change_s: float = 60.0  # against the announced ETA counted down since,
    update_eta_share: float = 0.25  # or this share of it, whichever is larger
    renew_s: float = 1200.0  # an alert in force is re-announced before its CAP message expires

    def hold(self, level: str) -> float:
        return self.hold_s if level == "warning" else self.advisory_hold_s


class LevelState:
    """Arrays (Z,) of one level's state over all zones."""

    def __init__(self, n_zones: int) -> None:
        self.active = np.zeros(n_zones, bool)
        self.last_threat_s = np.full(n_zones, -np.inf)
        self.last_eta_s = np.zeros(n_zones)
        self.announced_s = np.full(n_zones, -np.inf)


class ZoneAlerts:
    """Decides alert changes for every zone from the assessed threats."""

    def __init__(
        self,
        zone_ids,
        policy: AlertPolicy | None = None,
        *,
        exercise: bool = True,
        shelter_s: FloatArray | None = None,
    ) -> None:
        self.zone_ids = np.asarray(zone_ids, dtype=object)
        self.policy = policy or AlertPolicy()
        self.exercise = exercise
        self.levels = {lvl: LevelState(len(self.zone_ids)) for lvl in ("advisory", "warning")}
        # Per zone and level: how far ahead of the threat an alert starts. A warning
        # starts at least max(the policy's warning horizon, the zone's time to reach
        # shelter) ahead (alert/shelter.py); an advisory never after the warning.
        n = len(self.zone_ids)
        shelter = np.zeros(n) if shelter_s is None else np.asarray(shelter_s, float)
        warning = np.maximum(self.policy.warning_horizon_s, shelter)
        self.horizon_s = {
            "advisory": np.maximum(self.policy.advisory_horizon_s, warning),
            "warning": warning,
        }

    @property
    def reach_s(self) -> float:
        """The furthest ETA that can start or keep any alert."""
        return max(float(h.max(initial=0.0)) for h in self.horizon_s.values()) + (
            self.policy.hysteresis_s
        )

    def step(
        self,
        t_s: float,
        threats: dict[str, tuple[IntArray, FloatArray, BoolArray | None]],
        tracks: Callable[[int], tuple[str, ...]],
        *,
        previous_t_s: float | None = None,
    ) -> list[AlertChange]:
        """Changes at t_s given, per level, each threatened zone's earliest ETA.

        ``threats[level] = (zones, eta_s, may_start)`` with unique zones; a
        threat whose ``may_start`` is False sustains an alert but starts none
        (None: every threat may start one); a level missing has no threat.
        ``tracks(z)`` names the tracks behind zone z's threat; it is asked only
        for zones that change. Clears that fell due since previous_t_s carry
        the instant they became due.
        """
        p = self.policy
        out: list[AlertChange] = []
        for level in ("advisory", "warning"):
            st = self.levels[level]
            zone, eta_s, may_start = threats.get(level, (np.zeros(0, np.int64), np.zeros(0), None))
            horizon = self.horizon_s[level][zone]
            keep = eta_s <= horizon + p.hysteresis_s
            z_keep, eta_keep, horizon = zone[keep], eta_s[keep], horizon[keep]
            start_ok = np.ones(len(z_keep), bool) if may_start is None else may_start[keep]
            was_active = st.active[z_keep]
            st.last_threat_s[z_keep[was_active]] = t_s
            # Clears: active zones with no threat within reach for hold_s.
            due = st.last_threat_s + p.hold(level)
            for z in np.flatnonzero(st.active & (due <= t_s)):
                st.active[z] = False
                t_clear = (
                    float(due[z]) if previous_t_s is None else max(float(due[z]), previous_t_s)
                )
                out.append(self._change(t_clear, z, "clear", level, None, (), "time"))
            onset = ~was_active & (eta_keep <= horizon) & start_ok
            # The announced ETA counts down; only a departure from that is news.
            expected = np.maximum(st.last_eta_s[z_keep] - (t_s - st.announced_s[z_keep]), 0.0)
            news = np.abs(eta_keep - expected) >= np.maximum(
                p.update_eta_change_s, p.update_eta_share * expected
            )
            since = t_s - st.announced_s[z_keep]
            update = was_active & (
                (news & (since >= p.update_min_interval_s)) | (since >= p.renew_s)
            )
            for mask, event in ((onset, "onset"), (update, "update")):
                zs, etas = z_keep[mask], eta_keep[mask]
                st.active[zs] = True
                st.last_threat_s[zs] = t_s
                st.last_eta_s[zs] = etas
                st.announced_s[zs] = t_s
                for z, eta in zip(zs, etas, strict=True):
                    out.append(
                        self._change(t_s, z, event, level, float(eta), tracks(int(z)), "tracks")
                    )
        out.sort(key=lambda c: (c.t_s, c.level, c.event, c.zone))
        return out

    def active_zones(self, level: str) -> IntArray:
        return np.flatnonzero(self.levels[level].active)

    def _change(self, t_s, z, event, level, eta, tracks, cause) -> AlertChange:
        return AlertChange(
            t_s=t_s,
            zone=str(self.zone_ids[z]),
            event=event,
            level=level,
            eta_s=eta,
            tracks=tuple(tracks),
            cause=cause,
            exercise=self.exercise,
        )
