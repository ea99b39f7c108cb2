"""Tracks as GeoJSON for the map: each track's position and its predicted corridor.

The corridor is what the map shows of the assessment (``tocsin.assess.reach``):
the straight constant-velocity path over the warning horizon, widened by the
hit distance, ``k`` sigma of the track's position error and a small turn
allowance that grows with the distance flown. It is a picture of the threat,
not the decision: the zones' states come from the engine alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tocsin.engine import TrackRows
from tocsin.geo.frame import LocalFrame
from tocsin.types import D_HIT_M


@dataclass(frozen=True, slots=True, kw_only=True)
class CorridorSettings:
    horizon_s: float = 300.0  # the warning horizon of the alert policy
    k_sigma: float = 1.5
    turn_allowance_deg: float = 3.0
    d_hit_m: float = D_HIT_M
    min_speed_mps: float = 5.0  # slower tracks hover: no corridor
    samples: int = 8


def corridor_xy(
    x_m: float, y_m: float, ve_mps: float, vn_mps: float, sigma_m: float, c: CorridorSettings
) -> np.ndarray:
    """The corridor's closed ring in the local frame, ``(2 * samples + 3, 2)``.

    >>> ring = corridor_xy(0.0, 0.0, 50.0, 0.0, 100.0, CorridorSettings(samples=2))
    >>> ring.shape, bool((ring[0] == ring[-1]).all()), float(ring[:, 0].max())
    ((7, 2), True, 15000.0)
    """
    speed = math.hypot(ve_mps, vn_mps)
    ux, uy = ve_mps / speed, vn_mps / speed
    t = np.linspace(0.0, c.horizon_s, c.samples + 1)
    cx, cy = x_m + ux * speed * t, y_m + uy * speed * t
    turn = math.tan(math.radians(c.turn_allowance_deg))
    half = c.d_hit_m + c.k_sigma * sigma_m + speed * t * turn
    left = np.column_stack([cx - uy * half, cy + ux * half])
    right = np.column_stack([cx + uy * half, cy - ux * half])[::-1]
    return np.vstack([left, right, left[:1]])


def tracks_to_geojson(
    rows: TrackRows | None, frame: LocalFrame, c: CorridorSettings | None = None
) -> dict:
    """Live tracks as Point features and, for confirmed moving ones, corridor Polygons.

    Every feature has ``kind`` (``track`` or ``corridor``), ``track`` and ``status``;
    points also carry ``alt_m``, ``speed_mps``, ``heading_deg`` and ``sigma_m``.
    """
    c = c or CorridorSettings()
    feats: list[dict] = []
    if rows is None or not rows.ids:
        return {"type": "FeatureCollection", "features": feats}
    x = rows.states
    lat, lon = frame.xy_to_latlng(x[:, 0], x[:, 1])
    for k, tid in enumerate(rows.ids):
        status = rows.status[k]
        if status == "deleted":
            continue
        ve, vn = float(x[k, 3]), float(x[k, 4])
        speed = math.hypot(ve, vn)
        sigma = float(rows.sigma_m[k])
        props = {
            "kind": "track",
            "track": tid,
            "status": status,
            "alt_m": round(float(x[k, 2]), 1),
            "speed_mps": round(speed, 1),
            "sigma_m": round(sigma, 1),
            "heading_deg": round(math.degrees(math.atan2(ve, vn)) % 360.0, 1),
        }
        point = {"type": "Point", "coordinates": [round(float(lon[k]), 6), round(float(lat[k]), 6)]}
        feats.append({"type": "Feature", "properties": props, "geometry": point})
        if status != "confirmed" or speed < c.min_speed_mps:
            continue
        ring = corridor_xy(float(x[k, 0]), float(x[k, 1]), ve, vn, sigma, c)
        rlat, rlon = frame.xy_to_latlng(ring[:, 0], ring[:, 1])
        coords = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(rlon, rlat, strict=True)]
        feats.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "corridor",
                    "track": tid,
                    "status": status,
                    "horizon_s": c.horizon_s,
                },
                "geometry": {"type": "Polygon", "coordinates": [coords]},
            }
        )
    return {"type": "FeatureCollection", "features": feats}
