"""Measurements to the local frame, with their measurement covariance.

Every function here takes and returns arrays, batch axis first; shapes (N,)
unless said otherwise, and a single item works as N = 1. ``cov_xy`` arrays are
(N, 3) rows ``(var_x, cov_xy, var_y)`` in m², x east and y north (grid).

Azimuths and bearings come in from true north. Positions go through the exact
geodesic (``LocalFrame.polar_to_latlng`` then ``latlng_to_xy``), so meridian
convergence and the frame's small distortion are handled exactly. Covariances
are the standard linearised conversion about the measurement, turned by the
grid azimuth (true azimuth + the sensor's ``north_deg``).

Modelling choices (documented defaults, change them here):

- 3-D radar height uses the 4/3 effective earth radius for standard
  atmospheric refraction: ``h = alt + r·sin(el) + r²/(2·k·R_e)``, k = 4/3.
- A 2-D radar (no elevation) leaves altitude unknown; the target is taken to
  be uniformly between 0 and ``MAX_HEIGHT_2D_M`` above the radar (never above
  the slant range itself), so the ground range lies between
  ``sqrt(r² − Δh²)`` and ``r``: the mean is used as position and its variance is
  added along the beam.
- Principal variances are floored at ``MIN_VAR_M2`` (1 m², so one sigma of
  1 m) and at 1e-9 of the other one, so a covariance stays positive definite
  (and well conditioned) at the zenith, at a few metres' range, or for a
  tiny ``sigma_m`` or ``range_max_m``.
"""

from __future__ import annotations

import numpy as np

from tocsin.geo.frame import LocalFrame
from tocsin.types import EARTH_RADIUS_M, FloatArray

REFRACTION_K = 4.0 / 3.0  # effective earth radius factor for standard refraction
MAX_HEIGHT_2D_M = 4000.0  # 2-D radar: assumed top of the target's height above the radar
MIN_VAR_M2 = 1.0  # floor of each principal variance
_MIN_RATIO = 1e-9  # floor of the smaller principal variance relative to the larger


def true_to_grid_deg(bearing_deg, north_deg) -> FloatArray:
    """Grid bearing in [0, 360) from a true bearing and the grid azimuth of true north.

    >>> float(true_to_grid_deg(359.5, 1.0))
    0.5
    """
    g = np.mod(np.asarray(bearing_deg, float) + np.asarray(north_deg, float), 360.0)
    return np.where(g >= 360.0, 0.0, g)  # mod of a tiny negative number rounds to 360


def along_across_to_cov(along_var_m2, across_var_m2, grid_az_deg) -> FloatArray:
    """(N, 3) covariance of principal variances along and across grid azimuths.

    >>> along_across_to_cov(4.0, 1.0, 90.0).round(9).tolist()
    [[4.0, 0.0, 1.0]]
    """
    a = np.atleast_1d(np.asarray(along_var_m2, float))
    b = np.atleast_1d(np.asarray(across_var_m2, float))
    big = np.maximum(a, b) * _MIN_RATIO
    a = np.maximum(np.maximum(a, MIN_VAR_M2), big)
    b = np.maximum(np.maximum(b, MIN_VAR_M2), big)
    th = np.radians(np.atleast_1d(np.asarray(grid_az_deg, float)))
    s, c = np.sin(th), np.cos(th)  # beam unit vector (east, north) = (s, c)
    return np.stack([a * s * s + b * c * c, (a - b) * s * c, a * c * c + b * s * s], axis=-1)


def polar3_to_xy(
    frame: LocalFrame,
    *,
    lat_deg,
    lon_deg,
    alt_m,
    north_deg,
    range_m,
    azimuth_deg,
    elevation_deg,
    sigma_range_m,
    sigma_azimuth_deg,
    sigma_elevation_deg,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """3-D radar plots (slant range, true azimuth, elevation) from radars at lat/lon/alt.

    Returns ``x_m, y_m, cov_xy (N, 3), alt_m, sigma_alt_m``. Ground range is
    ``r·cos(el)``; the covariance is J·diag(σr², σaz², σel²)·Jᵀ with J the
    Jacobian of (x, y) = (x0, y0) + r·cos(el)·(sin θ, cos θ), θ the grid azimuth.
    """
    r = np.asarray(range_m, float)
    el = np.radians(np.asarray(elevation_deg, float))
    cos_el, sin_el = np.cos(el), np.sin(el)
    ground = r * cos_el
    lat, lon = frame.polar_to_latlng(lat_deg, lon_deg, azimuth_deg, ground)
    x, y = frame.latlng_to_xy(lat, lon)
    s_r = np.asarray(sigma_range_m, float)
    s_az = np.radians(np.asarray(sigma_azimuth_deg, float))
    s_el = np.radians(np.asarray(sigma_elevation_deg, float))
    along = (cos_el * s_r) ** 2 + (r * sin_el * s_el) ** 2
    across = (ground * s_az) ** 2
    cov = along_across_to_cov(along, across, np.asarray(azimuth_deg, float) + north_deg)
    ke = REFRACTION_K * EARTH_RADIUS_M
    alt = np.asarray(alt_m, float) + r * sin_el + r * r / (2.0 * ke)
    sigma_alt = np.hypot((sin_el + r / ke) * s_r, r * cos_el * s_el)
    return x, y, cov, alt, sigma_alt


def ground_range_2d(range_m, max_height_m=MAX_HEIGHT_2D_M) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of the ground range of a 2-D plot at slant ``range_m``.

    The height above the radar is uniform in [0, H], H = min(r, max_height_m),
    so ground range g = sqrt(r² − h²): E[g] = (H·sqrt(r² − H²) + r²·asin(H/r)) / (2H)
    and E[g²] = r² − H²/3.

    >>> m, v = ground_range_2d(40_000.0)
    >>> 39_930 < float(m) < 39_940 and 3000 < float(v) < 4000
    True
    """
    r = np.asarray(range_m, float)
    h = np.minimum(r, max_height_m)
    ratio = np.clip(h / r, 0.0, 1.0)
    mean = (h * np.sqrt(np.maximum(r * r - h * h, 0.0)) + r * r * np.arcsin(ratio)) / (2.0 * h)
    var = np.maximum(r * r - h * h / 3.0 - mean * mean, 0.0)
    return mean, var


def polar2_to_xy(
    frame: LocalFrame,
    *,
    lat_deg,
    lon_deg,
    north_deg,
    range_m,
    azimuth_deg,
    sigma_range_m,
    sigma_azimuth_deg,
    max_height_m=MAX_HEIGHT_2D_M,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """2-D radar plots (slant range, true azimuth, no elevation): ``x_m, y_m, cov_xy (N, 3)``.

    Position at the mean ground range (see ``ground_range_2d``); along the beam
    the variance is σr² + Var[g], across it E[g²]·σaz².
    """
    r = np.asarray(range_m, float)
    mean, var = ground_range_2d(r, max_height_m)
    lat, lon = frame.polar_to_latlng(lat_deg, lon_deg, azimuth_deg, mean)
    x, y = frame.latlng_to_xy(lat, lon)
    s_az = np.radians(np.asarray(sigma_azimuth_deg, float))
    along = np.asarray(sigma_range_m, float) ** 2 + var
    across = (mean * mean + var) * s_az**2
    cov = along_across_to_cov(along, across, np.asarray(azimuth_deg, float) + north_deg)
    return x, y, cov


def points_to_xy(frame: LocalFrame, lat_deg, lon_deg, sigma_m) -> tuple[FloatArray, ...]:
    """Reported positions with an isotropic one-sigma error: ``x_m, y_m, cov_xy (N, 3)``."""
    x, y = frame.latlng_to_xy(lat_deg, lon_deg)
    var = np.maximum(np.asarray(sigma_m, float) ** 2, MIN_VAR_M2)
    cov = np.stack([var, np.zeros_like(var), var], axis=-1)
    return x, y, cov


def disc_var_m2(range_max_m) -> FloatArray:
    """Per-axis variance of a point uniform on a disc of radius R: R²/4 (at least MIN_VAR_M2).

    >>> float(disc_var_m2(3000.0))
    2250000.0
    """
    return np.maximum(np.asarray(range_max_m, float) ** 2 / 4.0, MIN_VAR_M2)


def velocity_to_grid(v_east_mps, v_north_mps, north_deg) -> tuple[FloatArray, FloatArray]:
    """Turn true east/north velocity components into grid x/y components.

    ``north_deg`` is the grid azimuth of true north at the point, so a
    velocity due true north points along grid azimuth ``north_deg``.
    """
    n = np.radians(np.asarray(north_deg, float))
    ve = np.asarray(v_east_mps, float)
    vn = np.asarray(v_north_mps, float)
    s, c = np.sin(n), np.cos(n)
    return ve * c + vn * s, vn * c - ve * s
