"""The local metric frame: azimuthal equidistant at a region's centre.

Everything in Tocsin that measures distance works in this frame: x east and
y north in metres from the centre. Distances from the centre are exact and
distortion stays below 0.2 % within 300 km of it, well inside a region.
"""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Geod, Transformer

from tocsin.types import FloatArray


class LocalFrame:
    """Converts WGS 84 latitude/longitude to local east/north metres and back.

    Arrays in, arrays out; scalars work too.

    >>> f = LocalFrame(50.6, 36.6)
    >>> x, y = f.latlng_to_xy(50.6, 36.6)
    >>> float(abs(x)) < 1e-6 and float(abs(y)) < 1e-6
    True
    """

    __slots__ = ("lat0_deg", "lon0_deg", "_fwd", "_inv", "_geod")

    def __init__(self, lat0_deg: float, lon0_deg: float) -> None:
        if not (-90.0 <= lat0_deg <= 90.0 and -180.0 <= lon0_deg <= 180.0):
            raise ValueError(f"frame centre out of range: {lat0_deg}, {lon0_deg}")
        self.lat0_deg = float(lat0_deg)
        self.lon0_deg = float(lon0_deg)
        local = CRS.from_proj4(
            f"+proj=aeqd +lat_0={self.lat0_deg} +lon_0={self.lon0_deg} +datum=WGS84 +units=m"
        )
        self._fwd = Transformer.from_crs("EPSG:4326", local, always_xy=True)
        self._inv = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
        self._geod = Geod(ellps="WGS84")

    def latlng_to_xy(self, lat_deg, lon_deg) -> tuple[FloatArray, FloatArray]:
        """Local (x_m, y_m) of points given in degrees; shapes are kept."""
        x, y = self._fwd.transform(np.asarray(lon_deg, float), np.asarray(lat_deg, float))
        return np.asarray(x, float), np.asarray(y, float)

    def xy_to_latlng(self, x_m, y_m) -> tuple[FloatArray, FloatArray]:
        """(lat_deg, lon_deg) of local points; shapes are kept."""
        lon, lat = self._inv.transform(np.asarray(x_m, float), np.asarray(y_m, float))
        return np.asarray(lat, float), np.asarray(lon, float)

    def north_deg(self, lat_deg, lon_deg) -> FloatArray:
        """Grid azimuth of true north at each point: grid = true + north_deg.

        Sensors measure azimuths and bearings from true north; the local frame's
        +y axis is true north only on the centre meridian (about 1° off 100 km
        east or west of it at 50° N, which is 700 m at 40 km range).
        """
        lat = np.asarray(lat_deg, float)
        lon = np.asarray(lon_deg, float)
        x0, y0 = self.latlng_to_xy(lat, lon)
        x1, y1 = self.latlng_to_xy(lat + 1e-3, lon)
        return np.degrees(np.arctan2(x1 - x0, y1 - y0))

    def polar_to_latlng(self, lat_deg, lon_deg, azimuth_deg, ground_range_m):
        """(lat_deg, lon_deg) at a true azimuth and ground distance from points (geodesic)."""
        lat = np.broadcast_to(np.asarray(lat_deg, float), np.shape(azimuth_deg))
        lon = np.broadcast_to(np.asarray(lon_deg, float), np.shape(azimuth_deg))
        lon2, lat2, _ = self._geod.fwd(
            lon, lat, np.asarray(azimuth_deg, float), np.asarray(ground_range_m, float)
        )
        return np.asarray(lat2, float), np.asarray(lon2, float)

    def latlng_to_polar(self, lat_deg, lon_deg, lat2_deg, lon2_deg):
        """True azimuth (deg, [0, 360)) and ground distance (m) from points to points."""
        az, _, d = self._geod.inv(
            np.asarray(lon_deg, float),
            np.asarray(lat_deg, float),
            np.asarray(lon2_deg, float),
            np.asarray(lat2_deg, float),
        )
        return np.mod(np.asarray(az, float), 360.0), np.asarray(d, float)

    def __repr__(self) -> str:
        return f"LocalFrame({self.lat0_deg:.5f}, {self.lon0_deg:.5f})"
