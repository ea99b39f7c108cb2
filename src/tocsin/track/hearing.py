"""What acoustic nodes have reported lately: enough to tell a node that keeps hearing
one drone from one that hears several, or reports junk.

A node reports a drone it hears about once per report period. A track that has
taken a node's reports over a good part of a minute, spaced as a node spaces
them, and most of what that node reported meanwhile, is a drone the node keeps
hearing: that counts as much as a second node hearing it. Random bearings (a
faulty or spoofed node) fit a track now and then but not most of the time, and
a flood of reports is mostly left untaken, so neither qualifies. Nor does a
run of random bearings that a wide gate took one after another: a drone's
bearing from a node turns smoothly, so the node's bearings a track took must
lie on a steady turn within their errors.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import chi2

from tocsin.messages import Detection

_CHI2_99 = chi2.ppf(0.99, np.arange(1, 40)).tolist()  # by degrees of freedom - 1
_CHI2_99 = [0.0, *_CHI2_99]


def bearing_of(d: Detection) -> tuple[float, str, float, float]:
    """What a track keeps of a bearing it took: (t_s, node, bearing_deg, sigma_deg)."""
    return d.t_s, d.sensor, d.bearing_deg, d.sigma_bearing_deg or 10.0


@dataclass
class NodeReports:
    """Recent report times of each acoustic node, and the rule that reads them."""

    min_reports: int = 5  # 0: no node ever counts twice
    min_span_s: float = 20.0
    report_gap_s: float = 4.0  # reports closer than this to the last counted count once
    min_share: float = 0.67  # of the node's reports over the span that the track took
    keep_s: float = 70.0  # how long a report is remembered
    _times: dict[str, deque[float]] = field(default_factory=dict)

    def log(self, d: Detection) -> None:
        """Note one acoustic report."""
        times = self._times.setdefault(d.sensor, deque())
        times.append(d.t_s)
        while times and times[0] < d.t_s - self.keep_s:
            times.popleft()

    def persistent(
        self,
        hits: list[tuple[float, str, str]],
        bearings: list[tuple[float, str, float, float]] = (),
    ) -> int:
        """How many nodes kept hearing the drone of a track, from its recent hits
        (t_s, sensor, kind) within the confirmation window and the bearings it took
        (t_s, node, bearing_deg, sigma_deg)."""
        if self.min_reports <= 0:
            return 0
        by_node: dict[str, list[float]] = {}
        for t, sensor, kind in hits:
            if kind == "acoustic":
                by_node.setdefault(sensor, []).append(t)
        return sum(
            self._kept_hearing(node, sorted(ts)) and self._smooth(node, ts[0], bearings)
            for node, ts in by_node.items()
        )

    def _smooth(self, node: str, since_s: float, bearings) -> bool:
        """Whether the node's bearings the track took since since_s lie on a steady
        turn: a straight line in time, within chi-square's 1% point of their own
        errors. A node that gives no bearing, only "heard", passes."""
        b = sorted((t, deg, sd) for t, n, deg, sd in bearings if n == node and t >= since_s)
        b = np.array(b)
        if len(b) < 3:
            return True
        t, w = b[:, 0] - b[0, 0], 1.0 / b[:, 2] ** 2
        deg = b[0, 1] + np.r_[0.0, np.cumsum((np.diff(b[:, 1]) + 180.0) % 360.0 - 180.0)]
        A = np.c_[np.ones_like(t), t] * np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(A, deg * np.sqrt(w), rcond=None)
        chi2 = float(np.sum(w * (deg - coef[0] - coef[1] * t) ** 2))
        return chi2 <= _CHI2_99[min(len(b) - 2, len(_CHI2_99) - 1)]

    def _kept_hearing(self, node: str, ts: list[float]) -> bool:
        if len(ts) < self.min_reports or ts[-1] - ts[0] < self.min_span_s:
            return False
        spaced, last = 0, -math.inf
        for t in ts:
            if t - last >= self.report_gap_s:
                spaced, last = spaced + 1, t
        if spaced < self.min_reports:
            return False
        reported = sum(1 for t in self._times.get(node, ()) if ts[0] <= t <= ts[-1])
        return len(ts) >= self.min_share * reported
