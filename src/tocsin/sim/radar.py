"""Radar plots: slant range, azimuth and (3-D radars) elevation, with clutter.

Each radar's beam turns once per scan period from north, clockwise, so a target
is measured once per scan at the instant the beam passes its azimuth:
t = scan start + azimuth / 360 * period. It is seen with probability
Pd = Pd0 * (1 - (r / r_max)^4) if it is within range and above the radar
horizon of the 4/3-Earth model, ground distance <= 4.12 km * (sqrt(h_antenna) +
sqrt(h_target)) with heights above the radar site in metres. One radar may be
silent during an outage. Clutter plots arrive as a Poisson number per scan,
spread uniformly over the radar's coverage.
"""

from __future__ import annotations

import numpy as np

from tocsin.sim.earth import enu_of, polar_of, wrap360
from tocsin.sim.fly import Truth
from tocsin.sim.network import Network, Radars
from tocsin.sim.records import Records, concat, make_records

HORIZON_M_PER_SQRT_M = 4_120.0
LATENCY_JITTER_S = 0.4
CLUTTER_MIN_RANGE_M = 300.0
CLUTTER_MAX_ELEVATION_DEG = 3.0


def radar_horizon_m(antenna_agl_m, target_agl_m) -> np.ndarray:
    """Greatest ground distance at which a target clears the 4/3-Earth horizon.

    >>> round(float(radar_horizon_m(25.0, 100.0)))
    61800
    """
    h_t = np.maximum(np.asarray(target_agl_m, float), 1.0)
    return HORIZON_M_PER_SQRT_M * (np.sqrt(antenna_agl_m) + np.sqrt(h_t))


def observe_radars(
    net: Network,
    truth: Truth,
    start_s: float,
    end_s: float,
    clutter_per_scan: float,
    rng: np.random.Generator,
) -> Records:
    """Every radar's target plots and clutter over [start_s, end_s]."""
    parts = []
    for k in range(len(net.radars)):
        silent = net.outage_s if k == net.outage_radar else (0.0, 0.0)
        parts.append(_plots(net.radars, k, truth, start_s, end_s, silent, rng))
        parts.append(_clutter(net.radars, k, start_s, end_s, silent, clutter_per_scan, rng))
    return concat(parts)


def _plots(radars: Radars, k: int, truth: Truth, start_s, end_s, silent, rng) -> Records:
    period, phase = radars.scan_period_s[k], start_s + radars.phase_s[k]
    site = (radars.lat_deg[k], radars.lon_deg[k], radars.alt_m[k])
    a = np.maximum(truth.t0_s, start_s)
    b = np.minimum(truth.t1_s, end_s)
    k_lo = np.ceil((a - phase - period) / period).astype(np.int64)
    k_hi = np.floor((b - phase) / period).astype(np.int64)
    n = np.where(truth.count > 0, np.maximum(k_hi - k_lo + 1, 0), 0)
    target = np.repeat(np.arange(len(n)), n)
    scan = k_lo[target] + np.arange(len(target)) - np.repeat(np.cumsum(n) - n, n)
    t_scan = phase + scan * period
    # drop what is plainly out of range before the exact geometry
    x, y = truth.at(target, t_scan, ("x_m", "y_m"))
    near = np.hypot(x - radars.x_m[k], y - radars.y_m[k]) <= radars.range_max_m[k] + 2_000.0
    target, t_scan = target[near], t_scan[near]
    lat, lon, alt = truth.at(target, t_scan, ("lat_deg", "lon_deg", "alt_m"))
    _, az0, _ = polar_of(*site, lat, lon, alt)
    t = t_scan + az0 / 360.0 * period
    lat, lon, alt = truth.at(target, t, ("lat_deg", "lon_deg", "alt_m"))
    e, nn, u = enu_of(*site, lat, lon, alt)
    ground = np.hypot(e, nn)
    r = np.sqrt(ground * ground + u * u)
    rmax = radars.range_max_m[k]
    seen = (t >= a[target]) & (t <= b[target]) & (r <= rmax)
    seen &= ~((t >= silent[0]) & (t < silent[1]))
    seen &= ground <= radar_horizon_m(radars.mast_m[k], alt - radars.site_alt_m[k])
    pd = radars.pd0[k] * (1.0 - (r / rmax) ** 4)
    seen &= rng.random(len(t)) < pd
    target, t, r, e, nn, u, ground = (v[seen] for v in (target, t, r, e, nn, u, ground))
    m = len(t)
    az = wrap360(np.degrees(np.arctan2(e, nn)))
    el = np.degrees(np.arctan2(u, ground))
    three_d = bool(radars.three_d[k])
    rx = t + radars.latency_s[k] + rng.uniform(0.0, LATENCY_JITTER_S, m)
    range_m = np.maximum(r + rng.normal(0.0, radars.sigma_range_m[k], m), 1.0)
    az_m = wrap360(az + rng.normal(0.0, radars.sigma_azimuth_deg[k], m))
    el_m = el + rng.normal(0.0, radars.sigma_elevation_deg[k], m) if three_d else None
    return make_records(
        t_s=t,
        rx_s=rx,
        sensor=np.full(m, radars.ids[k], dtype=object),
        kind="radar",
        cause=target,
        range_m=range_m,
        azimuth_deg=az_m,
        elevation_deg=el_m,
        true_range_m=r,
        true_azimuth_deg=az,
        true_elevation_deg=el,
    )


def _clutter(radars: Radars, k: int, start_s, end_s, silent, rate, rng) -> Records:
    period, phase = radars.scan_period_s[k], start_s + radars.phase_s[k]
    scans = np.arange(np.ceil((start_s - phase) / period), np.floor((end_s - phase) / period) + 1)
    n = rng.poisson(rate, len(scans))
    t_scan = phase + np.repeat(scans, n) * period
    m = len(t_scan)
    az = wrap360(rng.uniform(0.0, 360.0, m))
    t = t_scan + az / 360.0 * period
    r0, r1 = CLUTTER_MIN_RANGE_M**2, radars.range_max_m[k] ** 2
    r = np.sqrt(r0 + rng.uniform(0.0, 1.0, m) * (r1 - r0))
    el = rng.uniform(0.0, CLUTTER_MAX_ELEVATION_DEG, m) if radars.three_d[k] else None
    rx = t + radars.latency_s[k] + rng.uniform(0.0, LATENCY_JITTER_S, m)
    keep = (t <= end_s) & ~((t >= silent[0]) & (t < silent[1]))
    rec = make_records(
        t_s=t,
        rx_s=rx,
        sensor=np.full(m, radars.ids[k], dtype=object),
        kind="radar",
        cause=np.full(m, -1),
        range_m=r,
        azimuth_deg=az,
        elevation_deg=el,
    )
    return rec.take(keep)


def scans_in(radars: Radars, k: int, start_s: float, end_s: float, silent=(0.0, 0.0)) -> int:
    """How many scans of radar k start within [start_s, end_s], outside an outage."""
    period, phase = radars.scan_period_s[k], start_s + radars.phase_s[k]
    scans = np.arange(np.ceil((start_s - phase) / period), np.floor((end_s - phase) / period) + 1)
    t = phase + scans * period
    return int(np.sum(~((t >= silent[0]) & (t < silent[1]))))
