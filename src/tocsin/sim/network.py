"""Lay out a sensor network over a region: radars near the largest towns, acoustic
nodes clustered round settlements plus a sparse grid, the public, a neighbour feed.

`Network.registry()` gives the entries of `sensors.json` (spec §1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from tocsin.geo import Region
from tocsin.sim.preset import SimSettings
from tocsin.sim.raid import area_xy
from tocsin.types import BoolArray, FloatArray

RADAR_SEPARATION_M = 60_000.0
ACOUSTIC_GRID_M = 15_000.0  # grid spacing at density 1
ACOUSTIC_TOWN_MIN = 5_000  # settlements this large get a cluster of nodes


@dataclass(frozen=True, slots=True, kw_only=True)
class Radars:
    """Radar sites, arrays (R,). `alt_m` is the antenna's altitude, `mast_m` above
    `site_alt_m`; `sigma_elevation_deg` is NaN for a 2-D radar."""

    ids: np.ndarray
    x_m: FloatArray
    y_m: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    site_alt_m: FloatArray
    mast_m: FloatArray
    range_max_m: FloatArray
    sigma_range_m: FloatArray
    sigma_azimuth_deg: FloatArray
    sigma_elevation_deg: FloatArray
    scan_period_s: FloatArray
    phase_s: FloatArray  # start of scan 0 (north), seconds after the scenario start
    pd0: FloatArray
    latency_s: FloatArray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def alt_m(self) -> FloatArray:
        return self.site_alt_m + self.mast_m

    @property
    def three_d(self) -> BoolArray:
        return np.isfinite(self.sigma_elevation_deg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Microphones:
    """Acoustic nodes, arrays (A,); `sigma_bearing_deg` NaN: the node only hears."""

    ids: np.ndarray
    x_m: FloatArray
    y_m: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    range_max_m: FloatArray
    sigma_bearing_deg: FloatArray
    pd0: FloatArray
    phase_s: FloatArray  # report slots are phase + k * period

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    radars: Radars
    acoustic: Microphones
    neighbour: bool
    sighting_sigma_m: float
    outage_radar: int  # -1: no outage
    outage_s: tuple[float, float]  # absolute start and end of the outage

    def registry(self) -> list[dict]:
        """The `sensors.json` entries: radars, acoustic nodes, public, neighbour."""
        r, a = self.radars, self.acoustic
        out = []
        for i in range(len(r)):
            e = dict(
                id=r.ids[i],
                kind="radar",
                lat=_deg(r.lat_deg[i]),
                lon=_deg(r.lon_deg[i]),
                alt_m=round(float(r.alt_m[i]), 1),
                range_max_m=float(r.range_max_m[i]),
                sigma_range_m=float(r.sigma_range_m[i]),
                sigma_azimuth_deg=float(r.sigma_azimuth_deg[i]),
            )
            if r.three_d[i]:
                e["sigma_elevation_deg"] = float(r.sigma_elevation_deg[i])
            e["scan_period_s"] = float(r.scan_period_s[i])
            out.append(e)
        for i in range(len(a)):
            e = dict(
                id=a.ids[i],
                kind="acoustic",
                lat=_deg(a.lat_deg[i]),
                lon=_deg(a.lon_deg[i]),
                alt_m=round(float(a.alt_m[i]), 1),
                range_max_m=float(a.range_max_m[i]),
            )
            if np.isfinite(a.sigma_bearing_deg[i]):
                e["sigma_bearing_deg"] = float(a.sigma_bearing_deg[i])
            out.append(e)
        out.append(dict(id="public", kind="sighting", sigma_m=self.sighting_sigma_m))
        if self.neighbour:
            out.append(dict(id="NEIGHBOUR", kind="position"))
        return out


def _deg(v: float) -> float:
    return round(float(v), 6)


def lay_out(region: Region, s: SimSettings, rng: np.random.Generator) -> Network:
    """Place the sensors of a network with the settings' densities."""
    area = area_xy(region)
    shapely.prepare(area)
    radars = _radars(region, area, s, rng)
    has_outage = 0 <= s.outage_radar < len(radars) and s.outage_min > 0
    t_out = s.start_s + s.outage_start_min * 60.0
    return Network(
        radars=radars,
        acoustic=_microphones(region, area, s, rng),
        neighbour=s.neighbour,
        sighting_sigma_m=s.sighting_sigma_m,
        outage_radar=s.outage_radar if has_outage else -1,
        outage_s=(t_out, t_out + s.outage_min * 60.0) if has_outage else (0.0, 0.0),
    )


def _radars(region: Region, area, s: SimSettings, rng: np.random.Generator) -> Radars:
    sett = region.settlements
    order = np.argsort(-sett.population, kind="stable")
    towns = np.c_[sett.x_m[order], sett.y_m[order]].reshape(-1, 2)
    sites: list[np.ndarray] = []
    sep = RADAR_SEPARATION_M
    while len(sites) < s.radars and sep > 5_000.0:  # largest towns first, spread out
        for p in towns:
            if len(sites) < s.radars and all(np.hypot(*(p - q)) >= sep for q in sites):
                sites.append(p)
        sep /= 2
    while len(sites) < s.radars:  # too few towns: anywhere inside
        sites.append(_inside(area, rng))
    xy = np.zeros((s.radars, 2))
    for k, p in enumerate(sites):  # a radar stands a few km out of town
        for _ in range(20):
            a, d = rng.uniform(0, 2 * np.pi), rng.uniform(3_000.0, 8_000.0)
            q = p + d * np.array([np.sin(a), np.cos(a)])
            if shapely.contains_xy(area, *q):
                break
        else:
            q = p
        xy[k] = q
    n = s.radars
    lat, lon = region.frame.xy_to_latlng(xy[:, 0], xy[:, 1])
    period = np.round(rng.uniform(2.0, 5.0, n), 1)
    sigma_el = np.round(rng.uniform(0.5, 1.2, n), 2)
    sigma_el[np.arange(n) % 3 == 1] = np.nan  # every third radar, from the second, is 2-D
    return Radars(
        ids=np.array([f"R{k + 1}" for k in range(n)], dtype=object),
        x_m=xy[:, 0],
        y_m=xy[:, 1],
        lat_deg=np.atleast_1d(lat),
        lon_deg=np.atleast_1d(lon),
        site_alt_m=np.round(s.ground_alt_m + rng.uniform(0.0, 60.0, n), 1),
        mast_m=np.round(rng.uniform(20.0, 30.0, n), 1),
        range_max_m=np.round(rng.uniform(30.0, 60.0, n)) * 1000.0,
        sigma_range_m=np.round(rng.uniform(25.0, 60.0, n)),
        sigma_azimuth_deg=np.round(rng.uniform(0.3, 0.8, n), 2),
        sigma_elevation_deg=sigma_el,
        scan_period_s=period,
        phase_s=rng.uniform(0.0, 1.0, n) * period,
        pd0=rng.uniform(0.8, 0.95, n),
        latency_s=rng.uniform(0.2, 0.6, n),
    )


def _inside(area, rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = area.bounds
    while True:
        p = rng.uniform([x0, y0], [x1, y1])
        if shapely.contains_xy(area, *p):
            return p


def _microphones(region: Region, area, s: SimSettings, rng: np.random.Generator) -> Microphones:
    sett = region.settlements
    pts = [np.zeros((0, 2))]
    for k in np.flatnonzero(sett.population >= ACOUSTIC_TOWN_MIN):
        scale = np.sqrt(sett.population[k] / 300_000.0)
        n = rng.poisson(s.acoustic_density * (1.0 + 10.0 * scale))
        r = (1_500.0 + 4_500.0 * scale) * np.sqrt(rng.uniform(0, 1, n))
        a = rng.uniform(0, 2 * np.pi, n)
        pts.append(np.c_[sett.x_m[k] + r * np.sin(a), sett.y_m[k] + r * np.cos(a)])
    if s.acoustic_density > 0:
        step = ACOUSTIC_GRID_M / np.sqrt(s.acoustic_density)
        x0, y0, x1, y1 = area.bounds
        gx, gy = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
        g = np.c_[gx.ravel(), gy.ravel()] + rng.uniform(-step / 4, step / 4, (gx.size, 2))
        pts.append(g)
    xy = np.vstack(pts)
    xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
    n = len(xy)
    lat, lon = region.frame.xy_to_latlng(xy[:, 0], xy[:, 1])
    sigma = np.round(rng.uniform(5.0, 12.0, n) * 2) / 2
    sigma[rng.random(n) >= 0.6] = np.nan  # 40 % of nodes only say "heard"
    width = max(3, len(str(n)))
    return Microphones(
        ids=np.array([f"A{k + 1:0{width}d}" for k in range(n)], dtype=object),
        x_m=xy[:, 0],
        y_m=xy[:, 1],
        lat_deg=np.atleast_1d(lat),
        lon_deg=np.atleast_1d(lon),
        alt_m=np.round(s.ground_alt_m + rng.uniform(0.0, 40.0, n) + 6.0, 1),
        range_max_m=np.round(rng.uniform(2_500.0, 4_000.0, n), -2),
        sigma_bearing_deg=sigma,
        pd0=rng.uniform(0.8, 0.95, n),
        phase_s=rng.uniform(0, 5.0, n),
    )
