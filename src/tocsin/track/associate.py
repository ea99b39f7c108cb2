"""Global nearest-neighbour association of one sensor's detections to tracks.

Candidates come from KD-trees: a pair is looked at only when the plot lies
within the gate's reach of the track (its own uncertainty plus the plot's),
so the cost of a batch grows with the plots and the tracks near them, not
with every track. Costs are the negative log-likelihood (d² + ln|S|) of gated
pairs. A lone pair (a track and a plot with no other gated pair), by far the
most common case, needs no solving at all; the ambiguous pairs are solved
together with scipy's ``linear_sum_assignment`` over just their own tracks
and plots, which gives the same one-to-one assignment as one global problem
at a small fraction of its size. There a track may also take no plot, at the
cost of one at the edge of the sharpest gate among them (the part Stone Soup's
missed-detection hypothesis plays). A plot that a track left without one fits
nearly as well as the track it went to is marked *withheld* (`ambiguous_cost`):
which of two close drones went unseen is then a coin toss, and the caller
may let both tracks coast rather than risk swapping them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from tocsin.track import kalman
from tocsin.types import BoolArray, FloatArray, IntArray

_NO = 1e9
_BRUTE_MAX_PAIRS = 8192  # fewer (track, plot) pairs than this: distances without KD-trees


@dataclass(frozen=True, slots=True)
class GnnAssociator:
    """Gate on the squared Mahalanobis distance, then assign one to one within clusters."""

    gate_d2: float = 16.0  # chi-square, 2 d.o.f.: 0.03 % of true pairs fall outside
    gate_d2_bearing: float = 12.0  # chi-square, 1 d.o.f.
    # A track gone this unsure would claim plots of other drones and clutter far
    # away and never die: it may take no plot farther than this (plus the plot's own).
    max_track_reach_m: float = 3000.0
    # Another track fits an assigned plot within this too (chi-square, 2 d.o.f.: 3 sigma):
    # which of them it belongs to is not yet clear.
    contested_d2: float = 9.0
    # A plot assigned to one track that a track left without a plot fits nearly as well
    # (its cost, d² + ln|S|, at most this much higher: a likelihood ratio of e) is
    # *withheld*: neither takes it. When one drone of two close ones goes unseen for a
    # scan, which one it was is a coin toss; guessing wrong swaps their tracks, while
    # both coasting for a scan costs little. Not for tracks that are copies of one
    # drone (predictions within distinct_d2 of each other), where either will do.
    ambiguous_cost: float = 2.0
    distinct_d2: float = 2.0

    def candidates(
        self,
        track_xy: FloatArray,
        track_r: FloatArray,
        det_xy: FloatArray,
        det_r: FloatArray,
        pairs: tuple[IntArray, IntArray, FloatArray] | None = None,
    ) -> tuple[IntArray, IntArray]:
        """(track, detection) index pairs no farther apart than track_r + det_r.

        ``track_r (N,)`` and ``det_r (M,)`` are how far each may be from the
        other and still pass the gate; a track's reach is capped at
        ``max_track_reach_m``. ``pairs``, when the caller already has them, are
        (track, detection, distance) arrays of at least every pair within
        ``max_track_reach_m + det_r.max()``: they spare building the KD-trees again.
        """
        if len(track_xy) == 0 or len(det_xy) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        track_r = np.minimum(track_r, self.max_track_reach_m)
        if pairs is None:
            pairs = within(track_xy, det_xy, float(track_r.max() + det_r.max()))
        trks, dets, gap = pairs
        keep = gap <= track_r[trks] + det_r[dets]
        order = np.lexsort((trks[keep], dets[keep]))
        return trks[keep][order], dets[keep][order]

    def assign_linear(
        self, states, covs, z, R, H, trks, dets, extra: FloatArray | None = None,
        withhold: bool = False,
    ) -> tuple[IntArray, IntArray, BoolArray, BoolArray]:  # fmt: skip
        """Assign detections (z (M, m), R (M, m, m)) to tracks for candidate pairs;
        ``extra`` (per track) is added to the cost of each of its pairs. Also whether
        another track fits each assigned plot about as well (`_solve`), and, with
        ``withhold``, whether it is withheld (``ambiguous_cost``): the pair is not to
        be used."""
        if len(trks) == 0:
            return trks, dets, np.zeros(0, bool), np.zeros(0, bool)
        rows = kalman.picked(H)
        if rows is None:
            y = z[dets] - states[trks] @ H.T
            S = H @ covs[trks] @ H.T + R[dets]
        else:  # H picks state components: gather just those, not whole covariances
            y = z[dets] - states[trks[:, None], rows]
            S = covs[trks[:, None, None], rows[:, None], rows] + R[dets]
        d2, logdet = kalman.mahalanobis2(y, S)
        t, d, contested, rival = self._solve(
            trks, dets, d2, logdet, self.gate_d2, None if extra is None else extra[trks], withhold
        )
        withheld = rival >= 0
        if withheld.any():
            a, b = t[withheld], rival[withheld]
            y = states[a, :2] - states[b, :2]
            gap2, _ = kalman.mahalanobis2(y, covs[a, :2, :2] + covs[b, :2, :2])
            withheld[withheld] = gap2 > self.distinct_d2
        return t, d, contested, withheld

    def assign_bearing(self, states, covs, bearing, sigma, nodes, sound_mps, trks, dets):
        """Assign bearings (M,) from nodes (M, 2) to tracks for candidate pairs, as
        ``assign_linear`` does plots."""
        if len(trks) == 0:
            return trks, dets, np.zeros(0, bool)
        h, Hj = kalman.bearing_model(states[trks], nodes[dets], sound_mps)
        y = np.angle(np.exp(1j * (bearing[dets] - h)))
        S = (Hj @ covs[trks] @ Hj.transpose(0, 2, 1))[:, 0, 0] + sigma[dets] ** 2
        t, d, contested, _ = self._solve(trks, dets, y * y / S, np.log(S), self.gate_d2_bearing)
        return t, d, contested

    def _solve(self, trks, dets, d2, logdet, gate, extra=None, rivals=False):
        """The assigned (track, detection) pairs, by track; whether each detection is
        *contested* (another track fits it within ``contested_d2`` too); and, with
        ``rivals``, each one's *rival*: a track given no plot that fits it within
        ``ambiguous_cost`` of the assigned one (-1: none, and for all without
        ``rivals``). ``extra`` (per pair) is added to the costs the assignment weighs,
        not to the fits that make a rival."""
        ok = d2 <= gate
        trks, dets, d2, fit = trks[ok], dets[ok], d2[ok], (d2 + logdet)[ok]
        if len(trks) == 0:
            return trks, dets, np.zeros(0, bool), trks
        cost = fit if extra is None else fit + extra[ok]
        # A cluster of one track and one plot: neither has another gated pair.
        lone = (np.bincount(trks)[trks] == 1) & (np.bincount(dets)[dets] == 1)
        out_t, out_d = [trks[lone]], [dets[lone]]
        rest = np.flatnonzero(~lone)
        if len(rest):
            # One problem over the tracks and plots of the ambiguous pairs: no lone pair
            # competes with them. (Split into the clusters of competing pairs, it is the
            # same matrix, rows and columns in another order: no cheaper to solve.)
            # Each track may also take no plot, at the cost of a plot at the edge of the
            # sharpest gate of the cluster: else a track whose drone went unseen this scan
            # would be made to take a neighbour's plot, that one's track the next one's,
            # and so on down a formation, whenever that chain assigns more tracks.
            ut, ti = np.unique(trks[rest], return_inverse=True)
            ud, di = np.unique(dets[rest], return_inverse=True)
            low = cost[rest].min()
            C = np.full((len(ut), len(ud) + len(ut)), _NO)
            C[ti, di] = cost[rest] - low + 1.0
            miss = gate + (cost - d2)[rest].min()
            C[np.arange(len(ut)), len(ud) + np.arange(len(ut))] = miss - low + 1.0
            r, c = linear_sum_assignment(C)
            keep = c < len(ud)
            out_t.append(ut[r[keep]])
            out_d.append(ud[c[keep]])
        t_all, d_all = np.concatenate(out_t), np.concatenate(out_d)
        order = np.argsort(t_all, kind="stable")
        t_all, d_all = t_all[order], d_all[order]
        close = d2 <= self.contested_d2
        fits = np.bincount(dets[close], minlength=int(dets.max()) + 1)[d_all]
        span = int(trks.max()) + 1
        key = dets * span + trks  # the assigned pairs' own rows, less their own fit
        at = np.searchsorted(key, d_all * span + t_all, sorter=(by := np.argsort(key)))
        rival = np.full(len(t_all), -1, np.int64)
        free = ~np.isin(trks, t_all) if rivals else np.zeros(0, bool)
        if free.any():  # the best fit of each plot among the tracks left without one
            f = np.flatnonzero(free)
            f = f[np.lexsort((fit[f], dets[f]))]
            f = f[np.r_[True, dets[f][1:] != dets[f][:-1]]]
            best = np.full(int(dets.max()) + 1, -1, np.int64)
            best[dets[f]] = f
            r = best[d_all]
            near = (r >= 0) & (fit[np.maximum(r, 0)] <= fit[by[at]] + self.ambiguous_cost)
            rival[near] = trks[r[near]]
        return t_all, d_all, fits - close[by[at]] > 0, rival


def within(
    a_xy: FloatArray, b_xy: FloatArray, radius_m: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """Index pairs (i into a_xy (N, 2), j into b_xy (M, 2)) of points no farther apart
    than radius_m, and their distances, in no particular order.

    >>> i, j, gap = within(np.array([[0.0, 0.0], [9.0, 0.0]]), np.array([[3.0, 4.0]]), 5.0)
    >>> i.tolist(), j.tolist(), gap.tolist()
    ([0], [0], [5.0])
    """
    if len(a_xy) * len(b_xy) <= _BRUTE_MAX_PAIRS:
        # Every distance at once: below this many pairs, cheaper than two KD-trees
        # (a small sensor batch against a raid's hundreds of tracks); the same
        # distances as the trees give, computed the same way.
        dx = a_xy[:, None, 0] - b_xy[None, :, 0]
        dy = a_xy[:, None, 1] - b_xy[None, :, 1]
        gap = np.sqrt(dx * dx + dy * dy)
        i, j = np.nonzero(gap <= radius_m)
        return i, j, gap[i, j]
    pairs = cKDTree(a_xy).sparse_distance_matrix(cKDTree(b_xy), radius_m, output_type="ndarray")
    return pairs["i"].astype(np.int64), pairs["j"].astype(np.int64), pairs["v"]
