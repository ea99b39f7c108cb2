import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from tocsin.geo import LocalFrame

FRAME = LocalFrame(50.6, 36.6)


@settings(max_examples=200, deadline=None)
@given(st.floats(-300_000, 300_000), st.floats(-300_000, 300_000))
def test_xy_latlng_round_trip(x, y):
    lat, lon = FRAME.xy_to_latlng(x, y)
    x2, y2 = FRAME.latlng_to_xy(lat, lon)
    assert abs(x2 - x) < 1e-3 and abs(y2 - y) < 1e-3  # 1 mm


def test_distances_match_the_ellipsoid_near_the_centre():
    rng = np.random.default_rng(1)
    lat = 50.6 + rng.uniform(-1.5, 1.5, 200)
    lon = 36.6 + rng.uniform(-2.0, 2.0, 200)
    x, y = FRAME.latlng_to_xy(lat, lon)
    _, _, d_true = Geod(ellps="WGS84").inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    d_local = np.hypot(np.diff(x), np.diff(y))
    assert np.max(np.abs(d_local - d_true) / d_true) < 0.002


def test_arrays_keep_their_shape():
    x, y = FRAME.latlng_to_xy(np.full((3, 4), 50.6), np.full((3, 4), 36.7))
    assert x.shape == (3, 4) and np.allclose(y, y[0, 0]) and (x > 7000).all()


def test_true_north_and_polar_conversions_agree():
    lat, lon = 50.9, 38.0  # about 100 km east of the centre meridian
    north = float(FRAME.north_deg(lat, lon))
    assert 0.8 < abs(north) < 1.6  # meridian convergence ≈ Δlon·sin(lat)
    lat2, lon2 = FRAME.polar_to_latlng(lat, lon, 45.0, 30_000.0)
    az, d = FRAME.latlng_to_polar(lat, lon, lat2, lon2)
    assert abs(az - 45.0) < 1e-6 and abs(d - 30_000.0) < 1e-3
    x0, y0 = FRAME.latlng_to_xy(lat, lon)
    x1, y1 = FRAME.latlng_to_xy(lat2, lon2)
    grid_az = np.degrees(np.arctan2(x1 - x0, y1 - y0))
    assert abs(grid_az - (45.0 + north)) < 0.05
