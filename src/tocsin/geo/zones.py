"""Alert zones: the H3 cells of a region, with centres, polygons and population.

This module and ``frame.py`` are the only places that call h3 and pyproj.
"""

from __future__ import annotations

from itertools import chain

import h3
import numpy as np
from scipy.spatial import cKDTree

from tocsin.geo.frame import LocalFrame
from tocsin.types import FloatArray, IntArray, ZoneId


class Zones:
    """The alert zones of one region, as parallel arrays indexed 0..Z-1.

    Attributes: ``ids (Z,)`` H3 strings, ``lat_deg``/``lon_deg (Z,)`` centres,
    ``x_m``/``y_m (Z,)`` centres in the region's local frame, ``population (Z,)``.
    """

    def __init__(self, cells: list[str], res: int, frame: LocalFrame) -> None:
        cells = sorted(cells)
        self.res = res
        self.ids = np.array(cells, dtype=object)
        ll = np.array([h3.cell_to_latlng(c) for c in cells], float).reshape(-1, 2)
        self.lat_deg, self.lon_deg = ll[:, 0], ll[:, 1]
        self.x_m, self.y_m = frame.latlng_to_xy(self.lat_deg, self.lon_deg)
        self.population = np.zeros(len(cells), np.int64)
        self.names = np.array(cells, dtype=object)  # replaced by settlement names in Region
        self._frame = frame
        self._index = {c: i for i, c in enumerate(cells)}
        self._tree = cKDTree(np.c_[self.x_m, self.y_m]) if cells else None
        self._grid = _Grid(self.x_m, self.y_m) if cells else None

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, ids: list[ZoneId] | np.ndarray) -> IntArray:
        """Indices of zone ids; -1 for an id that is not a zone of this region."""
        return np.array([self._index.get(z, -1) for z in ids], np.int64)

    def locate(self, lat_deg, lon_deg) -> IntArray:
        """Index of the zone holding each point, -1 where no zone of the region does."""
        lat = np.atleast_1d(np.asarray(lat_deg, float))
        lon = np.atleast_1d(np.asarray(lon_deg, float))
        out = np.full(lat.shape, -1, np.int64)
        for k, (a, b) in enumerate(zip(lat.ravel(), lon.ravel(), strict=True)):
            if np.isfinite(a) and np.isfinite(b):
                out.flat[k] = self._index.get(h3.latlng_to_cell(a, b, self.res), -1)
        return out

    def within(self, x_m, y_m, radius_m) -> tuple[IntArray, IntArray]:
        """All (point, zone) pairs with the zone centre within radius_m of the point.

        Points are given in the local frame, arrays of shape (P,); radius_m is
        one number or one per point. Returns two int arrays of equal length,
        sorted by point then zone.
        """
        x = np.atleast_1d(np.asarray(x_m, float))
        y = np.atleast_1d(np.asarray(y_m, float))
        if self._tree is None or x.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        r = np.broadcast_to(np.asarray(radius_m, float), x.shape)
        # Multi-point queries come back with each point's indices sorted; the
        # lists are read straight into arrays rather than one array per point.
        hits = self._tree.query_ball_point(np.c_[x, y], r=r, return_sorted=True)
        counts = np.fromiter(map(len, hits), np.int64, len(hits))
        pts = np.repeat(np.arange(len(hits), dtype=np.int64), counts)
        zs = np.fromiter(chain.from_iterable(hits), np.int64, int(counts.sum()))
        return pts, zs

    def near_segments(self, x_m, y_m, ux, uy, length_m, radius_m) -> tuple[IntArray, IntArray]:
        """All (segment, zone) pairs with the zone centre within radius_m of the segment.

        Segment i starts at (x_m[i], y_m[i]) and runs length_m[i] (0 for a point)
        along the unit vector (ux[i], uy[i]); radius_m is one per segment. Each
        pair comes once, in order of segment (zones in no set order within one).

        A long thin corridor would be a wasteful disc around its middle: each
        segment is covered instead by discs centred two radii apart along it
        (radius sqrt(r² + (step/2)²) each), and a zone is kept only from the disc
        whose slab of the segment it falls in, so no pair comes twice. The zones
        near each disc come from a bucket grid (the squares around it), as the
        exact test follows anyway.
        """
        x0, y0 = np.asarray(x_m, float), np.asarray(y_m, float)
        ux, uy = np.asarray(ux, float), np.asarray(uy, float)
        r = np.asarray(radius_m, float)
        length = np.maximum(np.asarray(length_m, float), 0.0)
        if self._grid is None or x0.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        n = np.ceil(length / np.maximum(2.0 * r, 1.0)).astype(np.int64) + 1  # discs per segment
        step = length / np.maximum(n - 1, 1)
        seg = np.repeat(np.arange(x0.size, dtype=np.int64), n)
        first = np.cumsum(n) - n
        i = np.arange(seg.size, dtype=np.int64) - first[seg]  # disc i of its segment
        at = i * step[seg]  # how far along the segment each disc's centre lies
        cx, cy = x0[seg] + at * ux[seg], y0[seg] + at * uy[seg]
        pts, zs = self._grid.in_boxes(cx, cy, np.sqrt(r[seg] ** 2 + (0.5 * step[seg]) ** 2) + 1.0)
        s_ = seg[pts]
        dx, dy = self.x_m[zs] - x0[s_], self.y_m[zs] - y0[s_]
        vx, vy = ux[s_], uy[s_]
        along = dx * vx + dy * vy
        slab = np.clip(np.floor(along / np.maximum(step[s_], 1e-9) + 0.5), 0, n[s_] - 1)
        a = np.clip(along, 0.0, length[s_])  # the closest point of the segment
        keep = (slab == i[pts]) & ((dx - a * vx) ** 2 + (dy - a * vy) ** 2 <= r[s_] ** 2)
        return s_[keep], zs[keep]

    def nearest(self, x_m, y_m) -> tuple[FloatArray, IntArray]:
        """Distance to and index of the nearest zone centre of each local point."""
        d, i = self._tree.query(np.c_[np.atleast_1d(x_m), np.atleast_1d(y_m)])
        return np.asarray(d, float), np.asarray(i, np.int64)

    def boundary(self, i: int) -> list[tuple[float, float]]:
        """The zone's hexagon as a closed ring of (lat_deg, lon_deg)."""
        ring = [(float(a), float(b)) for a, b in h3.cell_to_boundary(self.ids[i])]
        return ring + ring[:1]

    def area_km2(self) -> FloatArray:
        """Area of each zone (Z,) in km²; H3 cells vary in size with their place."""
        return np.array([h3.cell_area(c, unit="km^2") for c in self.ids], float)


def area_to_cells(geometry: dict, res: int) -> list[str]:
    """H3 cells at res whose centres lie inside a GeoJSON (Multi)Polygon geometry."""
    return list(h3.geo_to_cells(geometry, res))


def zone_res_of(zone_id: ZoneId) -> int:
    """The H3 resolution of a zone id; ValueError if it is not a valid cell."""
    if not (isinstance(zone_id, str) and h3.is_valid_cell(zone_id)):
        raise ValueError(f"not an H3 zone id: {zone_id!r}")
    return int(h3.get_resolution(zone_id))


class _Grid:
    """Zone centres bucketed in squares about one zone spacing wide, for finding the
    zones near thousands of points at once with array operations only. It beats the
    k-d tree's ball query, whose answer is a Python list per point, where a coarse
    candidate set is enough (``Zones.near_segments`` tests each pair exactly)."""

    def __init__(self, x: FloatArray, y: FloatArray) -> None:
        n = len(x)
        span = max(float(np.ptp(x)) * float(np.ptp(y)), 1.0)
        self.size = max(np.sqrt(span / n), 100.0)  # about one zone per square
        self.x0, self.y0 = float(x.min()), float(y.min())
        self.nx = int((x.max() - self.x0) // self.size) + 1
        self.ny = int((y.max() - self.y0) // self.size) + 1
        cell = self._cell_x(x) + self.nx * self._cell_y(y)
        self.order = np.argsort(cell, kind="stable")
        count = np.bincount(cell, minlength=self.nx * self.ny)
        self.start = np.r_[0, np.cumsum(count)[:-1]]
        self.count = count

    def _cell_x(self, x):
        return np.floor((np.asarray(x) - self.x0) / self.size).astype(np.int64)

    def _cell_y(self, y):
        return np.floor((np.asarray(y) - self.y0) / self.size).astype(np.int64)

    def in_boxes(self, x: FloatArray, y: FloatArray, half: FloatArray) -> tuple[IntArray, IntArray]:
        """(point, zone) pairs of every zone whose square meets the box of half-width
        half (P,) around each point (P,): a superset of those within that distance."""
        lo_x = np.maximum(self._cell_x(x - half), 0)
        hi_x = np.minimum(self._cell_x(x + half), self.nx - 1)
        lo_y = np.maximum(self._cell_y(y - half), 0)
        hi_y = np.minimum(self._cell_y(y + half), self.ny - 1)
        wx = np.maximum(hi_x - lo_x + 1, 0)
        wy = np.maximum(hi_y - lo_y + 1, 0)
        pt, k = _expand(wx * wy)  # each point's squares, k-th of its box
        cell = (lo_x[pt] + k % wx[pt]) + self.nx * (lo_y[pt] + k // wx[pt])
        sq, j = _expand(self.count[cell])  # each square's zones, j-th of its own
        return pt[sq], self.order[self.start[cell[sq]] + j]


def _expand(counts: IntArray) -> tuple[IntArray, IntArray]:
    """For counts (N,): the owner (sum,) of each of counts[i] items and its rank within."""
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    return owner, np.arange(len(owner), dtype=np.int64) - first[owner]
