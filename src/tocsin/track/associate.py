"""Global nearest-neighbour association of one sensor's detections to tracks.

Candidates come from KD-trees: a pair is looked at only when the plot lies
within the gate's reach of the track (its own uncertainty plus the plot's),
so the cost of a batch grows with the plots and the tracks near them, not
with every track. Costs are the negative log-likelihood (d² + ln|S|) of gated
pairs. Tracks and plots that compete for one another form clusters (the
connected components of the gated pairs), each solved on its own
with scipy's ``linear_sum_assignment``: a lone pair, by far the most common
cluster, needs no solving at all, and the ambiguous clusters are solved
together as one block-diagonal problem, which gives the same one-to-one
assignment as one global problem at a small fraction of its size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from tocsin.track import kalman
from tocsin.types import FloatArray, IntArray

_NO = 1e9
_SPREAD_MAX_PAIRS = 200  # more ambiguous pairs than this: clusters by scipy.sparse
_BRUTE_MAX_PAIRS = 8192  # fewer (track, plot) pairs than this: distances without KD-trees


@dataclass(frozen=True, slots=True)
class GnnAssociator:
    """Gate on the squared Mahalanobis distance, then assign one to one within clusters."""

    gate_d2: float = 16.0  # chi-square, 2 d.o.f.: 0.03 % of true pairs fall outside
    gate_d2_bearing: float = 12.0  # chi-square, 1 d.o.f.
    # A track gone this unsure would claim plots of other drones and clutter far
    # away and never die: it may take no plot farther than this (plus the plot's own).
    max_track_reach_m: float = 3000.0

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

    def assign_linear(self, states, covs, z, R, H, trks, dets) -> tuple[IntArray, IntArray]:
        """Assign detections (z (M, m), R (M, m, m)) to tracks for candidate pairs."""
        if len(trks) == 0:
            return trks, dets
        rows = kalman.picked(H)
        if rows is None:
            y = z[dets] - states[trks] @ H.T
            S = H @ covs[trks] @ H.T + R[dets]
        else:  # H picks state components: gather just those, not whole covariances
            y = z[dets] - states[trks[:, None], rows]
            S = covs[trks[:, None, None], rows[:, None], rows] + R[dets]
        d2, logdet = kalman.mahalanobis2(y, S)
        return self._solve(trks, dets, d2, logdet, self.gate_d2)

    def assign_bearing(self, states, covs, bearing, sigma, nodes, sound_mps, trks, dets):
        """Assign bearings (M,) from nodes (M, 2) to tracks for candidate pairs."""
        if len(trks) == 0:
            return trks, dets
        h, Hj = kalman.bearing_model(states[trks], nodes[dets], sound_mps)
        y = np.angle(np.exp(1j * (bearing[dets] - h)))
        S = (Hj @ covs[trks] @ Hj.transpose(0, 2, 1))[:, 0, 0] + sigma[dets] ** 2
        return self._solve(trks, dets, y * y / S, np.log(S), self.gate_d2_bearing)

    @staticmethod
    def _solve(trks, dets, d2, logdet, gate) -> tuple[IntArray, IntArray]:
        ok = d2 <= gate
        trks, dets, cost = trks[ok], dets[ok], (d2 + logdet)[ok]
        if len(trks) == 0:
            return trks, dets
        # A cluster of one track and one plot: neither has another gated pair.
        lone = (np.bincount(trks)[trks] == 1) & (np.bincount(dets)[dets] == 1)
        out_t, out_d = [trks[lone]], [dets[lone]]
        rest = np.flatnonzero(~lone)
        if len(rest):
            # The ambiguous clusters side by side in one block-diagonal problem: no pair
            # crosses blocks, so its solution is each cluster's own, for one call.
            tr, dr = trks[rest], dets[rest]
            lab = _clusters(tr, dr)
            lt, ld = _local_index(lab, tr), _local_index(lab, dr)
            n_lab = lab.max() + 1
            rows = np.zeros(n_lab, np.int64)
            cols = np.zeros(n_lab, np.int64)
            np.maximum.at(rows, lab, lt + 1)
            np.maximum.at(cols, lab, ld + 1)
            row = (np.cumsum(rows) - rows)[lab] + lt
            col = (np.cumsum(cols) - cols)[lab] + ld
            C = np.full((rows.sum(), cols.sum()), _NO)
            C[row, col] = cost[rest] - cost[rest].min() + 1.0
            track_of = np.empty(C.shape[0], np.int64)
            track_of[row] = tr
            det_of = np.empty(C.shape[1], np.int64)
            det_of[col] = dr
            r, c = linear_sum_assignment(C)
            keep = C[r, c] < _NO
            out_t.append(track_of[r[keep]])
            out_d.append(det_of[c[keep]])
        t_all, d_all = np.concatenate(out_t), np.concatenate(out_d)
        order = np.argsort(t_all, kind="stable")
        return t_all[order], d_all[order]


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


def _clusters(ti: IntArray, di: IntArray) -> IntArray:
    """Cluster (connected component) of each pair of track ti and plot di, numbered in
    the order of each cluster's first track, as scipy's ``connected_components`` numbers
    them on the graph of tracks then plots.

    >>> _clusters(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 3])).tolist()
    [0, 0, 0, 1, 1]
    """
    _, a = np.unique(ti, return_inverse=True)
    _, b = np.unique(di, return_inverse=True)
    b = b + (a.max() + 1)
    n = b.max() + 1
    if len(a) > _SPREAD_MAX_PAIRS:  # big tangles: scipy's graph search, whatever their depth
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
        label = connected_components(graph, directed=False)[1]
        return np.unique(label[a], return_inverse=True)[1]
    label = np.arange(n)
    while True:  # spread each cluster's smallest node along its pairs, jumping ahead
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    return np.unique(label[a], return_inverse=True)[1]


def _local_index(label: IntArray, item: IntArray) -> IntArray:
    """Rank (from 0) of each item among the distinct items of its label's group."""
    order = np.lexsort((item, label))
    lab, it = label[order], item[order]
    new_group = np.r_[True, lab[1:] != lab[:-1]]
    new_item = new_group | np.r_[True, it[1:] != it[:-1]]
    rank = np.cumsum(new_item) - 1
    rank -= np.maximum.accumulate(np.where(new_group, rank, 0))
    out = np.empty(len(item), np.int64)
    out[order] = rank
    return out
