"""How long a track may stay silent: limits by where it is and what it has been fed.

A confirmed drone is coasted through gaps in coverage, since a lost track is a
missed warning: ``silence_radar_cover_scans`` of the radar that should see it,
``silence_acoustic_cover_s`` where only acoustic nodes would notice it, and
``silence_uncovered_s`` elsewhere. A node's silence counts only while the
track's one-sigma position error is within ``node_cover_sigma_share`` of its
range: a track coasted for minutes through a gap between nodes is too unsure
for the node it is predicted over to say the drone is gone, and the drone is
usually heard again by the next node on its way. Tentative tracks, confirmed ones with little
history (likely clutter strung together) and tracks only one acoustic node has
heard keep the short limits of what last fed them: so many missed scans of the
radar that last saw them, or ``silence_tentative_s`` of its kind. A node alone
gives a drone's direction but hardly its speed, so coasting such a track would
only carry a ghost away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from tocsin.messages import Sensor
from tocsin.track.table import TENTATIVE, Evidence, TrackTable
from tocsin.types import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    from tocsin.track.settings import TrackerSettings


class SilenceLimits:
    """The silence limits of live tracks, from the sensors' coverage (module docstring)."""

    def __init__(self, sensors: dict[str, Sensor], settings: TrackerSettings) -> None:
        self.settings = settings
        radars = [s for s in sensors.values() if s.kind == "radar"]
        self._radar_xy = np.array([(s.x_m, s.y_m) for s in radars], float).reshape(-1, 2)
        self._radar_r = np.array([s.range_max_m or 40_000.0 for s in radars], float)
        period = [s.scan_period_s or settings.default_scan_period_s for s in radars]
        self._radar_cover_s = settings.silence_radar_cover_scans * np.array(period, float)
        self.periods = {s.id: s.scan_period_s for s in radars if s.scan_period_s}
        nodes = [s for s in sensors.values() if s.kind == "acoustic"]
        self._node_tree = cKDTree(np.array([(s.x_m, s.y_m) for s in nodes])) if nodes else None
        self._node_r = max((s.range_max_m or 3000.0 for s in nodes), default=0.0)
        self._long_lived = np.zeros(0, bool)  # by table row: see _young

    def limits_s(
        self, table: TrackTable, live: IntArray, xy: FloatArray, sigma_m: FloatArray
    ) -> FloatArray:
        """Seconds each of the live tracks may stay silent, where it is now (xy (N, 2),
        one-sigma position error sigma_m (N,))."""
        s = self.settings
        limit = np.full(len(live), s.silence_uncovered_s)
        if self._node_tree is not None:
            dn, _ = self._node_tree.query(xy, distance_upper_bound=self._node_r + 1.0)
            sure = sigma_m <= s.node_cover_sigma_share * self._node_r
            limit[np.isfinite(dn) & sure] = s.silence_acoustic_cover_s
        if len(self._radar_r):
            d = np.hypot(
                xy[:, None, 0] - self._radar_xy[None, :, 0],
                xy[:, None, 1] - self._radar_xy[None, :, 1],
            )
            cover = d <= s.radar_cover_share * self._radar_r[None, :]
            seen = cover.any(axis=1)
            limit[seen] = np.where(cover[seen], self._radar_cover_s[None, :], 0.0).max(axis=1)
        short = np.flatnonzero((table.status[live] == TENTATIVE) | self._young(table, live))
        limit[short] = [
            self._tentative_limit_s(table.evidence[k].hits[-1]) for k in live[short].tolist()
        ]
        return limit

    def _young(self, table: TrackTable, live: IntArray) -> BoolArray:
        """Which of the live tracks are short-lived (short_lived). Evidence only grows,
        so a track once found long-lived stays so and is not looked at again: of the
        hundreds of tracks of a raid, only the new ones cost a Python call each time."""
        if len(self._long_lived) < table.n:
            grown = np.zeros(len(table.t_s), bool)
            grown[: len(self._long_lived)] = self._long_lived
            self._long_lived = grown
        check = live[~self._long_lived[live]]
        evidence, min_hits = table.evidence, self.settings.coast_min_hits
        self._long_lived[check] = [not short_lived(evidence[k], min_hits) for k in check.tolist()]
        return ~self._long_lived[live]

    def _tentative_limit_s(self, last_hit: tuple[float, str, str]) -> float:
        """Silence limit of a tentative track whose last hit was last_hit."""
        _, sensor, kind = last_hit
        if kind == "radar" and sensor in self.periods:  # so many scans missed in a row
            return self.settings.tentative_missed_scans * self.periods[sensor]
        return self.settings.silence_tentative_s[kind]


def short_lived(ev: Evidence, coast_min_hits: int) -> bool:
    """Whether a track keeps the short silence limit of a tentative one."""
    return len(ev.hits) < coast_min_hits or (ev.first_kind == "acoustic" and len(ev.sensors) == 1)
