"""Sightings from the public: late, km-scale, sometimes mistaken.

People in a settlement see or hear a group pass within a few km of it (below
1.5 km altitude). A pass over a large town is reported more often and by more
people. Each report gives where the reporter thinks the drones were (the true
position plus an error drawn with `sigma_m`), how many they saw, sometimes a
direction of flight, and reaches Tocsin 20-150 s later. Mistaken reports, with
no drone at all, come at a Poisson rate per head of population.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from tocsin.geo import Region
from tocsin.sim.earth import azimuth_deg, wrap360
from tocsin.sim.fly import Truth
from tocsin.sim.preset import SimSettings
from tocsin.sim.raid import Raid
from tocsin.sim.records import Records, concat, make_records

DELAY_S = (20.0, 150.0)
VISIBLE_AGL_M = 1_500.0
HEADING_SHARE = 0.5
SIGMA_HEADING_DEG = 20.0
_STRIDE = 2


def report_delay_s(rng: np.random.Generator, n: int) -> np.ndarray:
    """Delays rx - t of n reports, in [20, 150] s, most under a minute and a half."""
    return DELAY_S[0] + (DELAY_S[1] - DELAY_S[0]) * rng.beta(1.3, 2.5, n)


def seen_radius_m(population) -> np.ndarray:
    """How far from a settlement's centre its people see passing drones."""
    return 1_500.0 + 3_000.0 * np.sqrt(np.asarray(population, float) / 300_000.0)


def observe_public(
    region: Region, raid: Raid, truth: Truth, s: SimSettings, end_s: float, rng
) -> Records:
    """Every sighting report over [s.start_s, end_s], real and mistaken."""
    sett = region.settlements
    if len(sett) == 0:
        return concat([])
    real = _reports(region, raid, truth, s, end_s, rng)
    return concat([real, _mistaken(region, s, end_s, rng)])


def _reports(region, raid, truth, s, end_s, rng) -> Records:
    sett = region.settlements
    k = np.arange(0, len(truth), _STRIDE)
    k = k[raid.leader[truth.target[k]] & (truth.alt_m[k] - s.ground_alt_m < VISIBLE_AGL_M)]
    k = k[(truth.t_s[k] >= s.start_s) & (truth.t_s[k] <= end_s)]
    radius = seen_radius_m(sett.population)
    tree_s = cKDTree(np.c_[sett.x_m, sett.y_m])
    tree_k = cKDTree(np.c_[truth.x_m[k], truth.y_m[k]])
    pairs = tree_k.sparse_distance_matrix(tree_s, float(radius.max()), output_type="ndarray")
    keep = pairs["v"] <= radius[pairs["j"]]
    i, j = k[pairs["i"][keep]], pairs["j"][keep].astype(np.int64)
    key = truth.target[i] * len(sett) + j
    order = np.lexsort((truth.t_s[i], key))
    i, j, key = i[order], j[order], key[order]
    ukey, first, size = np.unique(key, return_index=True, return_counts=True)
    place = ukey % len(sett)
    pop = sett.population[place].astype(float)
    p_report = s.sighting_share * np.minimum(1.0, np.sqrt(pop / 20_000.0))
    n = np.where(
        rng.random(len(ukey)) < p_report,
        1 + rng.poisson(np.minimum(0.5 * np.sqrt(pop / 20_000.0), 4.0)),
        0,
    )
    c = np.repeat(np.arange(len(ukey)), n)
    pick = i[first[c] + (rng.random(len(c)) * size[c]).astype(np.int64)]
    target = truth.target[pick]
    t = np.minimum(truth.t_s[pick] + rng.uniform(0.0, _STRIDE, len(c)), truth.t1_s[target])
    x, y = truth.at(target, t, ("x_m", "y_m"))
    return _make(region, s, rng, t, x, y, target, place[c], truth, raid.group_size)


def _make(region, s, rng, t, x, y, target, place, truth, group_size) -> Records:
    """Reports at true local positions (x, y); target -1 for mistaken ones."""
    m = len(t)
    true_lat, true_lon = region.frame.xy_to_latlng(x, y)
    err = rng.normal(0.0, s.sighting_sigma_m, (2, m))
    lat, lon = region.frame.xy_to_latlng(x + err[0], y + err[1])
    real = target >= 0
    heading = wrap360(rng.uniform(0.0, 360.0, m))
    if real.any():
        ve, vn = truth.velocity_en(target[real], t[real])
        heading[real] = wrap360(azimuth_deg(ve, vn) + rng.normal(0.0, SIGMA_HEADING_DEG, ve.size))
    heading[rng.random(m) >= HEADING_SHARE] = np.nan
    size = group_size[np.maximum(target, 0)] if real.any() else np.ones(m, np.int64)
    undercount = rng.random(m) < 0.3
    count = np.where(undercount, 1 + (rng.random(m) * size).astype(np.int64), size)
    pool = np.maximum(region.settlements.population[place] // 200, 10)
    reporter = place * 100_000 + (rng.random(m) * pool).astype(np.int64) + 1
    return make_records(
        t_s=t,
        rx_s=t + report_delay_s(rng, m),
        sensor=np.full(m, "public", dtype=object),
        kind="sighting",
        cause=target,
        lat_deg=lat,
        lon_deg=lon,
        sigma_m=s.sighting_sigma_m,
        heading_deg=heading,
        count=count,
        reporter=reporter,
        true_lat_deg=np.where(real, true_lat, np.nan),
        true_lon_deg=np.where(real, true_lon, np.nan),
    )


def _mistaken(region: Region, s: SimSettings, end_s: float, rng) -> Records:
    sett = region.settlements
    hours = max(end_s - s.start_s, 0.0) / 3600.0
    n = rng.poisson(s.mistaken_per_h_per_100k * sett.population / 100_000.0 * hours)
    place = np.repeat(np.arange(len(sett)), n)
    m = len(place)
    spread = seen_radius_m(sett.population[place]) / 2.0
    x = sett.x_m[place] + rng.normal(0.0, 1.0, m) * spread
    y = sett.y_m[place] + rng.normal(0.0, 1.0, m) * spread
    t = rng.uniform(s.start_s, end_s, m)
    return _make(region, s, rng, t, x, y, np.full(m, -1), place, None, None)
