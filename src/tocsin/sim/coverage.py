"""Track quality where the sensors see: the missed share in coverage and false tracks.

A drone is *in coverage* at a second when a sensor (a radar, an acoustic node
or another system's positions; not a sighting) made a record of it within the
last ``window_s``, and has kept doing so, with no longer gap, for at least
``settle_s``: the tracker is given that long to form a track when a drone
comes into view. Coverage is read from the records the simulator made, so it
holds the radars' detection probability, their horizon and outages as they
were, not a nominal range.

The *missed share in coverage* is the share of a drone's seconds in coverage
at which GOSPA's optimal assignment (cut-off c) leaves it without a confirmed
track. A *false track* is a confirmed track that, over the seconds it is
confirmed, is assigned to no drone more often than not.

>>> covered(np.array([5.0, 40.0, 41.0, 60.0]), np.array([0, 0, 0, 0]),
...         np.arange(0.0, 45.0, 5.0), np.zeros(9, np.int64), window_s=10.0, settle_s=30.0).tolist()
[False, True, True, False]
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from tocsin.sim.gospa import C_M, P, gospa_pairs
from tocsin.types import BoolArray, FloatArray, IntArray


def covered(
    truth_t: FloatArray,
    truth_target: IntArray,
    rec_t: FloatArray,
    rec_target: IntArray,
    window_s: float = 10.0,
    settle_s: float = 30.0,
) -> BoolArray:
    """Which truth rows (time, target) are in coverage, from the records (time, target)
    that sensors made of the targets (the module's text; pass no sightings)."""
    truth_t, rec_t = np.asarray(truth_t, float), np.asarray(rec_t, float)
    truth_target, rec_target = np.asarray(truth_target), np.asarray(rec_target)
    out = np.zeros(len(truth_t), bool)
    if not len(rec_t) or not len(truth_t):
        return out
    order = np.lexsort((rec_t, rec_target))
    t, who = rec_t[order], rec_target[order]
    new_run = np.r_[True, (who[1:] != who[:-1]) | (np.diff(t) > window_s)]
    run_start = t[np.flatnonzero(new_run)][np.cumsum(new_run) - 1]
    # The last record of the same target at or before each truth row.
    t0 = min(t.min(), truth_t.min())
    span = max(t.max(), truth_t.max()) - t0 + 1.0
    key = who * span + (t - t0)
    i = np.searchsorted(key, truth_target * span + (truth_t - t0), side="right") - 1
    ok = i >= 0
    j = np.where(ok, i, 0)
    ok &= who[j] == truth_target
    ok &= truth_t - t[j] <= window_s
    ok &= truth_t - run_start[j] >= settle_s
    return ok


def false_tracks(
    seconds: IntArray,
    truth_sec: IntArray,
    truth_xy: FloatArray,
    est_sec: IntArray,
    est_xy: FloatArray,
    est_ids: np.ndarray,
    c_m: float = C_M,
    p: float = P,
) -> tuple[int, int]:
    """(false tracks, confirmed tracks): tracks est_ids unassigned to any drone at more
    than half their seconds, second by second with GOSPA's assignment (cut-off c_m)."""
    t_order, e_order = np.argsort(truth_sec, kind="stable"), np.argsort(est_sec, kind="stable")
    t_bounds = np.searchsorted(truth_sec[t_order], seconds, side="left")
    t_ends = np.searchsorted(truth_sec[t_order], seconds, side="right")
    e_bounds = np.searchsorted(est_sec[e_order], seconds, side="left")
    e_ends = np.searchsorted(est_sec[e_order], seconds, side="right")
    seen: dict = defaultdict(int)
    unassigned: dict = defaultdict(int)
    for a, b, c, d in zip(t_bounds, t_ends, e_bounds, e_ends, strict=True):
        if c == d:
            continue
        rows_e = e_order[c:d]
        _, cols, _ = gospa_pairs(truth_xy[t_order[a:b]], est_xy[rows_e], c_m, p)
        free = np.ones(len(rows_e), bool)
        free[cols] = False
        for k, f in zip(est_ids[rows_e].tolist(), free.tolist(), strict=True):
            seen[k] += 1
            unassigned[k] += f
    n_false = sum(1 for k, n in seen.items() if unassigned[k] > n / 2)
    return n_false, len(seen)
