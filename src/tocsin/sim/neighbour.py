"""Tracks from a neighbouring system ("NEIGHBOUR", kind `position`).

The neighbour follows some of the drones while they are still outside the
region, before they first cross into it: a position every 10-30 s with an
error of 300-1000 m (one sigma), a velocity, and the neighbour's own track id.
"""

from __future__ import annotations

import numpy as np
import shapely

from tocsin.geo import Region
from tocsin.sim.fly import Truth
from tocsin.sim.records import Records, make_records

INTERVAL_S = (10.0, 30.0)
SIGMA_M = (300.0, 1000.0)
SIGMA_ALT_M = 150.0
SIGMA_SPEED_MPS = 3.0
DELAY_S = (2.0, 8.0)
_STRIDE = 5


def entry_times(region: Region, truth: Truth, targets) -> np.ndarray:
    """When each of targets first crossed into the region (to within a few seconds),
    or its last sample's time if it never did."""
    area = shapely.from_wkb(shapely.to_wkb(region.area))
    shapely.prepare(area)
    out = truth.t1_s[targets].astype(float)
    for n, i in enumerate(targets):
        k = truth.first[i] + np.arange(0, truth.count[i], _STRIDE)
        inside = shapely.contains_xy(area, truth.lon_deg[k], truth.lat_deg[k])
        if inside.any():
            out[n] = truth.t_s[k[np.argmax(inside)]]
    return out


def observe_neighbour(
    region: Region,
    truth: Truth,
    share: float,
    start_s: float,
    end_s: float,
    rng: np.random.Generator,
) -> Records:
    """The neighbour's position reports of a share of the drones, before they enter."""
    n = len(truth.count)
    chosen = np.flatnonzero((rng.random(n) < share) & (truth.count > 0))
    interval = rng.uniform(*INTERVAL_S, len(chosen))
    sigma = np.round(rng.uniform(*SIGMA_M, len(chosen)))
    ext = rng.choice(np.arange(1000, 10000), len(chosen), replace=False)
    if len(chosen) == 0:
        return make_records(t_s=[], rx_s=[], sensor=[], kind="position", cause=[])
    t_lo = np.maximum(truth.t0_s[chosen], start_s) + rng.uniform(0.0, 1.0, len(chosen)) * interval
    t_hi = np.minimum(entry_times(region, truth, chosen), end_s)
    k = np.maximum(np.floor((t_hi - t_lo) / interval).astype(np.int64) + 1, 0)
    c = np.repeat(np.arange(len(chosen)), k)
    t = t_lo[c] + (np.arange(len(c)) - np.repeat(np.cumsum(k) - k, k)) * interval[c]
    target = chosen[c]
    x, y, alt = truth.at(target, t, ("x_m", "y_m", "alt_m"))
    m = len(t)
    err = rng.normal(0.0, 1.0, (2, m)) * sigma[c]
    lat, lon = region.frame.xy_to_latlng(x + err[0], y + err[1])
    true_lat, true_lon = region.frame.xy_to_latlng(x, y)
    ve, vn = truth.velocity_en(target, t)
    return make_records(
        t_s=t,
        rx_s=t + rng.uniform(*DELAY_S, m),
        sensor=np.full(m, "NEIGHBOUR", dtype=object),
        kind="position",
        cause=target,
        lat_deg=lat,
        lon_deg=lon,
        alt_m=np.maximum(alt + rng.normal(0.0, SIGMA_ALT_M, m), 0.0),
        sigma_m=sigma[c],
        v_east_mps=ve + rng.normal(0.0, SIGMA_SPEED_MPS, m),
        v_north_mps=vn + rng.normal(0.0, SIGMA_SPEED_MPS, m),
        ext_id=ext[c],
        true_lat_deg=true_lat,
        true_lon_deg=true_lon,
    )
