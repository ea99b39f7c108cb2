"""Young tracks' radar plots, kept so that two of them may trade plots taken wrongly.

A track started in a formation takes its second and third plots with a
velocity known to tens of m/s: a wingman's plot 300 m off may fit it better
than its own drone's, and the assignment of that scan, the best one on what
was known then, sends the two plots to the wrong tracks. A scan or two later
the mistake shows: neither track's plots lie on a straight line any more. This
is where a multiple-hypothesis tracker keeps both histories and lets later
scans decide (N-scan pruning); here the decision is deferred the same way for
pairs only, and only for young tracks fed by radar alone.

Each such track keeps its last plots (``Trails``). After each radar scan, for
two tracks near each other, every exchange of their plots from some scan on is
scored by the straight-line fits (weighted least squares, constant velocity)
of the two histories it gives: the sum of the fits' chi-squares against that
of the histories as they stand. An exchange keeps the number of plots and of
fitted lines, and so the degrees of freedom: the two sums compare directly.
Where an exchange is better by more than ``cost`` (a likelihood ratio of
e^(cost/2)), the two tracks trade: each keeps its latest plots and takes the
other's earlier ones, and is restarted from its new history's fit. Writing
the fits from prefix sums of each history's normal equations makes every
exchange of every pair one batch of array operations, with no Python loop
over pairs.
"""

from __future__ import annotations

import numpy as np

from tocsin.track.associate import within
from tocsin.types import FloatArray, IntArray

# Columns of a trail entry: time, ground position, ground covariance (xx, xy, yy).
T, X, Y, RXX, RXY, RYY = range(6)


class Trails:
    """The last ``length`` radar plots of each young track, in growable arrays by row.

    ``n[k]`` is the number kept for track k; -1 once the track is past its youth
    (more than ``length`` plots) or took anything but a radar plot.
    """

    def __init__(self, length: int = 8, capacity: int = 256) -> None:
        self.length = length
        self.plots = np.zeros((capacity, length, 6))
        self.n = np.full(capacity, -1, np.int64)

    def _fit(self, rows: int) -> None:
        while rows > len(self.n):
            cap = 2 * len(self.n)
            plots = np.zeros((cap, self.length, 6))
            plots[: len(self.n)] = self.plots
            n = np.full(cap, -1, np.int64)
            n[: len(self.n)] = self.n
            self.plots, self.n = plots, n

    def start(self, ks: IntArray, t_s: FloatArray, z: FloatArray, R: FloatArray) -> None:
        """Tracks ks start with one plot each: times (M,), ground z (M, 2+), R (M, 2+, 2+)."""
        if len(ks) == 0:
            return
        self._fit(int(ks.max()) + 1)
        self.n[ks] = 0
        self.add(ks, t_s, z, R)

    def add(self, ks: IntArray, t_s: FloatArray, z: FloatArray, R: FloatArray) -> None:
        """Tracks ks took one radar plot each; a track whose trail is full leaves youth."""
        if len(ks) == 0:
            return
        self._fit(int(ks.max()) + 1)
        n = self.n[ks]
        on = (n >= 0) & (n < self.length)
        self.n[ks[n >= self.length]] = -1
        k, i = ks[on], n[on]
        rows = np.empty((len(ks), 6))
        rows[:, T], rows[:, X : Y + 1] = t_s, z[:, :2]
        rows[:, RXX], rows[:, RXY], rows[:, RYY] = R[:, 0, 0], R[:, 0, 1], R[:, 1, 1]
        self.plots[k, i] = rows[on]
        self.n[k] = i + 1

    def stop(self, ks: IntArray) -> None:
        """Tracks ks took something other than a radar plot: no trail from now on."""
        if len(ks):
            self._fit(int(ks.max()) + 1)
            self.n[ks] = -1

    def exchanges(
        self, ks: IntArray, t_ref: float, radius_m: float, cost: float, min_plots: int = 4,
        max_speed_mps: float = np.inf,
    ) -> list[tuple[int, int, FloatArray, FloatArray, FloatArray, FloatArray]]:  # fmt: skip
        """Exchanges of plots worth making among tracks ks (just updated at about t_ref),
        made in the trails: (a, b, then each one's ground state (4,) [x, y, vx, vy] at
        t_ref and its covariance (4, 4)), a and b having traded their plots from some
        scan on.

        Pairs are tracks of two plots or more, one of them at least min_plots, whose
        last plots lie within radius_m. An exchange leaves each with two plots or more;
        one of them may give the other all of its plots (a track started on its
        neighbour's drone the scan after that drone's plot went to it), and neither
        history may fly faster than max_speed_mps (drones in echelon lie on a line: a
        plot of each in turn does too). A track trades with one other at most, the best
        exchanges first.
        """
        self._fit(int(ks.max()) + 1 if len(ks) else 0)
        ks = ks[self.n[ks] >= 2]
        if len(ks) < 2:
            return []
        n = self.n[ks]
        pre = _prefix_sums(self.plots[ks], n, t_ref)
        own = _chi2(pre[np.arange(len(ks)), n])[0]
        last = self.plots[ks, n - 1, X : Y + 1]
        # Only pairs with a history that fits its line worse than it should (chi-square
        # beyond its degrees of freedom by cost / 2) are worth looking at: where both fit
        # as they should, no exchange is better by cost but by chance.
        off = own - np.maximum(2 * n - 4, 0) > cost / 2
        if not off.any():
            return []
        i, j, _ = within(last[off], last, radius_m)
        i = np.flatnonzero(off)[i]
        i, j = np.minimum(i, j), np.maximum(i, j)
        # No exchange can gain more than the two histories' own chi-squares.
        keep = (i < j) & (np.maximum(n[i], n[j]) >= min_plots) & (own[i] + own[j] > cost)
        i, j = i[keep], j[keep]
        if len(i):  # a pair of two such histories is found from both ends: once
            pair = np.unique(i * len(ks) + j)
            i, j = pair // len(ks), pair % len(ks)
        if len(i) == 0:
            return []
        ni, nj = n[i], n[j]
        ti, tj = self.plots[ks[i], :, T], self.plots[ks[j], :, T]
        # Plots of one scan lie within a fraction of a scan of each other.
        early = 0.4 * np.minimum(_min_gap(ti, ni), _min_gap(tj, nj))
        cols = np.arange(self.length)[None, :]
        ti = np.where(cols < ni[:, None], ti, np.inf)
        tj = np.where(cols < nj[:, None], tj, np.inf)
        # Every way to split the two at a scan, from each plot's scan on: how many
        # plots of each come before (P, 2L); one that leaves a history of fewer than two
        # plots or more than a trail holds, or changes nothing, is no exchange.
        split = np.concatenate([ti, tj], axis=1) - early[:, None]
        ai = (ti[:, None, :] < split[:, :, None]).sum(axis=2)
        aj = (tj[:, None, :] < split[:, :, None]).sum(axis=2)
        len_a, len_b = ai + nj[:, None] - aj, aj + ni[:, None] - ai
        ok = np.isfinite(split) & (np.minimum(len_a, len_b) >= 2)
        ok &= (np.maximum(len_a, len_b) <= self.length) & (ai + aj > 0)
        ok &= (ai < ni[:, None]) | (aj < nj[:, None])
        q, c = np.nonzero(ok)
        # Splits between the same two plots of each are the same exchange: once each.
        key = (q * (self.length + 1) + ai[q, c]) * (self.length + 1) + aj[q, c]
        _, first = np.unique(key, return_index=True)
        q, ai, aj = q[first], ai[q[first], c[first]], aj[q[first], c[first]]
        head_i, head_j = pre[i[q], ai], pre[j[q], aj]
        chi, x = _chi2(
            np.concatenate([head_i + pre[j[q], nj[q]] - head_j, head_j + pre[i[q], ni[q]] - head_i])
        )
        m = len(q)
        gain = own[i[q]] + own[j[q]] - chi[:m] - chi[m:]
        speed2 = np.einsum("ki,ki->k", x[:, 2:], x[:, 2:])
        gain[np.maximum(speed2[:m], speed2[m:]) > max_speed_mps**2] = -np.inf
        # The best exchange of each pair.
        order = np.lexsort((-gain, q))
        top = order[np.r_[True, q[order][1:] != q[order][:-1]]]
        best = np.full(len(i), -np.inf)
        best_ai = np.zeros(len(i), np.int64)
        best_aj = np.zeros(len(i), np.int64)
        best[q[top]], best_ai[q[top]], best_aj[q[top]] = gain[top], ai[top], aj[top]
        out = []
        taken: set[int] = set()
        for p in np.argsort(-best, kind="stable").tolist():
            if best[p] <= cost:
                break
            a, b = int(ks[i[p]]), int(ks[j[p]])
            if a in taken or b in taken:
                continue
            taken |= {a, b}
            na, nb, ha, hb = int(ni[p]), int(nj[p]), int(best_ai[p]), int(best_aj[p])
            # Each keeps its latest plots and takes the other's earlier ones: where the
            # tracks are now, and what they have been telling, stays theirs.
            sa = pre[j[p], hb] + pre[i[p], na] - pre[i[p], ha]
            sb = pre[i[p], ha] + pre[j[p], nb] - pre[j[p], hb]
            new_a = np.concatenate([self.plots[b, :hb], self.plots[a, ha:na]])
            new_b = np.concatenate([self.plots[a, :ha], self.plots[b, hb:nb]])
            for k, rows in ((a, new_a), (b, new_b)):
                self.plots[k, : len(rows)] = rows
                self.n[k] = len(rows)
            _, x = _chi2(np.stack([sa, sb]))
            out.append((a, b, x[0], _cov(sa), x[1], _cov(sb)))
        return out


def _min_gap(t: FloatArray, n: IntArray) -> FloatArray:
    """Shortest time between consecutive plots of each trail (P, L) of n plots."""
    gaps = np.diff(t, axis=1)
    valid = np.arange(gaps.shape[1])[None, :] < (n - 1)[:, None]
    return np.where(valid, gaps, np.inf).min(axis=1, initial=np.inf)


# A history's straight-line fit from the sums of its normal equations, with the
# constant-velocity state at t_ref: w (2x2 weight), tw, ttw, wz (2), twz (2), zwz.
_W, _TW, _TTW, _WZ, _TWZ, _ZWZ = (
    slice(0, 4),
    slice(4, 8),
    slice(8, 12),
    slice(12, 14),
    slice(14, 16),
    slice(16, 17),
)


def _prefix_sums(plots: FloatArray, n: IntArray, t_ref: float) -> FloatArray:
    """(P, L+1, 17): sums of the normal equations over each trail's first i plots."""
    P, L, _ = plots.shape
    valid = np.arange(L)[None, :] < n[:, None]
    vxx, vxy, vyy = plots[..., RXX], plots[..., RXY], plots[..., RYY]
    det = np.where(valid, vxx * vyy - vxy * vxy, 1.0)
    w = np.stack([vyy, -vxy, -vxy, vxx], axis=-1) / det[..., None]
    w = np.where(valid[..., None], w, 0.0)
    tau = (plots[..., T] - t_ref)[..., None]
    z = plots[..., X : Y + 1]
    wz = np.stack([w[..., 0] * z[..., 0] + w[..., 1] * z[..., 1],
                   w[..., 2] * z[..., 0] + w[..., 3] * z[..., 1]], axis=-1)  # fmt: skip
    zwz = (z * wz).sum(axis=-1, keepdims=True)
    terms = np.concatenate([w, tau * w, tau * tau * w, wz, tau * wz, zwz], axis=-1)
    out = np.zeros((P, L + 1, 17))
    np.cumsum(terms, axis=1, out=out[:, 1:])
    return out


def _chi2(s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Chi-square (K,) of the straight-line fit of histories with sums s (K, 17), and
    the fitted [x, y, vx, vy] at t_ref (K, 4).

    The normal equations [[A, B], [B, C]] [p, v] = [b1, b2] (2 x 2 blocks) solved
    by their Schur complement in closed form: a batch of 4 x 4 inverses costs
    several times as much, and this runs over every exchange of every pair.
    """
    k = len(s)
    A, B, C = (s[:, part].reshape(k, 2, 2) for part in (_W, _TW, _TTW))
    b1, b2 = s[:, _WZ], s[:, _TWZ]
    Ai = _inv2(A)
    BAi = B @ Ai
    Si = _inv2(C - BAi @ B)
    v = np.einsum("kij,kj->ki", Si, b2 - np.einsum("kij,kj->ki", BAi, b1))
    p = np.einsum("kij,kj->ki", Ai, b1 - np.einsum("kij,kj->ki", B, v))
    chi2 = s[:, _ZWZ][:, 0] - np.einsum("ki,ki->k", b1, p) - np.einsum("ki,ki->k", b2, v)
    return np.maximum(chi2, 0.0), np.concatenate([p, v], axis=1)


def _cov(s: FloatArray) -> FloatArray:
    """Covariance (4, 4) of the straight-line fit [x, y, vx, vy] of one history's sums (17,)."""
    N = np.empty((4, 4))
    N[:2, :2] = s[_W].reshape(2, 2)
    N[:2, 2:] = N[2:, :2] = s[_TW].reshape(2, 2)
    N[2:, 2:] = s[_TTW].reshape(2, 2)
    return np.linalg.inv(N)


def _inv2(M: FloatArray) -> FloatArray:
    """Inverses of 2 x 2 matrices (K, 2, 2)."""
    det = M[:, 0, 0] * M[:, 1, 1] - M[:, 0, 1] * M[:, 1, 0]
    out = np.empty_like(M)
    out[:, 0, 0], out[:, 1, 1] = M[:, 1, 1], M[:, 0, 0]
    out[:, 0, 1], out[:, 1, 0] = -M[:, 0, 1], -M[:, 1, 0]
    return out / det[:, None, None]
