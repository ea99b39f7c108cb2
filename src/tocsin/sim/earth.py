"""WGS 84 geometry for sensor measurements: Earth-centred coordinates and local
east/north/up at a sensor, hence slant range, true azimuth and elevation.

Every function takes arrays (or scalars) and broadcasts; angles in degrees.

>>> r, az, el = polar_of(50.0, 36.0, 200.0, 50.0 + 0.09, 36.0, 200.0)
>>> round(float(r)), round(float(az), 3), float(el) < 0
(10011, 0.0, True)
"""

from __future__ import annotations

import numpy as np

from tocsin.types import FloatArray

_A_M = 6_378_137.0  # WGS 84 semi-major axis
_F = 1.0 / 298.257223563
_E2 = _F * (2.0 - _F)


def geodetic_to_ecef(lat_deg, lon_deg, alt_m) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Earth-centred, Earth-fixed (X, Y, Z) metres of WGS 84 points."""
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    sl, cl = np.sin(lat), np.cos(lat)
    n = _A_M / np.sqrt(1.0 - _E2 * sl * sl)
    h = np.asarray(alt_m, float)
    return (n + h) * cl * np.cos(lon), (n + h) * cl * np.sin(lon), (n * (1.0 - _E2) + h) * sl


def enu_of(lat0_deg, lon0_deg, alt0_m, lat_deg, lon_deg, alt_m) -> tuple[FloatArray, ...]:
    """East, north, up metres of points seen from a site, in the site's tangent plane."""
    x0, y0, z0 = geodetic_to_ecef(lat0_deg, lon0_deg, alt0_m)
    x, y, z = geodetic_to_ecef(lat_deg, lon_deg, alt_m)
    return ecef_to_enu(x - x0, y - y0, z - z0, lat0_deg, lon0_deg)


def ecef_to_enu(dx, dy, dz, lat0_deg, lon0_deg) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rotate Earth-centred offsets into east/north/up at (lat0, lon0)."""
    lat, lon = np.radians(lat0_deg), np.radians(lon0_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    e = -so * dx + co * dy
    n = -sl * co * dx - sl * so * dy + cl * dz
    u = cl * co * dx + cl * so * dy + sl * dz
    return e, n, u


def polar_of(lat0_deg, lon0_deg, alt0_m, lat_deg, lon_deg, alt_m) -> tuple[FloatArray, ...]:
    """Slant range (m), azimuth (deg, [0, 360)) and elevation (deg) of points from a site."""
    e, n, u = enu_of(lat0_deg, lon0_deg, alt0_m, lat_deg, lon_deg, alt_m)
    ground = np.hypot(e, n)
    return np.sqrt(ground * ground + u * u), azimuth_deg(e, n), np.degrees(np.arctan2(u, ground))


def azimuth_deg(east, north) -> FloatArray:
    """Clockwise from north, in [0, 360)."""
    return wrap360(np.degrees(np.arctan2(east, north)))


def wrap360(angle_deg) -> FloatArray:
    """Angles folded into [0, 360), never 360 itself after rounding to 3 decimals."""
    a = np.mod(np.asarray(angle_deg, float), 360.0)
    return np.where(a >= 359.9995, 0.0, a)
