"""Plan a raid: waves, groups, entry points, roles, routes, speeds and altitudes.

A raid arrives in waves, each from one or a few directions. Drones fly alone or
in groups of 2-6 a few hundred metres and seconds apart. Each enters 20-60 km
outside the region's boundary and either strikes a settlement of the region
(chosen by population) or crosses the region and leaves it, turning at
waypoints on the way. Flying the routes is `fly.py`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from tocsin.geo import Region
from tocsin.sim.preset import SimSettings
from tocsin.types import BoolArray, FloatArray, IntArray

MAX_WAYPOINTS = 5  # entry, up to 3 turns, destination or exit (more when routes turn more)
ENTRY_OFFSET_M = (20_000.0, 60_000.0)
SPEED_MPS = (40.0, 55.0)
JET_SPEED_MPS = (90.0, 120.0)
ALT_MIN_M, ALT_MAX_M = 50.0, 4000.0  # above ground


@dataclass(frozen=True, slots=True, kw_only=True)
class Raid:
    """The planned raid; arrays (N,) over targets unless noted."""

    ids: np.ndarray  # "U1", "U2", ...
    wave: IntArray
    group: IntArray
    group_size: IntArray
    leader: BoolArray  # the first drone of its group (a lone drone leads itself)
    launch_s: FloatArray  # absolute Unix seconds, whole
    speed_mps: FloatArray
    jet: BoolArray
    bank_deg: FloatArray  # bank angle of its coordinated turns
    dest: IntArray  # settlement index of a striker, -1 for a transit
    waypoints_m: FloatArray  # (N, W, 2) local x, y; entry first; padded with the last
    n_waypoints: IntArray  # >= 2
    leg_alt_m: FloatArray  # (N, W) altitude above sea level flown towards waypoint w
    entry_az_deg: FloatArray  # direction of the entry point from the region's centre

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def striker(self) -> BoolArray:
        return self.dest >= 0


def plan_raid(region: Region, s: SimSettings, rng: np.random.Generator) -> Raid:
    """Draw a raid of `s.drones` drones over the region."""
    area = area_xy(region)
    sett = region.settlements
    inside = np.flatnonzero(sett.zone >= 0) if len(sett) else np.zeros(0, np.int64)
    weights = sett.population[inside].astype(float) + 1.0
    weights /= weights.sum() if len(weights) else 1.0
    waves = min(s.waves, s.drones)
    per_wave = np.bincount(
        np.r_[np.arange(waves), rng.integers(0, waves, s.drones - waves)], minlength=waves
    )
    base_az = rng.uniform(0.0, 360.0)
    dir_az = base_az + 360.0 * np.arange(s.directions) / s.directions
    dir_az += rng.normal(0.0, 10.0, s.directions)
    p_group = s.group_share / (4.0 - 3.0 * s.group_share)  # mean group size is 4
    spread_s = min(s.wave_spread_min * 60.0, 0.8 * (1.0 - s.launch_window) * s.duration_s)
    t0 = float(np.ceil(s.start_s))
    rows: list[dict] = []
    for w in range(waves):
        wave_start = t0 + (w / max(waves - 1, 1)) * s.launch_window * s.duration_s
        n_dirs = int(rng.integers(1, min(3, s.directions) + 1))
        dirs = rng.choice(dir_az, n_dirs, replace=False)
        left = int(per_wave[w])
        while left > 0:
            size = int(rng.integers(2, 7)) if rng.random() < p_group else 1
            size = min(size, left)
            left -= size
            launch = wave_start + rng.uniform(0.0, spread_s)
            az = float(rng.choice(dirs)) + rng.normal(0.0, 10.0)
            rows += _group(area, region, s, rng, w, size, launch, az, inside, weights)
    return _assemble(rows)


def _group(area, region, s, rng, wave, size, launch_s, az_deg, inside, weights) -> list[dict]:
    """One group (or a lone drone): a shared route, offset a little per member."""
    entry = _outside_point(area, az_deg, rng.uniform(*ENTRY_OFFSET_M))
    strike = len(inside) > 0 and rng.random() < s.strike_share
    if strike:
        dest = int(inside[rng.choice(len(inside), p=weights)])
        final = np.array([region.settlements.x_m[dest], region.settlements.y_m[dest]])
    else:
        dest = -1
        exit_az = az_deg + 180.0 + rng.normal(0.0, 35.0)
        final = _outside_point(area, exit_az, rng.uniform(*ENTRY_OFFSET_M))
    route = _route(entry, final, rng, s, keep_clear_m=10_000.0 if strike else 0.0)
    jet = rng.random() < s.jet_share
    speed = rng.uniform(*(JET_SPEED_MPS if jet else SPEED_MPS))
    bank = rng.uniform(15.0, 25.0) if jet else rng.uniform(20.0, 30.0)
    base_agl = min(ALT_MIN_M + rng.lognormal(np.log(100.0), 1.0), ALT_MAX_M)
    leg_agl = np.clip(base_agl * rng.lognormal(0.0, 0.3, len(route)), ALT_MIN_M, ALT_MAX_M)
    members = []
    delay = 0
    for k in range(size):
        offset = np.zeros(2)
        if k:
            r, a = rng.uniform(100.0, 400.0), rng.uniform(0.0, 2 * np.pi)
            offset = r * np.array([np.sin(a), np.cos(a)])
            delay += int(rng.integers(1, 9))
        agl = np.clip(leg_agl + (rng.normal(0.0, 20.0) if k else 0.0), ALT_MIN_M, ALT_MAX_M)
        members.append(
            dict(
                wave=wave,
                size=size,
                leader=k == 0,
                launch=round(launch_s) + delay,
                speed=speed,
                jet=jet,
                bank=bank,
                dest=dest,
                route=route + offset,
                alt=agl + s.ground_alt_m,
                az=az_deg % 360.0,
            )
        )
    return members


def _route(
    entry: FloatArray, final: FloatArray, rng, s: SimSettings, keep_clear_m: float
) -> FloatArray:
    """Waypoints (W, 2) from entry to final with `s.turn_p`-many turns off the straight
    line, offset by `s.turn_side` of its length (sigma)."""
    leg = final - entry
    length = float(np.hypot(*leg))
    n_turns = int(rng.choice(len(s.turn_p), p=list(s.turn_p)))
    hi = 0.85 if keep_clear_m == 0 else min(0.85, 1.0 - keep_clear_m / max(length, 1.0))
    if length < 25_000.0 or hi <= 0.2:
        n_turns = 0
    frac = np.sort(rng.uniform(0.15, hi, n_turns)) if n_turns else np.zeros(0)
    normal = np.array([-leg[1], leg[0]]) / max(length, 1.0)
    lim = min(s.turn_side_max_m, 0.3 * length)
    side = np.clip(rng.normal(0.0, s.turn_side * length, n_turns), -lim, lim)
    turns = entry + frac[:, None] * leg + side[:, None] * normal
    return np.vstack([entry, turns, final])


def area_xy(region: Region) -> shapely.Geometry:
    """The protected area in the region's local frame (exterior rings)."""
    polys = [shapely.Polygon(np.c_[x, y]) for x, y in region.boundary_xy()]
    return shapely.make_valid(shapely.union_all(polys))


def _outside_point(area: shapely.Geometry, az_deg: float, offset_m: float) -> FloatArray:
    """A point offset_m outside the area, on the ray from its centre at az_deg."""
    u = np.array([np.sin(np.radians(az_deg)), np.cos(np.radians(az_deg))])
    ray = shapely.LineString([(0.0, 0.0), tuple(2e6 * u)])
    hits = shapely.get_coordinates(shapely.intersection(area.boundary, ray))
    d = float(np.hypot(hits[:, 0], hits[:, 1]).max()) if len(hits) else 0.0
    d += offset_m
    for _ in range(4):  # the ray may leave the area at a slant: push out to the true distance
        gap = offset_m - shapely.distance(area, shapely.Point(*(d * u)))
        if gap < 1.0:
            break
        d += gap
    return d * u


def _assemble(rows: list[dict]) -> Raid:
    n = len(rows)
    w = max([MAX_WAYPOINTS, *(len(r["route"]) for r in rows)])
    wp = np.zeros((n, w, 2))
    alt = np.zeros((n, w))
    nwp = np.zeros(n, np.int64)
    group = np.zeros(n, np.int64)
    g = -1
    for i, r in enumerate(rows):
        k = len(r["route"])
        wp[i, :k], wp[i, k:] = r["route"], r["route"][-1]
        alt[i, :k], alt[i, k:] = r["alt"], r["alt"][-1]
        nwp[i] = k
        g += r["leader"]
        group[i] = g

    def col(key, dtype=float):
        return np.array([r[key] for r in rows], dtype)

    return Raid(
        ids=np.array([f"U{i + 1}" for i in range(n)], dtype=object),
        wave=col("wave", np.int64),
        group=group,
        group_size=col("size", np.int64),
        leader=col("leader", bool),
        launch_s=col("launch"),
        speed_mps=col("speed"),
        jet=col("jet", bool),
        bank_deg=col("bank"),
        dest=col("dest", np.int64),
        waypoints_m=wp,
        n_waypoints=nwp,
        leg_alt_m=alt,
        entry_az_deg=col("az"),
    )
