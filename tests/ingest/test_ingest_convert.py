import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from tocsin.geo import LocalFrame
from tocsin.ingest import convert
from tocsin.messages import Detection
from tocsin.types import EARTH_RADIUS_M

GEOD = Geod(ellps="WGS84")
FRAME = LocalFrame(50.6, 36.6)
T = 1_795_554_000


def _plot(intake, **fields):
    d = intake.take(json.dumps({"t": T, **fields}), 0)
    assert isinstance(d, Detection), d
    return d


def _cov(d):
    vx, c, vy = d.cov_xy
    return np.array([[vx, c], [c, vy]])


def _xy(frame, radar, az_deg, ground_m):
    lon, lat, _ = GEOD.fwd(radar.lon_deg, radar.lat_deg, az_deg, ground_m)
    x, y = frame.latlng_to_xy(lat, lon)
    return np.array([float(x), float(y)])


@pytest.mark.parametrize("radar_id", ["R1", "R2"])
@pytest.mark.parametrize(
    ("r", "az", "el"), [(20_000.0, 45.0, 2.0), (38_000.0, 301.5, 0.3), (900.0, 0.0, 30.0)]
)
def test_3d_plot_lands_on_the_geodesic(intake, sensors, frame, radar_id, r, az, el):
    radar = sensors[radar_id]
    d = _plot(intake, sensor=radar_id, range_m=r, azimuth_deg=az, elevation_deg=el)
    want = _xy(frame, radar, az, r * math.cos(math.radians(el)))
    assert np.hypot(d.x_m - want[0], d.y_m - want[1]) < 1.0
    assert (d.origin_x_m, d.origin_y_m, d.origin_alt_m) == (radar.x_m, radar.y_m, radar.alt_m)
    assert (d.range_m, d.azimuth_deg, d.elevation_deg) == (r, az, el)
    # the grid direction from the radar is the true azimuth turned by north_deg
    grid_az = math.degrees(math.atan2(d.x_m - radar.x_m, d.y_m - radar.y_m)) % 360
    assert abs((grid_az - (az + radar.north_deg) + 180) % 360 - 180) < 0.05


def test_3d_height_follows_the_four_thirds_earth(intake, sensors):
    r, el = 20_000.0, 2.0
    d = _plot(intake, sensor="R1", range_m=r, azimuth_deg=10.0, elevation_deg=el)
    ke = 4.0 / 3.0 * EARTH_RADIUS_M
    # exact geometry on a sphere of radius k·R_e: law of cosines from the earth's centre
    exact = math.sqrt(r**2 + ke**2 + 2 * r * ke * math.sin(math.radians(el))) - ke
    assert abs(d.alt_m - (220.0 + exact)) < 0.5
    assert d.alt_m == pytest.approx(220.0 + r * math.sin(math.radians(el)) + r**2 / (2 * ke))
    assert d.alt_m - 220.0 - r * math.sin(math.radians(el)) == pytest.approx(23.54, abs=0.01)


def _numeric_cov(frame, radar, r, az, el, s_r, s_az, s_el):
    """J·diag(σ²)·Jᵀ with J by central differences through the exact geodesic."""

    def pos(r_, az_, el_):
        return _xy(frame, radar, az_, r_ * math.cos(math.radians(el_)))

    cols = []
    for k, h in enumerate((1.0, 1e-4, 1e-4)):
        lo, hi = [r, az, el], [r, az, el]
        lo[k] -= h
        hi[k] += h
        scale = 1.0 if k == 0 else math.degrees(1.0)  # per radian
        cols.append((pos(*hi) - pos(*lo)) / (2 * h) * scale)
    jac = np.stack(cols, axis=1)
    return jac @ np.diag([s_r**2, math.radians(s_az) ** 2, math.radians(s_el) ** 2]) @ jac.T


@pytest.mark.parametrize(("r", "az", "el"), [(30_000.0, 70.0, 1.0), (5_000.0, 200.0, 25.0)])
def test_3d_covariance_is_the_linearised_polar_conversion(intake, sensors, frame, r, az, el):
    radar = sensors["R2"]  # off the centre meridian, so the grid turn matters
    d = _plot(intake, sensor="R2", range_m=r, azimuth_deg=az, elevation_deg=el)
    want = _numeric_cov(frame, radar, r, az, el, 50.0, 1.0, 1.5)  # R2 has the built-in defaults
    assert np.allclose(_cov(d), want, rtol=0.01, atol=1.0)
    # sigma_alt_m from the same Jacobian
    ke = 4.0 / 3.0 * EARTH_RADIUS_M
    dh_dr = math.sin(math.radians(el)) + r / ke
    dh_del = r * math.cos(math.radians(el))
    assert d.sigma_alt_m == pytest.approx(math.hypot(dh_dr * 50.0, dh_del * math.radians(1.5)))


def test_long_range_covariance_is_wide_across_the_beam(intake, sensors):
    radar = sensors["R1"]
    d = _plot(intake, sensor="R1", range_m=38_000.0, azimuth_deg=123.0, elevation_deg=0.5)
    vals, vecs = np.linalg.eigh(_cov(d))
    assert vals[0] > 0 and np.allclose(_cov(d), _cov(d).T)
    th = math.radians(123.0 + radar.north_deg)
    beam = np.array([math.sin(th), math.cos(th)])
    assert abs(vecs[:, 1] @ beam) < 1e-6  # the major axis is across the beam
    g = 38_000.0 * math.cos(math.radians(0.5))
    assert vals[1] == pytest.approx((g * math.radians(0.4)) ** 2)  # R1: σaz 0.4°


@settings(max_examples=300, deadline=None)
@given(
    r=st.floats(1e-3, 1e6),
    az=st.floats(0, 359.999),
    el=st.floats(-90, 90),
    s_r=st.floats(1e-3, 1e6),
    s_az=st.floats(1e-4, 180),
    s_el=st.floats(1e-4, 180),
)
def test_radar_covariances_are_always_positive_definite(r, az, el, s_r, s_az, s_el):
    common = dict(lat_deg=50.9, lon_deg=38.0, north_deg=-1.1, range_m=[r], azimuth_deg=[az],
                  sigma_range_m=s_r, sigma_azimuth_deg=s_az)  # fmt: skip
    x, y, cov3, alt, s_alt = convert.polar3_to_xy(
        FRAME, alt_m=150.0, elevation_deg=[el], sigma_elevation_deg=s_el, **common
    )
    _, _, cov2 = convert.polar2_to_xy(FRAME, **common)
    for c in (cov3[0], cov2[0]):
        assert np.isfinite(c).all()
        assert c[0] > 0 and c[2] > 0 and c[0] * c[2] - c[1] ** 2 > 0
        assert min(np.linalg.eigvalsh([[c[0], c[1]], [c[1], c[2]]])) > 0
    assert np.isfinite([x[0], y[0], alt[0], s_alt[0]]).all()


def test_2d_ground_range_matches_a_uniform_height_monte_carlo():
    rng = np.random.default_rng(3)
    for r in (2_500.0, 6_000.0, 40_000.0):
        h = rng.uniform(0.0, min(r, 4000.0), 400_000)
        g = np.sqrt(r * r - h * h)
        mean, var = convert.ground_range_2d(r)
        assert float(mean) == pytest.approx(g.mean(), rel=1e-3)
        assert float(var) == pytest.approx(g.var(), rel=0.02)


def test_2d_plot_variance_grows_along_the_beam(intake, sensors, frame):
    radar = sensors["R2"]
    th = math.radians(80.0 + radar.north_deg)
    beam, across = np.array([math.sin(th), math.cos(th)]), np.array([math.cos(th), -math.sin(th)])
    for r in (3_000.0, 8_000.0, 35_000.0):
        d2 = _plot(intake, sensor="R2", range_m=r, azimuth_deg=80.0)
        d3 = _plot(intake, sensor="R2", range_m=r, azimuth_deg=80.0, elevation_deg=0.0)
        assert d2.alt_m is None and d2.sigma_alt_m is None and d2.elevation_deg is None
        mean, var = map(float, convert.ground_range_2d(r))
        dist = math.hypot(d2.x_m - radar.x_m, d2.y_m - radar.y_m)
        assert abs(dist - mean) < 0.002 * mean and mean < r
        along2, along3 = beam @ _cov(d2) @ beam, beam @ _cov(d3) @ beam
        assert along2 == pytest.approx(50.0**2 + var, rel=1e-6)  # R2: default σr 50 m
        assert along2 > along3 == pytest.approx(50.0**2, rel=1e-6)
        assert across @ _cov(d2) @ across == pytest.approx(
            (mean**2 + var) * math.radians(1.0) ** 2, rel=1e-6
        )
    near = _plot(intake, sensor="R2", range_m=3_000.0, azimuth_deg=80.0)
    vals, vecs = np.linalg.eigh(_cov(near))
    assert abs(vecs[:, 1] @ beam) > 0.999  # short range: the height dominates, along the beam


def test_acoustic_bearing_turns_into_the_grid(intake, sensors, frame):
    node = sensors["A018"]  # east of the centre meridian
    assert abs(node.north_deg) > 0.3
    for bearing in (0.0, 75.0, 180.0, 359.9):
        d = _plot(intake, sensor="A018", bearing_deg=bearing)
        assert d.bearing_deg == bearing and 0.0 <= d.bearing_grid_deg < 360.0
        assert d.bearing_grid_deg == float(convert.true_to_grid_deg(bearing, node.north_deg))
        p = _xy(frame, node, bearing, 1000.0)
        grid = math.degrees(math.atan2(p[0] - node.x_m, p[1] - node.y_m)) % 360
        assert abs((grid - d.bearing_grid_deg + 180) % 360 - 180) < 0.01
        assert d.sigma_bearing_deg == 10.0  # no registry value: the default


def test_acoustic_position_is_the_node_with_its_audible_disc(intake, sensors):
    d = _plot(intake, sensor="A017", snr_db=12.5)
    node = sensors["A017"]
    assert (d.x_m, d.y_m) == (node.x_m, node.y_m) and d.bearing_deg is None
    assert d.cov_xy == (3000.0**2 / 4, 0.0, 3000.0**2 / 4) and d.range_max_m == 3000.0
    assert d.snr_db == 12.5 and d.alt_m is None and d.sigma_bearing_deg is None
    rng = np.random.default_rng(5)  # R²/4 is the per-axis variance of a uniform disc
    rad, ang = 3000.0 * np.sqrt(rng.random(200_000)), rng.uniform(0, 2 * np.pi, 200_000)
    assert np.var(rad * np.cos(ang)) == pytest.approx(d.cov_xy[0], rel=0.02)
    d = _plot(intake, sensor="A017", bearing_deg=12.0)
    assert d.sigma_bearing_deg == 7.0  # from the registry
    d = _plot(intake, sensor="A017", bearing_deg=12.0, sigma_bearing_deg=3.0, range_max_m=1000)
    assert d.sigma_bearing_deg == 3.0 and d.cov_xy[0] == 250_000.0  # the record wins


def test_external_velocity_turns_into_the_grid(intake, frame):
    lat, lon, ve, vn = 50.9, 38.2, 30.0, -40.0
    d = _plot(intake, sensor="NEIGHBOUR", lat=lat, lon=lon, v_east_mps=ve, v_north_mps=vn)
    speed, course = math.hypot(ve, vn), math.degrees(math.atan2(ve, vn))
    lon2, lat2, _ = GEOD.fwd(lon, lat, course, speed * 10.0)  # 10 s later, due course
    x2, y2 = frame.latlng_to_xy(lat2, lon2)
    assert abs((float(x2) - d.x_m) / 10.0 - d.v_east_mps) < 0.01
    assert abs((float(y2) - d.y_m) / 10.0 - d.v_north_mps) < 0.01
    assert abs(d.v_north_mps - vn) > 0.3  # the turn is real there, not a no-op
