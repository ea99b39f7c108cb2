"""GOSPA of a run's confirmed tracks against a scenario's truth (spec §6, track accuracy).

`run_gospa` gives the mean per second, over all drones and over the drones some
sensor had already reported; `confirmed_points` gives the points it compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tocsin.sim.files import Tracks
from tocsin.sim.gospa import GospaSeries
from tocsin.types import FloatArray, IntArray

if TYPE_CHECKING:
    from tocsin.sim.score import Scenario

GOSPA_KEYS = (
    "GOSPA",
    "GOSPA_localisation",
    "GOSPA_missed",
    "GOSPA_false",
    "GOSPA_missed_count",
    "GOSPA_false_count",
)
SEEN_KEYS = tuple(k.replace("GOSPA", "GOSPA_seen", 1) for k in GOSPA_KEYS)


def run_gospa(scenario: Scenario, tracks: Tracks | None) -> dict:
    """Mean GOSPA of confirmed tracks against truth per second (all; seen targets only)."""
    out = dict.fromkeys(GOSPA_KEYS + SEEN_KEYS)
    if tracks is None or not len(scenario.truth):
        return out
    pts = confirmed_points(scenario, tracks)
    rx = scenario.targets.first_rx_s[scenario.truth_target]
    with np.errstate(invalid="ignore"):
        seen = scenario.truth.t_s >= rx  # NaN first_rx: never seen
    series = GospaSeries(pts.seconds, pts.truth_sec, pts.truth_xy, pts.est_sec, pts.est_xy)
    for keys, keep in ((GOSPA_KEYS, None), (SEEN_KEYS, seen)):
        out.update(zip(keys, series.mean(keep).values(), strict=True))
    out["GOSPA_seconds"] = int(pts.seconds.size)
    return out


@dataclass(frozen=True, slots=True)
class Points:
    """The truth and the confirmed tracks at the scenario's whole seconds, in local x, y.

    ``truth_sec`` and ``est_sec`` are each row's whole second (-1 off a whole
    second); ``est_ids`` the tracks' ids.
    """

    seconds: IntArray
    truth_sec: IntArray
    truth_xy: FloatArray
    est_sec: IntArray
    est_xy: FloatArray
    est_ids: np.ndarray


def confirmed_points(scenario: Scenario, tracks: Tracks) -> Points:
    """The points GOSPA compares: the truth and the confirmed rows of ``tracks``."""
    t0, t1 = scenario.t_first_s, scenario.t_last_s
    conf = tracks.status == "confirmed"
    tx, ty = scenario.region.frame.latlng_to_xy(tracks.lat_deg[conf], tracks.lon_deg[conf])
    return Points(
        seconds=np.arange(round(t0), round(t1) + 1, dtype=np.int64),
        truth_sec=_whole_seconds(scenario.truth.t_s),
        truth_xy=np.c_[scenario.truth_x_m, scenario.truth_y_m],
        est_sec=_whole_seconds(tracks.t_s[conf]),
        est_xy=np.c_[tx, ty],
        est_ids=tracks.track[conf],
    )


def _whole_seconds(t_s: FloatArray) -> IntArray:
    """Whole-second keys of times; times off a whole second (by > 1 ms) get key -1."""
    r = np.round(t_s)
    return np.where(np.abs(t_s - r) <= 1e-3, r, -1).astype(np.int64)
