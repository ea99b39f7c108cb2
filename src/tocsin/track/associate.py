"""Global nearest-neighbour association of one sensor's detections to tracks.

Candidates come from a KD-tree over predicted track positions, so the cost of
a batch grows with the plots and the tracks near them, not with every track.
Costs are the negative log-likelihood (d² + ln|S|) of gated pairs; scipy's
``linear_sum_assignment`` picks the best one-to-one set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from tocsin.track import kalman
from tocsin.types import FloatArray, IntArray

_NO = 1e9


@dataclass(frozen=True, slots=True)
class GnnAssociator:
    """Gate on the squared Mahalanobis distance, then assign one to one."""

    gate_d2: float = 16.0  # chi-square, 2 d.o.f.: 0.03 % of true pairs fall outside
    gate_d2_bearing: float = 12.0  # chi-square, 1 d.o.f.

    def candidates(self, track_xy: FloatArray, det_xy: FloatArray, radii_m: FloatArray):
        """(track, detection) index pairs within each detection's search radius."""
        if len(track_xy) == 0 or len(det_xy) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        hits = cKDTree(track_xy).query_ball_point(det_xy, r=radii_m)
        dets = np.repeat(np.arange(len(hits)), [len(h) for h in hits])
        trks = np.fromiter((i for h in hits for i in h), np.int64, len(dets))
        return trks, dets

    def assign_linear(self, states, covs, z, R, H, trks, dets) -> tuple[IntArray, IntArray]:
        """Assign detections (z (M, m), R (M, m, m)) to tracks for candidate pairs."""
        if len(trks) == 0:
            return trks, dets
        y = z[dets] - states[trks] @ H.T
        S = H @ covs[trks] @ H.T + R[dets]
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
        ut, ti = np.unique(trks, return_inverse=True)
        ud, di = np.unique(dets, return_inverse=True)
        C = np.full((len(ut), len(ud)), _NO)
        # Keep the lowest cost where a pair appears twice (it cannot, but be safe).
        np.minimum.at(C, (ti, di), cost - cost.min() + 1.0)
        r, c = linear_sum_assignment(C)
        keep = C[r, c] < _NO
        return ut[r[keep]], ud[c[keep]]
