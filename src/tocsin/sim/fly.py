"""Fly a planned raid: coordinated turns between waypoints, sampled every whole second.

All drones are stepped together, one second at a time. A drone steers towards
its next waypoint at the turn rate of a coordinated turn at its bank angle
(omega = g tan(bank) / v, 3-6 deg/s for a Shahed-type drone), starts a turn
about one turn radius before the waypoint, climbs or descends at a few m/s
between leg altitudes and, if it strikes, dives onto its settlement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tocsin.geo import LocalFrame, Region
from tocsin.sim.earth import enu_of
from tocsin.sim.raid import Raid
from tocsin.types import BoolArray, FloatArray, IntArray

G_MPS2 = 9.81
CLIMB_MPS = 4.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """Flown trajectories: flat arrays (K,) target-major and in time order within a
    target, plus per-target arrays (N,): `first` index, sample `count`, `t0_s`."""

    target: IntArray
    t_s: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    alt_m: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    first: IntArray
    count: IntArray
    t0_s: FloatArray
    impact: BoolArray  # the flight ended on its destination

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def t1_s(self) -> FloatArray:
        """Time of each target's last sample (its first one if it never flew)."""
        return self.t0_s + np.maximum(self.count - 1, 0)

    def at(self, target: IntArray, t_s: FloatArray, names: tuple[str, ...]) -> list[FloatArray]:
        """Truth columns `names` of targets (M,) at times (M,), linearly interpolated
        between whole seconds (held at the ends of a flight)."""
        target = np.asarray(target, np.int64)
        u = np.asarray(t_s, float) - self.t0_s[target]
        last = np.maximum(self.count[target] - 1, 0)
        j = np.clip(np.floor(u), 0, np.maximum(last - 1, 0)).astype(np.int64)
        f = np.clip(u - j, 0.0, 1.0)
        k0 = self.first[target] + j
        k1 = k0 + (last > 0)
        out = []
        for name in names:
            a = getattr(self, name)
            out.append(a[k0] + f * (a[k1] - a[k0]))
        return out

    def velocity_en(self, target: IntArray, t_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """East and north velocity (m/s) of targets (M,) at times (M,), true north."""
        lat0, lon0, alt0 = self.at(target, t_s - 0.5, ("lat_deg", "lon_deg", "alt_m"))
        lat1, lon1, alt1 = self.at(target, t_s + 0.5, ("lat_deg", "lon_deg", "alt_m"))
        e, n, _ = enu_of(lat0, lon0, alt0, lat1, lon1, alt1)
        return e, n


def fly(
    raid: Raid,
    region: Region,
    ground_alt_m: float,
    end_s: float,
    progress: Callable[[float], None] | None = None,
) -> Truth:
    """Fly every drone from its launch until it arrives or the scenario ends at end_s."""
    f = _Flight(raid, ground_alt_m)
    launches = np.unique(raid.launch_s).astype(np.int64)
    s0, s_end = int(launches[0]), int(np.floor(end_s))
    samples: list[tuple] = []
    s = s0
    while s <= s_end:
        f.launch(s)
        idx = np.flatnonzero(f.active | f.landed)
        samples.append((s, idx, f.x[idx], f.y[idx], f.alt[idx]))
        f.landed[idx] = False
        f.step()
        s += 1
        if not (f.active.any() or f.landed.any()):  # nobody in the air: skip to the next launch
            later = launches[launches >= s]
            if not len(later):
                break
            s = int(later[0])
        if progress is not None and (s - s0) % 300 == 0:
            progress((s - s0) / max(s_end - s0, 1))
    return _truth(samples, raid, region, f.arrived)


class _Flight:
    """The state of all drones while they fly; arrays (N,)."""

    def __init__(self, raid: Raid, ground_alt_m: float) -> None:
        n = len(raid)
        self.raid, self.ground_alt_m, self.ar = raid, ground_alt_m, np.arange(n)
        wp = raid.waypoints_m
        self.wx, self.wy = wp[..., 0].copy(), wp[..., 1].copy()
        legs = np.diff(wp, axis=1)
        legs /= np.maximum(np.hypot(legs[..., 0], legs[..., 1]), 1e-9)[..., None]
        self.lx, self.ly = legs[..., 0].copy(), legs[..., 1].copy()
        v = raid.speed_mps
        self.omega = G_MPS2 * np.tan(np.radians(raid.bank_deg)) / v  # rad per 1-s step
        self.capture2 = np.maximum(v / self.omega, 300.0) ** 2  # turn one radius early
        self.x, self.y = self.wx[:, 0].copy(), self.wy[:, 0].copy()
        self.heading = np.arctan2(self.wx[:, 1] - self.x, self.wy[:, 1] - self.y)
        self.alt = raid.leg_alt_m[:, 1].copy()
        self.cur = np.ones(n, np.int64)
        self.active = np.zeros(n, bool)
        self.arrived = np.zeros(n, bool)
        self.landed = np.zeros(n, bool)  # arrived in the last step: one more sample
        self.pending = np.ones(n, bool)
        self._on_leg()

    def _on_leg(self) -> None:
        """Cache what depends on the current waypoint and on who flies."""
        ar, cur, r = self.ar, self.cur, self.raid
        self.cx, self.cy = self.wx[ar, cur], self.wy[ar, cur]
        self.clx, self.cly = self.lx[ar, cur - 1], self.ly[ar, cur - 1]
        self.last = cur == r.n_waypoints - 1
        self.goal = r.leg_alt_m[ar, cur]
        self.final = self.last & r.striker
        self.may_switch = self.active & ~self.last
        self.v = np.where(self.active, r.speed_mps, 0.0)
        self.turn_max = np.where(self.active, self.omega, 0.0)

    def launch(self, s: int) -> None:
        new = self.pending & (self.raid.launch_s == s)
        if new.any():
            self.pending &= ~new
            self.active |= new
            self._on_leg()

    def step(self) -> None:
        """Advance one second; a drone that arrives stops after its next sample."""
        dx, dy = self.cx - self.x, self.cy - self.y
        behind = dx * self.clx + dy * self.cly <= 0.0
        switch = self.may_switch & ((dx * dx + dy * dy < self.capture2) | behind)
        if switch.any():  # pass on to the next waypoint when it is near or behind
            self.cur += switch
            self._on_leg()
            dx, dy = self.cx - self.x, self.cy - self.y
        dist = np.hypot(dx, dy)
        turn = (np.arctan2(dx, dy) - self.heading + np.pi) % (2 * np.pi) - np.pi
        self.heading += np.minimum(np.maximum(turn, -self.turn_max), self.turn_max)
        self.x += self.v * np.sin(self.heading)
        self.y += self.v * np.cos(self.heading)
        # climb to the leg's altitude; a striker glides down onto its target
        agl = self.alt - self.ground_alt_m
        goal, rate = self.goal, CLIMB_MPS
        if self.final.any():
            dive = self.final & (dist < np.maximum(1500.0, 3.0 * agl))
            goal = np.where(dive, self.ground_alt_m, goal)
            rate = np.where(dive, agl / np.maximum(dist / self.raid.speed_mps, 1.0), rate)
        climb = np.minimum(np.maximum(goal - self.alt, -rate), rate)
        self.alt += np.where(self.active, climb, 0.0)
        arrive = self.active & self.last & (dist <= self.v)
        if not arrive.any():
            return
        self.x[arrive], self.y[arrive] = self.cx[arrive], self.cy[arrive]
        strike = arrive & self.raid.striker
        self.alt[strike] = self.ground_alt_m
        self.arrived |= arrive
        self.landed |= arrive
        self.active &= ~arrive
        self._on_leg()


def _truth(samples: list[tuple], raid: Raid, region: Region, arrived: BoolArray) -> Truth:
    if samples:
        t = np.concatenate([np.full(len(i), s, float) for s, i, *_ in samples])
        target, x, y, alt = (np.concatenate([row[k] for row in samples]) for k in range(1, 5))
    else:
        t, x, y, alt = (np.zeros(0) for _ in range(4))
        target = np.zeros(0, np.int64)
    return truth_from_samples(
        region.frame,
        len(raid),
        target,
        t,
        x,
        y,
        alt,
        impact=arrived & raid.striker,
        t_idle_s=raid.launch_s,
    )


def truth_from_samples(
    frame: LocalFrame, n: int, target, t_s, x_m, y_m, alt_m, *, impact=None, t_idle_s=None
) -> Truth:
    """A Truth from samples (K,) of n targets, each target's samples one second apart
    in time order. `t_idle_s (N,)` stands as t0 of a target without samples."""
    target = np.asarray(target, np.int64)
    order = np.argsort(target, kind="stable")
    target = target[order]
    t, x, y, alt = (np.asarray(a, float)[order] for a in (t_s, x_m, y_m, alt_m))
    count = np.bincount(target, minlength=n)
    first = np.r_[0, np.cumsum(count)[:-1]].astype(np.int64)
    lat, lon = frame.xy_to_latlng(x, y)
    t0 = np.zeros(n) if t_idle_s is None else np.asarray(t_idle_s, float).copy()
    t0[count > 0] = t[first[count > 0]]
    return Truth(
        target=target,
        t_s=t,
        x_m=x,
        y_m=y,
        alt_m=alt,
        lat_deg=np.atleast_1d(lat),
        lon_deg=np.atleast_1d(lon),
        first=first,
        count=count,
        t0_s=t0,
        impact=np.zeros(n, bool) if impact is None else impact,
    )
