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
two tracks near each other, every exchange of their last m plots is scored
by the straight-line fit (weighted least squares, constant velocity) of the
two histories it gives: the sum of the fits' chi-squares against that of the
histories as they stand. Exchanging the same number of plots between two
histories keeps the degrees of freedom, so the two sums compare directly. Where
an exchange is better by more than ``cost`` (a likelihood ratio of e^(cost/2)),
the two tracks trade those plots, and each is restarted from its new
history's fit. Writing the fit from prefix sums of each history's normal
equations makes every exchange of every pair a few array operations, with
no Python loop over pairs.
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
        self.plots[k, i] = np.column_stack(
            [t_s[on], z[on, 0], z[on, 1], R[on, 0, 0], R[on, 0, 1], R[on, 1, 1]]
        )
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
        i, j, _ = within(last, last, radius_m)
        # No exchange can gain more than the two histories' own chi-squares.
        keep = (i < j) & (np.maximum(n[i], n[j]) >= min_plots) & (own[i] + own[j] > cost)
        i, j = i[keep], j[keep]
        if len(i) == 0:
            return []
        ni, nj = n[i], n[j]
        ti, tj = self.plots[ks[i], :, T], self.plots[ks[j], :, T]
        # Plots of one scan lie within a fraction of a scan of each other.
        early = 0.4 * np.minimum(_min_gap(ti, ni), _min_gap(tj, nj))
        cols = np.arange(self.length)[None, :]
        ti = np.where(cols < ni[:, None], ti, np.inf)
        tj = np.where(cols < nj[:, None], tj, np.inf)
        best = np.full(len(i), cost)
        best_ai = np.zeros(len(i), np.int64)
        best_aj = np.zeros(len(i), np.int64)
        v2 = max_speed_mps**2
        for t_split in (*ti.T, *tj.T):  # from each plot's scan on
            split = t_split - early
            ai = (ti < split[:, None]).sum(axis=1)
            aj = (tj < split[:, None]).sum(axis=1)
            len_a, len_b = ai + nj - aj, aj + ni - ai
            ok = np.isfinite(split) & (np.minimum(len_a, len_b) >= 2)
            ok &= np.maximum(len_a, len_b) <= self.length
            if not ok.any():
                continue
            q, ai, aj = np.flatnonzero(ok), ai[ok], aj[ok]
            head_i, head_j = pre[i[q], ai], pre[j[q], aj]
            chi_a, xa, _ = _chi2(head_i + pre[j[q], nj[q]] - head_j)
            chi_b, xb, _ = _chi2(head_j + pre[i[q], ni[q]] - head_i)
            gain = own[i[q]] + own[j[q]] - chi_a - chi_b
            fast = (np.einsum("ki,ki->k", xa[:, 2:], xa[:, 2:]) > v2) | (
                np.einsum("ki,ki->k", xb[:, 2:], xb[:, 2:]) > v2
            )
            better = ~fast & (gain > best[q])
            q = q[better]
            best[q], best_ai[q], best_aj[q] = gain[better], ai[better], aj[better]
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
            _, xa, Pa = _chi2(sa[None])
            _, xb, Pb = _chi2(sb[None])
            out.append((a, b, xa[0], Pa[0], xb[0], Pb[0]))
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


def _chi2(s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Chi-square (K,) of the straight-line fit of histories with sums s (K, 17), the
    fitted [x, y, vx, vy] at t_ref (K, 4) and its covariance (K, 4, 4)."""
    k = len(s)
    N = np.empty((k, 4, 4))
    N[:, :2, :2] = s[:, _W].reshape(k, 2, 2)
    N[:, :2, 2:] = N[:, 2:, :2] = s[:, _TW].reshape(k, 2, 2)
    N[:, 2:, 2:] = s[:, _TTW].reshape(k, 2, 2)
    b = np.concatenate([s[:, _WZ], s[:, _TWZ]], axis=1)
    cov = np.linalg.inv(N)
    x = np.einsum("kij,kj->ki", cov, b)
    chi2 = s[:, _ZWZ][:, 0] - np.einsum("ki,ki->k", b, x)
    return np.maximum(chi2, 0.0), x, cov
