"""Acoustic node reports: "heard", or a bearing, late by the travel time of sound.

A node reports each audible drone at most once per report period, at its own
report slots. A report at slot t describes the sound arriving then, emitted
when the drone was at its retarded position (t - distance / 340 m/s); the
bearing, if the node gives one, points there. A drone at distance d is heard
with probability Pd0 * (1 - (d / r_max)^2). Nodes also raise false alarms at a
Poisson rate, with random bearings.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from tocsin.sim.earth import enu_of, wrap360
from tocsin.sim.fly import Truth
from tocsin.sim.network import Microphones
from tocsin.sim.records import Records, concat, make_records
from tocsin.types import SPEED_OF_SOUND_MPS

REPORT_PERIOD_S = 5.0
DELAY_S = (1.0, 5.0)  # rx - t
_STRIDE = 4  # truth samples skipped while looking for contacts
_MARGIN_M = 300.0  # covers the stride at jet speed


def observe_acoustic(
    nodes: Microphones,
    truth: Truth,
    start_s: float,
    end_s: float,
    false_per_h: float,
    rng: np.random.Generator,
) -> Records:
    """Reports of every acoustic node over [start_s, end_s], real and false."""
    if len(nodes) == 0:
        return concat([])
    target, node, t = _slots(nodes, truth, start_s, end_s)
    # retarded time: the sound heard at t left the drone d / c earlier
    tau = t.copy()
    for _ in range(3):
        x, y, alt = truth.at(target, tau, ("x_m", "y_m", "alt_m"))
        d = np.sqrt(
            (x - nodes.x_m[node]) ** 2 + (y - nodes.y_m[node]) ** 2 + (alt - nodes.alt_m[node]) ** 2
        )
        tau = t - d / SPEED_OF_SOUND_MPS
    rmax = nodes.range_max_m[node]
    ok = (tau >= truth.t0_s[target]) & (tau <= truth.t1_s[target]) & (d <= rmax)
    pd = nodes.pd0[node] * (1.0 - (d / rmax) ** 2)
    ok &= rng.random(len(t)) < pd
    target, node, t, tau = target[ok], node[ok], t[ok], tau[ok]
    lat, lon, alt = truth.at(target, tau, ("lat_deg", "lon_deg", "alt_m"))
    e, n, _ = enu_of(nodes.lat_deg[node], nodes.lon_deg[node], nodes.alt_m[node], lat, lon, alt)
    true_brg = wrap360(np.degrees(np.arctan2(e, n)))
    sigma = nodes.sigma_bearing_deg[node]
    brg = wrap360(true_brg + rng.normal(0.0, 1.0, len(t)) * np.nan_to_num(sigma))
    brg = np.where(np.isfinite(sigma), brg, np.nan)
    m = len(t)
    real = make_records(
        t_s=t,
        rx_s=t + rng.uniform(*DELAY_S, m),
        sensor=nodes.ids[node],
        kind="acoustic",
        cause=target,
        bearing_deg=brg,
        true_bearing_deg=np.where(np.isfinite(sigma), true_brg, np.nan),
    )
    return concat([real, _false_alarms(nodes, start_s, end_s, false_per_h, rng)])


def _slots(nodes: Microphones, truth: Truth, start_s: float, end_s: float):
    """Candidate (target, node, report time) triples: every report slot of a node
    while a drone passes within its range (plus margins)."""
    flew = truth.count > 0
    ends = np.r_[truth.first[flew], truth.first[flew] + truth.count[flew] - 1]
    k = np.unique(np.r_[np.arange(0, len(truth), _STRIDE), ends])
    rmax = float(nodes.range_max_m.max())
    tree_n = cKDTree(np.c_[nodes.x_m, nodes.y_m])
    tree_s = cKDTree(np.c_[truth.x_m[k], truth.y_m[k]])
    pairs = tree_s.sparse_distance_matrix(tree_n, rmax + _MARGIN_M, output_type="ndarray")
    i, j = pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)
    keep = pairs["v"] <= nodes.range_max_m[j] + _MARGIN_M
    i, j = k[i[keep]], j[keep]
    key = truth.target[i] * len(nodes) + j
    ukey, inv = np.unique(key, return_inverse=True)
    lo = np.full(len(ukey), np.inf)
    hi = np.full(len(ukey), -np.inf)
    np.minimum.at(lo, inv, truth.t_s[i])
    np.maximum.at(hi, inv, truth.t_s[i])
    c_target, c_node = ukey // len(nodes), ukey % len(nodes)
    # the sound of the window [lo - stride, hi + stride] arrives up to r_max / c later
    lo = np.maximum(lo - _STRIDE, start_s)
    hi = np.minimum(hi + _STRIDE + nodes.range_max_m[c_node] / SPEED_OF_SOUND_MPS + 1.0, end_s)
    phase = start_s + nodes.phase_s[c_node]
    s_lo = np.ceil((lo - phase) / REPORT_PERIOD_S).astype(np.int64)
    s_hi = np.floor((hi - phase) / REPORT_PERIOD_S).astype(np.int64)
    n = np.maximum(s_hi - s_lo + 1, 0)
    c = np.repeat(np.arange(len(n)), n)
    slot = s_lo[c] + np.arange(len(c)) - np.repeat(np.cumsum(n) - n, n)
    return c_target[c], c_node[c], phase[c] + slot * REPORT_PERIOD_S


def _false_alarms(nodes: Microphones, start_s, end_s, per_h: float, rng) -> Records:
    n = rng.poisson(per_h * (end_s - start_s) / 3600.0, len(nodes))
    node = np.repeat(np.arange(len(nodes)), n)
    m = len(node)
    t = rng.uniform(start_s, end_s, m)
    sigma = nodes.sigma_bearing_deg[node]
    brg = np.where(np.isfinite(sigma), wrap360(rng.uniform(0.0, 360.0, m)), np.nan)
    return make_records(
        t_s=t,
        rx_s=t + rng.uniform(*DELAY_S, m),
        sensor=nodes.ids[node],
        kind="acoustic",
        cause=np.full(m, -1),
        bearing_deg=brg,
    )
