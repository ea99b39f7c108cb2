"""Which zones each confirmed track may reach over the horizon, and when.

A track's predicted ground path is its straight constant-velocity line. For
each zone near it, the closest approach splits the question in two:
*where*: the zone is threatened when the path passes within D_hit of it plus
a cross-track margin (k sigma of the track's cross-track error at that time,
which grows with the velocity uncertainty, plus a turn allowance: the drone
may change heading by a few degrees unseen); *when*: the ETA is the time the
predicted position comes within D_hit of the zone, brought forward by k sigma
of the along-track error. So the warning's extent follows the uncertainty
while its timing follows the drone.

Each pair also carries ``p_hit``, the chance that the drone passes within
D_hit of the zone's centre: ahead, the cross-track error taken as normal, with
the turn allowance as one more sigma; where the drone may already be, its
position error in both axes (a Rice distribution of the distance). The wide
corridor is what a zone may see (advisories); a warning starts only where a
hit is likely (``p_warn``) and is kept while the zone stays in the corridor
(or, with ``p_keep``, while a hit stays that likely). So the edges of a
widening cone, which the drone mostly misses, are told to be ready rather
than to take shelter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr
from scipy.stats import ncx2

from tocsin.geo import Zones
from tocsin.track import kalman
from tocsin.types import D_HIT_M, BoolArray, FloatArray, IntArray


@dataclass(frozen=True, slots=True)
class ReachSettings:
    horizon_s: float = 900.0
    k_cross: float = 1.5
    k_along: float = 1.5
    sigma_cap_m: float = 6000.0  # a track this unsure has little to say about where it goes
    turn_allowance_deg: float = 3.0
    d_hit_m: float = D_HIT_M
    min_speed_mps: float = 5.0  # slower tracks are treated as hovering where they are
    p_warn: float = 0.5  # a warning starts only where a pass within D_hit is this likely
    p_keep: float = 0.0  # and is kept while one is at least this likely (0: in the corridor)
    # Between assessments a track's threats are kept (assess/cache.py) until its predicted
    # path moves this far within reuse_lookahead_s (farther ahead, in proportion to how far
    # ahead: the corridor there is wider), or for reuse_max_s at most; reuse_m = 0 redoes
    # every track each time.
    reuse_m: float = 1000.0
    reuse_lookahead_s: float = 300.0
    reuse_max_s: float = 10.0


@dataclass(frozen=True, slots=True)
class ZoneThreats:
    """(track, zone) pairs that a track may reach within the horizon, with ETAs.

    ``zone (K,)`` zone indices, ``track (K,)`` indices into the assessed tracks,
    ``eta_s (K,)`` seconds from the assessment time, ``p_hit (K,)`` the chance
    that the track passes within D_hit of the zone, ``leave_s (K,)`` seconds
    until the predicted drone has passed the zone (inf for one hovering); sorted
    by zone then ETA.
    """

    zone: IntArray
    track: IntArray
    eta_s: FloatArray
    p_hit: FloatArray
    leave_s: FloatArray

    def earliest(self, keep: BoolArray | None = None) -> tuple[IntArray, FloatArray]:
        """Each threatened zone (unique, ascending) and its earliest ETA, of the pairs kept."""
        z, eta = (self.zone, self.eta_s) if keep is None else (self.zone[keep], self.eta_s[keep])
        if len(z) == 0:
            return z, eta
        first = np.r_[True, z[1:] != z[:-1]]
        return z[first], eta[first]


def zone_threats(
    zones: Zones, states: FloatArray, covs: FloatArray, s: ReachSettings
) -> ZoneThreats:
    """Threats of tracks with states (N, 6) and covariances (N, 6, 6) to the zones."""
    n = len(states)
    if n == 0 or len(zones) == 0:
        return empty_threats()
    p, v = states[:, :2], states[:, 3:5]
    speed = np.hypot(v[:, 0], v[:, 1])
    moving = speed >= s.min_speed_mps
    u = np.where(moving[:, None], v / np.maximum(speed, 1e-9)[:, None], 0.0)  # along-track unit
    nrm = np.c_[-u[:, 1], u[:, 0]]  # cross-track unit
    h = s.horizon_s
    turn = math.tan(math.radians(s.turn_allowance_deg))
    sig_p = np.sqrt(0.5 * (covs[:, 0, 0] + covs[:, 1, 1]))
    s_here = np.minimum(sig_p, s.sigma_cap_m)
    reach_m = np.where(moving, speed * h, 0.0)
    # Each track's corridor is bounded first: its position error along any
    # direction at time tau is at most sqrt(λ_pos) + tau sqrt(λ_vel) (Cauchy-Schwarz
    # on the position-velocity covariance), so the farthest a threatened zone may lie
    # across the path is known before any zone is looked at.
    s_max = np.minimum(
        kalman.major_sigma_m(covs) + h * kalman.major_sigma_m(covs[:, 3:5, 3:5]), s.sigma_cap_m
    )
    r_now = s.d_hit_m + s.k_cross * s_here  # where the drone may be now
    r_max = np.maximum(s.d_hit_m + s.k_cross * s_max + turn * reach_m, r_now)
    back = np.where(moving, r_now, 0.0)  # a zone behind the drone is threatened only if here
    ahead = np.where(moving, reach_m + s.d_hit_m + s.k_along * s_max, 0.0)
    trk, zn = zones.near_segments(
        p[:, 0] - u[:, 0] * back, p[:, 1] - u[:, 1] * back, u[:, 0], u[:, 1], back + ahead, r_max
    )
    rel_x, rel_y = zones.x_m[zn] - p[trk, 0], zones.y_m[zn] - p[trk, 1]
    along = rel_x * u[trk, 0] + rel_y * u[trk, 1]
    cross = np.abs(rel_x * nrm[trk, 0] + rel_y * nrm[trk, 1])
    dist = np.hypot(rel_x, rel_y)
    spd = np.maximum(speed[trk], s.min_speed_mps)
    t_ca = np.clip(along / spd, 0.0, h)
    s_cross = _sigma_along(covs, nrm, trk, t_ca, s.sigma_cap_m)
    s_turn = turn * spd * t_ca
    here = dist <= r_now[trk]
    on_path = (
        moving[trk] & (along >= -s.d_hit_m) & (cross <= s.d_hit_m + s.k_cross * s_cross + s_turn)
    )
    # The rest only for the pairs in the corridor (about half of the candidates).
    near = np.flatnonzero(here | on_path)
    zn, trk, here, on_path = zn[near], trk[near], here[near], on_path[near]
    along, cross, dist, spd = along[near], cross[near], dist[near], spd[near]
    t_ca, s_cross, s_turn = t_ca[near], s_cross[near], s_turn[near]
    s_along = _sigma_along(covs, u, trk, t_ca, s.sigma_cap_m)
    p_hit = np.zeros(len(trk))
    p_hit[here] = _p_within_disc(dist[here], sig_p[trk][here], s.d_hit_m)
    p_path = _p_within(cross, np.hypot(s_cross, s_turn), s.d_hit_m)
    p_hit = np.where(on_path, np.maximum(p_hit, p_path), p_hit)
    chord = np.sqrt(np.maximum(s.d_hit_m**2 - cross**2, 0.0))
    eta = np.maximum((along - chord - s.k_along * s_along) / spd, 0.0)
    eta = np.where(here, 0.0, eta)
    hit = eta <= h
    # The pair lasts while the drone is on the path to the zone or may be over it.
    r_here = s.d_hit_m + s.k_cross * sig_p[trk]
    past = np.maximum(s.d_hit_m, np.sqrt(np.maximum(r_here**2 - cross**2, 0.0)))
    leave = np.where(moving[trk], (along + past) / spd, np.inf)
    z, t, eta, p_hit, leave = zn[hit], trk[hit], eta[hit], p_hit[hit], leave[hit]
    # Sorted by zone, then ETA, then track: one key, stably sorted, as the pairs come
    # by track (near_segments gives them by segment) and a lexsort of three is slower.
    order = np.argsort(z * _eta_scale(h) + eta, kind="stable")
    return ZoneThreats(
        zone=z[order], track=t[order], eta_s=eta[order], p_hit=p_hit[order], leave_s=leave[order]
    )


def _eta_scale(horizon_s: float) -> float:
    """A power of two above every ETA: zone · scale + ETA sorts by zone, then ETA."""
    return 2.0 ** math.ceil(math.log2(horizon_s + 1.0))


def empty_threats() -> ZoneThreats:
    i, f = np.zeros(0, np.int64), np.zeros(0)
    return ZoneThreats(zone=i, track=i, eta_s=f, p_hit=f, leave_s=f)


def _p_within_disc(dist: FloatArray, sigma: FloatArray, d: float) -> FloatArray:
    """P(|p + e| <= d) for a point p at dist from the centre and e ~ N(0, sigma² I₂)."""
    sg = np.maximum(sigma, 1.0)
    return ncx2.cdf((d / sg) ** 2, 2, (dist / sg) ** 2)


def _p_within(offset: FloatArray, sigma: FloatArray, d: float) -> FloatArray:
    """P(|offset + e| <= d) for e ~ N(0, sigma²): the chance of passing within d."""
    sg = np.maximum(sigma, 1.0)
    return ndtr((d - offset) / sg) - ndtr((-d - offset) / sg)


def _sigma_along(
    covs: FloatArray, d: FloatArray, trk: IntArray, tau: FloatArray, cap_m: float
) -> FloatArray:
    """One-sigma error of track trk's (K,) predicted position at tau (K,) along its
    track's direction d (N, 2). The direction is the track's, so the three quadratic
    forms are taken once per track, and only their mix over tau once per pair."""
    dx, dy = d[:, 0], d[:, 1]

    def quad(i: int, j: int) -> FloatArray:  # dᵀ C d for the 2x2 block at rows i, cols j
        return (
            dx * dx * covs[:, i, j]
            + dx * dy * (covs[:, i, j + 1] + covs[:, i + 1, j])
            + dy * dy * covs[:, i + 1, j + 1]
        )

    pp, pv, vv = quad(0, 0)[trk], quad(0, 3)[trk], quad(3, 3)[trk]
    var = pp + 2.0 * tau * pv + tau * tau * vv
    return np.minimum(np.sqrt(np.maximum(var, 0.0)), cap_m)
