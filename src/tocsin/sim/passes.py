"""Threat passes (spec §6): when each target comes within D_hit of each zone centre.

A pass is a maximal run of consecutive truth samples of one target whose
ground position lies within `D_HIT_M` of one zone's centre (distance <= D_hit,
in the region's local frame). `t_in` is the first such sample's time and
`t_out` the last's. Computed for all truth points at once with the zones'
KD-tree, then grouped by run length; no loop over targets or zones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tocsin.geo import Zones
from tocsin.types import D_HIT_M, BoolArray, FloatArray, IntArray

WARNABLE_S = 30.0  # spec §6: the least t_avail that lets a system react


@dataclass(frozen=True, slots=True, kw_only=True)
class Passes:
    """Threat passes as arrays (P,), sorted by zone, then t_in, then target.

    `target` indexes the scenario's targets, `zone` the region's zones;
    `first_rx_s` is the target's first report (NaN if never reported).
    """

    target: IntArray
    zone: IntArray
    t_in_s: FloatArray
    t_out_s: FloatArray
    first_rx_s: FloatArray

    def __len__(self) -> int:
        return len(self.target)

    @property
    def t_avail_s(self) -> FloatArray:
        """t_in - first_rx; NaN for a target never reported."""
        return self.t_in_s - self.first_rx_s

    @property
    def warnable(self) -> BoolArray:
        """t_avail >= 30 s (False for a target never reported)."""
        with np.errstate(invalid="ignore"):
            return self.t_avail_s >= WARNABLE_S


def find_passes(
    t_s: FloatArray,
    target: IntArray,
    x_m: FloatArray,
    y_m: FloatArray,
    first_rx_s: FloatArray,
    zones: Zones,
    d_hit_m: float = D_HIT_M,
) -> Passes:
    """Threat passes of truth samples (N,) given in the local frame.

    `target (N,)` indexes `first_rx_s (T,)`. Samples need not be sorted.
    """
    order = np.lexsort((t_s, target))  # by target, then time: consecutive samples adjacent
    pts, zs = zones.within(x_m[order], y_m[order], d_hit_m)
    if pts.size == 0:
        empty = np.zeros(0, np.int64)
        return Passes(
            target=empty,
            zone=empty.copy(),
            t_in_s=np.zeros(0),
            t_out_s=np.zeros(0),
            first_rx_s=np.zeros(0),
        )
    # by zone, then sample: a target's samples in a zone are adjacent and in time order
    regroup = np.argsort(zs, kind="stable")
    pts, zs = pts[regroup], zs[regroup]
    tgt = target[order][pts]
    start = np.ones(pts.size, bool)
    start[1:] = (tgt[1:] != tgt[:-1]) | (zs[1:] != zs[:-1]) | (pts[1:] != pts[:-1] + 1)
    first = np.flatnonzero(start)
    last = np.r_[first[1:], pts.size] - 1
    t_sorted = t_s[order]
    p_target, p_zone = tgt[first], zs[first]
    t_in, t_out = t_sorted[pts[first]], t_sorted[pts[last]]
    by_zone = np.lexsort((p_target, t_in, p_zone))
    p_target = p_target[by_zone]
    return Passes(
        target=p_target,
        zone=p_zone[by_zone],
        t_in_s=t_in[by_zone],
        t_out_s=t_out[by_zone],
        first_rx_s=np.asarray(first_rx_s, float)[p_target],
    )
