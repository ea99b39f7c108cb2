"""Which zones each confirmed track may reach over the horizon, and when.

A track's predicted ground path is its straight constant-velocity line; the
place it may be at time τ ahead is a disc around that line whose radius grows
with τ: the position and velocity uncertainty of the track (k sigma), plus a
turn allowance (the drone may change heading by a few degrees unseen), plus
D_hit. A zone's ETA is the first τ at which its centre lies in that disc.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tocsin.geo import Zones
from tocsin.types import D_HIT_M, FloatArray, IntArray


@dataclass(frozen=True, slots=True)
class ReachSettings:
    horizon_s: float = 900.0
    k_sigma: float = 2.0
    sigma_cap_m: float = 6000.0  # a track this unsure has little to say about where it goes
    turn_allowance_deg: float = 8.0
    d_hit_m: float = D_HIT_M
    resolution_s: float = 2.0  # ETAs are found to within this


@dataclass(frozen=True, slots=True)
class ZoneThreats:
    """(track, zone) pairs that a track may reach within the horizon, with ETAs.

    ``zone (K,)`` zone indices, ``track (K,)`` indices into the assessed tracks,
    ``eta_s (K,)`` seconds from the assessment time; sorted by zone then ETA.
    """

    zone: IntArray
    track: IntArray
    eta_s: FloatArray

    def earliest(self) -> tuple[IntArray, FloatArray]:
        """Each threatened zone (unique, ascending) and its earliest ETA."""
        if len(self.zone) == 0:
            return self.zone, self.eta_s
        first = np.r_[True, self.zone[1:] != self.zone[:-1]]
        return self.zone[first], self.eta_s[first]


def zone_threats(zones: Zones, states: FloatArray, covs: FloatArray, s: ReachSettings) -> ZoneThreats:
    """Threats of tracks with states (N, 6) and covariances (N, 6, 6) to the zones.

    For one (track, zone) pair the distance to the predicted position falls
    until the closest approach while the disc's radius only grows, so the gap
    between them is monotone there and the first crossing is found by
    bisection, for all pairs at once.
    """
    n = len(states)
    if n == 0 or len(zones) == 0:
        empty = np.zeros(0, np.int64)
        return ZoneThreats(zone=empty, track=empty, eta_s=np.zeros(0))
    p, v = states[:, :2], states[:, 3:5]
    speed = np.hypot(v[:, 0], v[:, 1])
    sp2 = 0.5 * (covs[:, 0, 0] + covs[:, 1, 1])
    sv2 = 0.5 * (covs[:, 3, 3] + covs[:, 4, 4])
    turn = math.tan(math.radians(s.turn_allowance_deg))
    h = s.horizon_s

    def gap(t_, z_, tau):
        """Distance to the predicted position minus the disc's radius at tau."""
        d = np.hypot(zones.x_m[z_] - p[t_, 0] - v[t_, 0] * tau, zones.y_m[z_] - p[t_, 1] - v[t_, 1] * tau)
        spread = np.minimum(s.k_sigma * np.sqrt(sp2[t_] + sv2[t_] * tau * tau), s.sigma_cap_m)
        return d - (s.d_hit_m + spread + turn * speed[t_] * tau)

    r_max = s.d_hit_m + s.sigma_cap_m + turn * speed * h
    half = 0.5 * speed * h
    mid = p + v * (0.5 * h)
    trk, zn = zones.within(mid[:, 0], mid[:, 1], half + r_max)
    # Time of closest approach of each pair, within [0, horizon].
    rel_x, rel_y = zones.x_m[zn] - p[trk, 0], zones.y_m[zn] - p[trk, 1]
    v2 = np.maximum(speed[trk] ** 2, 1e-9)
    t_ca = np.clip((rel_x * v[trk, 0] + rel_y * v[trk, 1]) / v2, 0.0, h)
    g0, g_ca, g_h = gap(trk, zn, 0.0), gap(trk, zn, t_ca), gap(trk, zn, np.full(len(trk), h))
    # Reached before or at closest approach (monotone there), or only after it.
    lo = np.where(g_ca <= 0, 0.0, t_ca)
    hi = np.where(g_ca <= 0, t_ca, h)
    hit = (g0 <= 0) | (g_ca <= 0) | (g_h <= 0)
    lo[g0 <= 0] = hi[g0 <= 0] = 0.0
    trk, zn, lo, hi = trk[hit], zn[hit], lo[hit], hi[hit]
    while len(hi) and np.max(hi - lo) > s.resolution_s:
        mid_t = 0.5 * (lo + hi)
        inside = gap(trk, zn, mid_t) <= 0
        hi = np.where(inside, mid_t, hi)
        lo = np.where(inside, lo, mid_t)
    order = np.lexsort((trk, hi, zn))
    return ZoneThreats(zone=zn[order], track=trk[order], eta_s=hi[order])
