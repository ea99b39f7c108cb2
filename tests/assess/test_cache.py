"""ThreatCache: kept threats are zone_threats' own, counted down; moved tracks are redone."""

import dataclasses

import numpy as np
import pytest
from test_reach_query import _random_tracks

from tocsin.assess import ReachSettings, ThreatCache, zone_threats
from tocsin.track import kalman


def _pairs(th, rows=None):
    """{(zone, table row): (eta_s, p_hit)} of a ZoneThreats."""
    trk = th.track if rows is None else rows[th.track]
    return {
        (int(z), int(t)): (e, p)
        for z, t, e, p in zip(th.zone, trk, th.eta_s, th.p_hit, strict=True)
    }


def _sorted_by_zone_then_eta(th):
    key = np.c_[th.zone, th.eta_s]
    return (np.diff(key[:, 0]) >= 0).all() and all(
        (np.diff(th.eta_s[th.zone == z]) >= 0).all() for z in np.unique(th.zone)
    )


@pytest.mark.parametrize("seed", range(3))
def test_without_reuse_it_is_zone_threats(belgorod, seed):
    zones = belgorod.zones
    s = ReachSettings(reuse_m=0.0)
    cache = ThreatCache(zones, s)
    rng = np.random.default_rng(seed)
    X, P = _random_tracks(rng, zones, 300)
    rows = np.sort(rng.choice(1000, 300, replace=False))
    for t in (0.0, 1.0, 5.0):
        x, p = kalman.predict(X, P, np.full(len(X), t), 1.0, 0.5)
        got, want = cache.threats(t, rows, x, p), zone_threats(zones, x, p, s)
        assert _pairs(got) == _pairs(want)
        assert _sorted_by_zone_then_eta(got)
    assert cache.redone == cache.assessed == 900


def test_kept_threats_count_down_and_passed_zones_drop(belgorod):
    """Straight flight, no process noise: what is kept is what a fresh assessment gives,
    counted down. It differs only at the edges: the turn allowance, which grows from
    when a pair was assessed, leaves the kept corridor a little wider; zones whose
    closest approach is near the horizon (taken at the horizon when assessed); speeds
    near the hover threshold and drones hovering; and zones abreast of the drone, which
    enter the disc round it (ETA 0) up to a few seconds before their kept ETA runs out."""
    zones = belgorod.zones
    s = ReachSettings()
    rng = np.random.default_rng(11)
    X, P = _random_tracks(rng, zones, 200)
    P *= rng.uniform(1e-4, 1e-2, len(P))[:, None, None]  # tracks a radar holds
    rows = np.arange(len(X))
    speed = np.hypot(X[:, 3], X[:, 4])
    cache = ThreatCache(zones, s)
    cache.threats(0.0, rows, X, P)
    for t in (2.0, 6.0, 9.5):
        x, p = kalman.predict(X, P, np.full(len(X), t), 0.0, 0.0)
        got = _pairs(cache.threats(t, rows, x, p))
        want = _pairs(zone_threats(zones, x, p, s))
        inner = {k for k, (eta, _) in want.items()
                 if eta < s.horizon_s - 60.0 and speed[k[1]] >= 2 * s.min_speed_mps}  # fmt: skip
        assert inner <= got.keys()  # nothing a fresh assessment finds is lost
        assert len(got.keys() - want.keys()) <= 0.01 * len(want)
        for k in inner:
            if want[k][0] < 60.0:  # a zone entering the disc round the drone, now or soon
                assert got[k][0] < 60.0
                continue
            assert got[k][0] == pytest.approx(want[k][0], abs=1.0)
            assert got[k][1] == pytest.approx(want[k][1], abs=0.1)
        extra = [got[k][1] for k in got.keys() - want.keys()]
        assert max(extra, default=0.0) < s.p_warn  # the wider edge starts no warning
    assert cache.redone == len(X)  # nothing moved: no track was redone


def test_a_moved_track_is_redone_and_a_gone_one_forgotten(belgorod):
    zones = belgorod.zones
    s = ReachSettings()
    k = int(np.argmin(np.hypot(zones.x_m, zones.y_m)))
    X = np.array([[zones.x_m[k] - 20_000.0, zones.y_m[k], 300.0, 50.0, 0.0, 0.0],
                  [zones.x_m[k], zones.y_m[k] + 20_000.0, 300.0, 0.0, -50.0, 0.0]])  # fmt: skip
    P = np.tile(np.diag([100.0**2, 100.0**2, 300.0**2, 2.0**2, 2.0**2, 1.0]), (2, 1, 1))
    cache = ThreatCache(zones, s)
    cache.threats(0.0, np.array([3, 7]), X, P)
    turned = X.copy()
    turned[0, 3:5] = [0.0, 50.0]  # the first drone turned north
    got = cache.threats(1.0, np.array([3, 7]), *kalman.predict(turned, P, np.ones(2), 1.0, 0.5))
    want = zone_threats(zones, *kalman.predict(turned, P, np.ones(2), 1.0, 0.5), s)
    assert cache.redone == 3
    first = {z for (z, r) in _pairs(got, np.array([3, 7])) if r == 3}
    assert first == {int(z) for z in want.zone[want.track == 0]}
    only = cache.threats(2.0, np.array([7]), *kalman.predict(X[1:], P[1:], np.full(1, 2.0), 1, 1))
    assert set(only.track.tolist()) == {0}  # track 3 gone: none of its pairs are left


def test_a_hovering_track_is_redone_when_it_starts_moving(belgorod):
    zones = belgorod.zones
    s = dataclasses.replace(ReachSettings(), reuse_m=1e9)  # only the other rules redo
    X = np.array([[0.0, 0.0, 300.0, 0.0, 0.0, 0.0]])
    P = np.diag([100.0**2, 100.0**2, 300.0**2, 1.0, 1.0, 1.0])[None]
    cache = ThreatCache(zones, s)
    cache.threats(0.0, np.array([0]), X, P)
    X2 = X.copy()
    X2[0, 3] = 40.0
    cache.threats(1.0, np.array([0]), X2, P)
    cache.threats(1.0 + s.reuse_max_s + 0.5, np.array([0]), X2, P)  # too old: redone
    assert cache.redone == 3
