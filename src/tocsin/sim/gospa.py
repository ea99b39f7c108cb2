"""GOSPA (generalised optimal sub-pattern assignment), alpha = 2.

Rahmathullah, García-Fernández, Svensson (2017). With alpha = 2 the distance
between truth X and estimates Y is

    d = ( min over assignments  sum_assigned d(x, y)^p
          + c^p / 2 * (#missed + #false) ) ^ (1/p)

where only pairs closer than c may be assigned. It splits into a
localisation part (the assigned pairs), a missed part (unassigned truth)
and a false part (unassigned estimates); each part is reported here as its
p-th root, in metres, so d^p = loc^p + missed^p + false^p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from tocsin.types import FloatArray

C_M = 5_000.0  # spec §6 cut-off
P = 2.0  # spec §6 order
ALPHA = 2.0  # spec §6; the only alpha for which the missed/false split holds


@dataclass(frozen=True, slots=True, kw_only=True)
class Gospa:
    """One GOSPA evaluation: the distance, its parts (metres) and counts."""

    distance_m: float
    localisation_m: float
    missed_m: float
    false_m: float
    assigned: int
    missed: int
    false: int


def gospa(truth_xy: FloatArray, est_xy: FloatArray, c_m: float = C_M, p: float = P) -> Gospa:
    """GOSPA (alpha = 2) between truth points (N, 2) and estimates (M, 2), in metres.

    >>> g = gospa(np.array([[0.0, 0.0]]), np.array([[3000.0, 0.0]]))
    >>> g.distance_m, g.localisation_m, g.missed
    (3000.0, 3000.0, 0)
    >>> round(gospa(np.array([[0.0, 0.0]]), np.zeros((0, 2))).missed_m, 1)  # c / 2^(1/p)
    3535.5
    """
    x = np.asarray(truth_xy, float).reshape(-1, 2)
    y = np.asarray(est_xy, float).reshape(-1, 2)
    _, _, d = gospa_pairs(x, y, c_m, p)
    loc_p, assigned = float((d**p).sum()), len(d)
    missed, false = len(x) - assigned, len(y) - assigned
    half = c_m**p / ALPHA
    miss_p, false_p = half * missed, half * false
    return Gospa(
        distance_m=float((loc_p + miss_p + false_p) ** (1.0 / p)),
        localisation_m=float(loc_p ** (1.0 / p)),
        missed_m=float(miss_p ** (1.0 / p)),
        false_m=float(false_p ** (1.0 / p)),
        assigned=assigned,
        missed=missed,
        false=false,
    )


def gospa_pairs(
    truth_xy: FloatArray, est_xy: FloatArray, c_m: float = C_M, p: float = P
) -> tuple[np.ndarray, np.ndarray, FloatArray]:
    """GOSPA's optimal assignment: (truth row, estimate row, distance) of each pair, (K,).

    Pairs minimise the sum of min(d, c)^p; a pair at or beyond c costs as much
    as a miss and a false, so it is left out.

    >>> gospa_pairs(np.array([[0.0, 0.0], [900.0, 0.0]]), np.array([[800.0, 0.0]]), 1000.0)
    (array([1]), array([0]), array([100.]))
    """
    x = np.asarray(truth_xy, float).reshape(-1, 2)
    y = np.asarray(est_xy, float).reshape(-1, 2)
    if not (len(x) and len(y)):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    d = np.hypot(x[:, None, 0] - y[None, :, 0], x[:, None, 1] - y[None, :, 1])
    rows, cols = linear_sum_assignment(np.minimum(d, c_m) ** p)
    keep = d[rows, cols] < c_m
    return rows[keep], cols[keep], d[rows[keep], cols[keep]]


def mean_gospa(
    seconds: np.ndarray,
    truth_sec: np.ndarray,
    truth_xy: FloatArray,
    est_sec: np.ndarray,
    est_xy: FloatArray,
    c_m: float = C_M,
    p: float = P,
) -> dict[str, float]:
    """Mean over `seconds (S,)` of GOSPA between the truth and estimates at each second.

    `truth_sec (N,)` and `est_sec (M,)` give each point's second as integers
    comparable with `seconds` (sorted, unique); points at other seconds are
    ignored. Returns the means of the distance and of each part (metres) and of
    the missed and false counts, as `gospa` would give second by second.
    """
    return GospaSeries(seconds, truth_sec, truth_xy, est_sec, est_xy, c_m, p).mean()


class GospaSeries:
    """GOSPA second by second between truth and estimates, for `mean_gospa`.

    Vectorised: one KD-tree query finds every truth and estimate pair closer
    than c in the same second (the second is a third coordinate, spaced 4c
    apart). `mean` may then be asked for subsets of the truth without a new
    search. A pair sharing no point with another pair is assigned as it is;
    the others are assigned with `linear_sum_assignment`, one call a second.
    """

    def __init__(
        self,
        seconds: np.ndarray,
        truth_sec: np.ndarray,
        truth_xy: FloatArray,
        est_sec: np.ndarray,
        est_xy: FloatArray,
        c_m: float = C_M,
        p: float = P,
    ) -> None:
        self.seconds = np.asarray(seconds, np.int64)
        self.c_m, self.p = float(c_m), float(p)
        self._ti, t_keep = _at_seconds(self.seconds, truth_sec)
        self._truth_index = np.flatnonzero(t_keep)  # kept truth row -> input row
        self._ei, e_keep = _at_seconds(self.seconds, est_sec)
        self._est_index = np.flatnonzero(e_keep)  # kept estimate row -> input row
        txy = np.asarray(truth_xy, float).reshape(-1, 2)[t_keep]
        exy = np.asarray(est_xy, float).reshape(-1, 2)[e_keep]
        self._pairs = _near_pairs(self._ti, txy, self._ei, exy, self.c_m)

    def mean(self, truth_keep: np.ndarray | None = None) -> dict[str, float]:
        """Means over the seconds, with only the truth rows where `truth_keep (N,)` is True."""
        ti, (i, j, d) = self._ti, self._pairs
        if truth_keep is not None:
            keep = np.asarray(truth_keep, bool)[self._truth_index]
            old_to_new = np.cumsum(keep) - 1
            edge = keep[i]
            ti, i, j, d = ti[keep], old_to_new[i[edge]], j[edge], d[edge]
        n_s, c, p = len(self.seconds), self.c_m, self.p
        pt, _, pd = _assign(ti, len(self._ei), i, j, d, c, p)
        loc_p = np.bincount(ti[pt], weights=pd**p, minlength=n_s)
        assigned = np.bincount(ti[pt], minlength=n_s)
        missed = np.bincount(ti, minlength=n_s) - assigned
        false = np.bincount(self._ei, minlength=n_s) - assigned
        half = c**p / ALPHA
        parts = {
            "distance_m": (loc_p + half * (missed + false)) ** (1.0 / p),
            "localisation_m": loc_p ** (1.0 / p),
            "missed_m": (half * missed) ** (1.0 / p),
            "false_m": (half * false) ** (1.0 / p),
            "missed": missed,
            "false": false,
        }
        return {k: float(v.mean()) if n_s else 0.0 for k, v in parts.items()}

    def pairs(self) -> tuple[np.ndarray, np.ndarray, FloatArray]:
        """GOSPA's optimal pairs at every second: (truth row, estimate row, distance), the
        rows those of the inputs; a point in no pair was missed or false."""
        pt, pe, pd = _assign(self._ti, len(self._ei), *self._pairs, self.c_m, self.p)
        return self._truth_index[pt], self._est_index[pe], pd


def _at_seconds(seconds: np.ndarray, sec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index into `seconds` of each point at one of them, and which points those are."""
    sec = np.asarray(sec, np.int64)
    if len(seconds) == 0:
        return np.zeros(0, np.int64), np.zeros(len(sec), bool)
    k = np.searchsorted(seconds, sec)
    keep = (k < len(seconds)) & (seconds[np.minimum(k, len(seconds) - 1)] == sec)
    return k[keep], keep


def _near_pairs(
    ti: np.ndarray, txy: FloatArray, ei: np.ndarray, exy: FloatArray, c_m: float
) -> tuple[np.ndarray, np.ndarray, FloatArray]:
    """(truth, estimate, distance) of every pair closer than c in the same second."""
    if len(ti) == 0 or len(ei) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    gap = 4.0 * c_m  # seconds this far apart in z never meet within c
    tree_t = cKDTree(np.c_[txy, ti * gap])
    tree_e = cKDTree(np.c_[exy, ei * gap])
    sdm = tree_t.sparse_distance_matrix(tree_e, c_m, output_type="ndarray")
    near = sdm["v"] < c_m
    return sdm["i"][near].astype(np.int64), sdm["j"][near].astype(np.int64), sdm["v"][near]


def _assign(
    ti: np.ndarray, n_est: int, i: np.ndarray, j: np.ndarray, d: FloatArray, c_m: float, p: float
) -> tuple[np.ndarray, FloatArray]:
    """Optimal GOSPA pairs over all seconds at once: (truth index, estimate index,
    distance) of each."""
    if i.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    n = len(ti)
    graph = coo_matrix((np.ones(i.size), (i, n + j)), shape=(n + n_est,) * 2)
    _, label = connected_components(graph, directed=False)
    comp = label[i]
    single = np.bincount(comp)[comp] == 1  # a lone pair: assigned as it is
    out_i, out_j, out_d = [i[single]], [j[single]], [d[single]]
    multi = np.flatnonzero(~single)  # the rest: one assignment per second
    multi = multi[np.argsort(ti[i[multi]], kind="stable")]
    bounds = np.flatnonzero(np.diff(ti[i[multi]])) + 1
    for edges in np.split(multi, bounds) if multi.size else []:
        rows, r = np.unique(i[edges], return_inverse=True)
        cols, k = np.unique(j[edges], return_inverse=True)
        cost = np.full((rows.size, k.max() + 1), c_m**p)  # no edge: as bad as miss + false
        dist = np.full_like(cost, np.inf)
        dist[r, k] = d[edges]
        cost[r, k] = d[edges] ** p
        a, b = linear_sum_assignment(cost)
        ok = np.isfinite(dist[a, b])
        out_i.append(rows[a[ok]]), out_j.append(cols[b[ok]]), out_d.append(dist[a[ok], b[ok]])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_d)
