import numpy as np
import pytest


def _brute(zones, x, y, r):
    r = np.broadcast_to(np.asarray(r, float), x.shape)
    d2 = (zones.x_m[None, :] - x[:, None]) ** 2 + (zones.y_m[None, :] - y[:, None]) ** 2
    pts, zs = np.nonzero(d2 <= (r**2)[:, None])
    return pts.astype(np.int64), zs.astype(np.int64)


def _points_around(rng, zones, n):
    """n random local points over the region's zones and 20 km beyond."""
    x = rng.uniform(zones.x_m.min() - 20_000.0, zones.x_m.max() + 20_000.0, n)
    y = rng.uniform(zones.y_m.min() - 20_000.0, zones.y_m.max() + 20_000.0, n)
    return x, y


@pytest.mark.parametrize("seed", range(5))
def test_within_is_every_pair_in_radius_sorted_by_point_then_zone(belgorod, seed):
    zones = belgorod.zones
    rng = np.random.default_rng(seed)
    x, y = _points_around(rng, zones, int(rng.integers(1, 300)))
    n = len(x)
    r = rng.choice([0.0, 500.0, 3000.0, 20_000.0, 60_000.0], n) * rng.uniform(0.9, 1.1, n)
    pts, zs = zones.within(x, y, r)
    want_p, want_z = _brute(zones, x, y, r)
    assert pts.dtype == np.int64 and zs.dtype == np.int64
    np.testing.assert_array_equal(pts, want_p)
    np.testing.assert_array_equal(zs, want_z)


def test_within_one_radius_for_all_points_and_empty_cases(belgorod):
    zones = belgorod.zones
    x, y = zones.x_m[:50] + 10.0, zones.y_m[:50] - 10.0
    pts, zs = zones.within(x, y, 7000.0)
    want_p, want_z = _brute(zones, x, y, 7000.0)
    np.testing.assert_array_equal(pts, want_p)
    np.testing.assert_array_equal(zs, want_z)
    far = zones.x_m.max() + 1e7
    pts, zs = zones.within(np.array([far]), np.array([0.0]), 100.0)
    assert len(pts) == 0 and len(zs) == 0 and pts.dtype == np.int64 and zs.dtype == np.int64
    pts, zs = zones.within(np.zeros(0), np.zeros(0), 100.0)
    assert len(pts) == 0 and len(zs) == 0
    pts, zs = zones.within(zones.x_m[3], zones.y_m[3], 0.0)  # scalars, a zone's own centre
    assert pts.tolist() == [0] and zs.tolist() == [3]


def _brute_segments(zones, x, y, ux, uy, length, r):
    dx, dy = zones.x_m[None, :] - x[:, None], zones.y_m[None, :] - y[:, None]
    a = np.clip(dx * ux[:, None] + dy * uy[:, None], 0.0, length[:, None])
    d2 = (dx - a * ux[:, None]) ** 2 + (dy - a * uy[:, None]) ** 2
    return set(zip(*np.nonzero(d2 <= (r**2)[:, None]), strict=True))


@pytest.mark.parametrize("seed", range(5))
def test_near_segments_is_every_pair_within_radius_of_the_segment_once(belgorod, seed):
    zones = belgorod.zones
    rng = np.random.default_rng(seed)
    x, y = _points_around(rng, zones, int(rng.integers(1, 200)))
    n = len(x)
    heading = rng.uniform(0.0, 2 * np.pi, n)
    ux, uy = np.cos(heading), np.sin(heading)
    length = rng.choice([0.0, 100.0, 5000.0, 40_000.0, 120_000.0], n) * rng.uniform(0.5, 1.0, n)
    r = rng.choice([0.0, 300.0, 3000.0, 12_000.0], n) * rng.uniform(0.5, 1.0, n)
    seg, zs = zones.near_segments(x, y, ux, uy, length, r)
    got = list(zip(seg.tolist(), zs.tolist(), strict=True))
    assert len(got) == len(set(got))  # each pair once
    assert (np.diff(seg) >= 0).all()  # in order of segment
    assert set(got) == _brute_segments(zones, x, y, ux, uy, length, r)
