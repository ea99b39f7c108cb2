"""zone_threats gives exactly the arrays of a plain reference implementation.

The reference below looks at every (track, zone) pair of the region, with no
search at all, then applies the corridor, ETA and p_hit rules. However the
pairs are found (assess/reach.py bounds each corridor, geo/zones.py covers it
with discs), no pair the rules would keep may be missed, and every array must
come out the same.
"""

import math

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import ncx2

from tocsin.assess import ReachSettings, zone_threats


def _every_pair(n_tracks, n_zones):
    trk, zn = np.meshgrid(np.arange(n_tracks), np.arange(n_zones), indexing="ij")
    return trk.ravel(), zn.ravel()


def _ref_sigma_along(covs, trk, d, tau, cap_m):
    dx, dy = d[:, 0], d[:, 1]

    def quad(i, j):
        return (
            dx * dx * covs[trk, i, j]
            + dx * dy * (covs[trk, i, j + 1] + covs[trk, i + 1, j])
            + dy * dy * covs[trk, i + 1, j + 1]
        )

    var = quad(0, 0) + 2.0 * tau * quad(0, 3) + tau * tau * quad(3, 3)
    return np.minimum(np.sqrt(np.maximum(var, 0.0)), cap_m)


def _ref_zone_threats(zones, states, covs, s):
    n = len(states)
    if n == 0 or len(zones) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0), np.zeros(0)
    p, v = states[:, :2], states[:, 3:5]
    speed = np.hypot(v[:, 0], v[:, 1])
    moving = speed >= s.min_speed_mps
    u = np.where(moving[:, None], v / np.maximum(speed, 1e-9)[:, None], 0.0)
    nrm = np.c_[-u[:, 1], u[:, 0]]
    h = s.horizon_s
    turn = math.tan(math.radians(s.turn_allowance_deg))
    sig_p = np.sqrt(0.5 * (covs[:, 0, 0] + covs[:, 1, 1]))
    trk, zn = _every_pair(n, len(zones))
    rel_x, rel_y = zones.x_m[zn] - p[trk, 0], zones.y_m[zn] - p[trk, 1]
    along = rel_x * u[trk, 0] + rel_y * u[trk, 1]
    cross = np.abs(rel_x * nrm[trk, 0] + rel_y * nrm[trk, 1])
    dist = np.hypot(rel_x, rel_y)
    spd = np.maximum(speed[trk], s.min_speed_mps)
    t_ca = np.clip(along / spd, 0.0, h)
    s_cross = _ref_sigma_along(covs, trk, nrm[trk], t_ca, s.sigma_cap_m)
    s_along = _ref_sigma_along(covs, trk, u[trk], t_ca, s.sigma_cap_m)
    s_turn = turn * spd * t_ca
    here = dist <= s.d_hit_m + s.k_cross * np.minimum(sig_p[trk], s.sigma_cap_m)
    on_path = (
        moving[trk] & (along >= -s.d_hit_m) & (cross <= s.d_hit_m + s.k_cross * s_cross + s_turn)
    )
    p_hit = np.zeros(len(trk))
    sg = np.maximum(sig_p[trk][here], 1.0)
    p_hit[here] = ncx2.cdf((s.d_hit_m / sg) ** 2, 2, (dist[here] / sg) ** 2)
    sg = np.maximum(np.hypot(s_cross, s_turn), 1.0)
    p_path = ndtr((s.d_hit_m - cross) / sg) - ndtr((-s.d_hit_m - cross) / sg)
    p_hit = np.where(on_path, np.maximum(p_hit, p_path), p_hit)
    chord = np.sqrt(np.maximum(s.d_hit_m**2 - cross**2, 0.0))
    eta = np.maximum((along - chord - s.k_along * s_along) / spd, 0.0)
    eta = np.where(here, 0.0, eta)
    hit = (here | on_path) & (eta <= h)
    z, t, eta, p_hit = zn[hit], trk[hit], eta[hit], p_hit[hit]
    order = np.lexsort((t, eta, z))
    return z[order], t[order], eta[order], p_hit[order]


def _random_tracks(rng, zones, n):
    lo_x, hi_x = zones.x_m.min() - 30_000.0, zones.x_m.max() + 30_000.0
    lo_y, hi_y = zones.y_m.min() - 30_000.0, zones.y_m.max() + 30_000.0
    X = np.zeros((n, 6))
    X[:, 0] = rng.uniform(lo_x, hi_x, n)
    X[:, 1] = rng.uniform(lo_y, hi_y, n)
    X[:, 2] = rng.uniform(50.0, 3000.0, n)
    speed = rng.choice([0.0, 3.0, 5.0, 20.0, 45.0, 70.0, 120.0], n) * rng.uniform(0.9, 1.1, n)
    speed[rng.random(n) < 0.05] = 5.0  # exactly the hover threshold
    heading = rng.uniform(0.0, 2 * np.pi, n)
    heading[rng.random(n) < 0.2] = rng.choice([0.0, np.pi / 2, np.pi, -np.pi / 2])
    X[:, 3], X[:, 4] = speed * np.cos(heading), speed * np.sin(heading)
    X[:, 5] = rng.normal(0.0, 1.0, n)
    sp = np.exp(rng.uniform(np.log(5.0), np.log(12_000.0), n))  # up to past sigma_cap
    sv = np.exp(rng.uniform(np.log(0.1), np.log(30.0), n))
    P = np.zeros((n, 6, 6))
    for i in range(n):
        scale = np.array([sp[i], sp[i], 300.0, sv[i], sv[i], 1.0])
        A = rng.normal(size=(6, 6)) * rng.uniform(0.0, 0.5)
        C = np.diag(rng.uniform(0.5, 1.5, 6)) + A @ A.T  # position-velocity correlation
        P[i] = C * np.outer(scale, scale)
    return X, P


SETTINGS = [
    ReachSettings(),
    ReachSettings(turn_allowance_deg=0.0, k_cross=0.0, k_along=0.0),
    ReachSettings(horizon_s=300.0, sigma_cap_m=2000.0, turn_allowance_deg=8.0),
    ReachSettings(k_cross=3.0, k_along=3.0, d_hit_m=1000.0, min_speed_mps=15.0),
    ReachSettings(horizon_s=1800.0, sigma_cap_m=15_000.0, d_hit_m=0.0),
]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", range(len(SETTINGS)))
def test_same_arrays_as_every_pair_looked_at(belgorod, seed, k):
    zones, s = belgorod.zones, SETTINGS[k]
    rng = np.random.default_rng(1000 * k + seed)
    X, P = _random_tracks(rng, zones, int(rng.integers(1, 400)))
    got = zone_threats(zones, X, P, s)
    want = _ref_zone_threats(zones, X, P, s)
    for name, w in zip(("zone", "track", "eta_s", "p_hit"), want, strict=True):
        g = getattr(got, name)
        assert g.dtype == w.dtype, name
        np.testing.assert_array_equal(g, w, err_msg=name)


def test_same_arrays_for_well_tracked_raids(belgorod):
    """Small covariances: narrow corridors."""
    zones, s = belgorod.zones, ReachSettings()
    rng = np.random.default_rng(7)
    X, P = _random_tracks(rng, zones, 500)
    P *= rng.uniform(1e-4, 1e-2, len(P))[:, None, None]
    got = zone_threats(zones, X, P, s)
    want = _ref_zone_threats(zones, X, P, s)
    assert len(want[0]) > 1000
    for name, w in zip(("zone", "track", "eta_s", "p_hit"), want, strict=True):
        np.testing.assert_array_equal(getattr(got, name), w, err_msg=name)
