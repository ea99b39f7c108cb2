"""Track quality where the sensors see: the missed share in coverage and false tracks.

A drone is *in coverage* at a second when a sensor (a radar, an acoustic node
or another system's positions; not a sighting) made a record of it within the
last ``window_s``, and has kept doing so, with no longer gap, for at least
``settle_s``: the tracker is given that long to form a track when a drone
comes into view. Coverage is read from the records the simulator made, so it
holds the radars' detection probability, their horizon and outages as they
were, not a nominal range.

The *missed share in coverage* is the share of a drone's seconds in coverage
at which GOSPA's optimal assignment (cut-off c, ``GospaSeries.pairs``) leaves
it without a confirmed track. A *false track* is a confirmed track that, over
the seconds it is confirmed, is assigned to no drone more often than not.

>>> covered(np.array([5.0, 40.0, 41.0, 60.0]), np.array([0, 0, 0, 0]),
...         np.arange(0.0, 45.0, 5.0), np.zeros(9, np.int64), window_s=10.0, settle_s=30.0).tolist()
[False, True, True, False]
"""

from __future__ import annotations

import numpy as np

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


def false_tracks(est_ids: np.ndarray, assigned: BoolArray) -> tuple[int, int]:
    """(false tracks, tracks): of the confirmed rows ``est_ids (M,)``, the tracks whose
    rows were ``assigned (M,)`` to no drone more often than not."""
    ids, inverse = np.unique(np.asarray(est_ids), return_inverse=True)
    rows = np.bincount(inverse, minlength=len(ids))
    free = np.bincount(inverse, weights=~np.asarray(assigned, bool), minlength=len(ids))
    return int((free > rows / 2).sum()), len(ids)
