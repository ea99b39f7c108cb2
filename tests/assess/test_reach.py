import numpy as np
import pytest

from tocsin.assess import ReachSettings, zone_threats


def _track(x, y, vx, vy, sigma_p=100.0, sigma_v=2.0):
    X = np.array([[x, y, 300.0, vx, vy, 0.0]])
    P = np.diag([sigma_p**2, sigma_p**2, 500.0**2, sigma_v**2, sigma_v**2, 1.0])[None]
    return X, P


def test_eta_of_zones_on_the_path_is_distance_over_speed(belgorod):
    z = belgorod.zones
    target = int(np.argmin(np.hypot(z.x_m, z.y_m)))  # the zone nearest the centre
    zx, zy = z.x_m[target], z.y_m[target]
    X, P = _track(zx - 30_000.0, zy, 50.0, 0.0)
    s = ReachSettings(turn_allowance_deg=0.0, k_cross=0.0, k_along=0.0)
    th = zone_threats(z, X, P, s)
    zones, eta = th.earliest()
    got = eta[np.searchsorted(zones, target)]
    assert got == pytest.approx((30_000.0 - 3_000.0) / 50.0, abs=1.0)


def test_corridor_widens_with_time_and_nothing_behind_is_threatened(belgorod):
    z = belgorod.zones
    X, P = _track(-40_000.0, 0.0, 50.0, 0.0)
    th = zone_threats(z, X, P, ReachSettings())
    zones, eta = th.earliest()
    dx = z.x_m[zones] - (-40_000.0)
    dy = np.abs(z.y_m[zones])
    assert (dx > -12_000).all()  # the disc at τ=0 is small; nothing far behind
    near = eta < 120
    far = eta > 600
    assert dy[far].max() > dy[near].max()  # wider later
    assert (eta >= 0).all() and (eta <= 900).all()


def test_eta_zero_when_the_threat_is_already_there(belgorod):
    z = belgorod.zones
    X, P = _track(z.x_m[0], z.y_m[0], 0.0, 50.0)
    th = zone_threats(z, X, P, ReachSettings())
    zones, eta = th.earliest()
    assert eta[np.searchsorted(zones, 0)] == 0.0


def test_no_tracks_no_threats(belgorod):
    th = zone_threats(belgorod.zones, np.zeros((0, 6)), np.zeros((0, 6, 6)), ReachSettings())
    assert len(th.zone) == 0


def test_a_hit_is_likely_on_the_path_and_unlikely_at_the_cone_edge(belgorod):
    z = belgorod.zones
    X, P = _track(-40_000.0, 0.0, 50.0, 0.0, sigma_v=3.0)
    th = zone_threats(z, X, P, ReachSettings())
    ahead = (z.x_m[th.zone] > -28_000.0) & (z.x_m[th.zone] < -22_000.0)  # about 5 min ahead
    cross = np.abs(z.y_m[th.zone])
    on_path = ahead & (cross < 1_500.0)
    edge = ahead & (cross > 4_500.0)
    assert on_path.any() and edge.any()  # the wide corridor reaches past D_hit
    assert (th.p_hit[on_path] > 0.9).all()
    assert (th.p_hit[edge] < 0.5).all()
    assert ((th.p_hit >= 0.0) & (th.p_hit <= 1.0)).all()
