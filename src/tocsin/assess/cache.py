"""Threats kept between assessments: a track's are redone only when its path moves.

``zone_threats`` over every confirmed track is the costliest part of an engine
step at hundreds of drones (about 75 ms for 500), yet between two assessments
a second or two apart most tracks fly on as predicted. With the constant-velocity
model, a track that took no update, or an update that left its predicted path
where it was, threatens the same zones at the same clock times: only its ETAs
count down. So each track's (zone, ETA, p_hit, leave) pairs are kept with the
time they were assessed, and redone only when:

- the track is new to the assessment (just confirmed);
- its predicted path has moved more than ``reuse_m`` at any time up to
  ``reuse_lookahead_s`` ahead, or more than ``reuse_m · τ / reuse_lookahead_s``
  at τ farther ahead, up to the horizon (the corridor widens with τ, so the
  same shift matters less there: at 15 min it is many kilometres wide); or it
  started or stopped moving;
- its pairs are older than ``reuse_max_s``: a coasting track's uncertainty,
  and so its corridor, keeps growing.

A kept pair's ETA counts down to 0 and the pair is dropped once the drone has
passed its zone. ``reuse_m = 0`` redoes every track each time, which is
``zone_threats`` itself. Figures in docs/engine.md ("Threat assessment").
"""

from __future__ import annotations

import math

import numpy as np

from tocsin.assess.reach import ReachSettings, ZoneThreats, empty_threats, zone_threats
from tocsin.geo import Zones
from tocsin.types import FloatArray, IntArray

_COLUMNS = ("row", "zone", "at", "eta", "leave", "p_hit")


class ThreatCache:
    """Each track's threat pairs, kept between assessments (module docstring)."""

    def __init__(self, zones: Zones, settings: ReachSettings) -> None:
        self.zones, self.settings = zones, settings
        self._t = np.zeros(0)  # per track-table row: when its pairs were assessed (nan: never)
        self._path = np.zeros((0, 4))  # and the path they were assessed on: x, y, vx, vy then
        # The pairs, by zone then ETA (threats), as columns: table row, zone, when the
        # pair was assessed, its ETA and leaving time (seconds after then), chance of a hit.
        self._cols = {name: np.zeros(0, np.int64 if name in ("row", "zone") else float)
                      for name in _COLUMNS}  # fmt: skip
        self._back_s = settings.reuse_max_s + 1.0
        self._scale = 2.0 ** math.ceil(math.log2(settings.horizon_s + self._back_s + 1.0))
        self.assessed = 0  # track assessments asked for, and those redone
        self.redone = 0

    def threats(
        self, t_s: float, rows: IntArray, states: FloatArray, covs: FloatArray
    ) -> ZoneThreats:
        """``zone_threats`` of the tracks at table rows ``rows`` (N,) whose states (N, 6)
        and covariances (N, 6, 6) are predicted to ``t_s``; ``track`` indexes ``rows``."""
        rows = np.asarray(rows, np.int64)
        self._fit(int(rows.max()) + 1 if len(rows) else 0)
        redo = self._stale(t_s, rows, states)
        self.assessed += len(rows)
        self.redone += int(redo.sum())
        # Drop the pairs of tracks redone or no longer assessed (deleted, or not confirmed).
        kept = np.zeros(len(self._t), bool)
        kept[rows[~redo]] = True
        self._t[~kept] = np.nan
        c = self._cols
        kept_at = np.flatnonzero(kept[c["row"]])
        new = zone_threats(self.zones, states[redo], covs[redo], self.settings)
        r = rows[redo]
        self._t[r] = t_s
        self._path[r] = states[redo][:, [0, 1, 3, 4]]
        # Kept pairs are sorted by zone, then by the clock time of their ETA (one key,
        # as a lexsort of two is several times slower), and so stay sorted as the ETAs
        # count down: the new ones, sorted alike, are merged in, never the whole resorted.
        key_kept = self._key(c["zone"][kept_at], c["at"][kept_at] + c["eta"][kept_at], t_s)
        pos = np.searchsorted(key_kept, self._key(new.zone, t_s + new.eta_s, t_s), side="right")
        to = pos + np.arange(len(pos))  # where each new pair lands
        src = np.empty(len(kept_at) + len(pos), np.int64)  # into the old pairs, then the new
        old = np.ones(len(src), bool)
        old[to] = False
        src[old], src[to] = kept_at, len(c["row"]) + np.arange(len(pos))
        added = {"row": r[new.track], "zone": new.zone, "at": np.full(len(pos), t_s),
                 "eta": new.eta_s, "leave": new.leave_s, "p_hit": new.p_hit}  # fmt: skip
        self._cols = {k: np.concatenate([v, added[k]])[src] for k, v in c.items()}
        return self._read(t_s, rows)

    def _fit(self, n_rows: int) -> None:
        if n_rows > len(self._t):
            cap = max(n_rows, 2 * len(self._t), 64)
            t = np.full(cap, np.nan)
            t[: len(self._t)] = self._t
            path = np.zeros((cap, 4))
            path[: len(self._path)] = self._path
            self._t, self._path = t, path

    def _stale(self, t_s: float, rows: IntArray, states: FloatArray) -> np.ndarray:
        """Which of the tracks need their pairs redone (module docstring)."""
        s = self.settings
        if s.reuse_m <= 0.0 or not len(rows):
            return np.ones(len(rows), bool)
        age = t_s - self._t[rows]
        then = self._path[rows]
        dp = states[:, :2] - (then[:, :2] + then[:, 2:] * np.nan_to_num(age)[:, None])
        dv = states[:, 3:5] - then[:, 2:]
        # The shift |dp + τ dv| is convex in τ and the tolerance is flat up to the look-ahead,
        # then linear: the worst of each piece is at its ends, so three times suffice.
        la = max(min(s.reuse_lookahead_s, s.horizon_s), 1.0)
        moved = np.zeros(len(rows))
        for tau in (0.0, la, s.horizon_s):
            shift = np.hypot(dp[:, 0] + tau * dv[:, 0], dp[:, 1] + tau * dv[:, 1])
            moved = np.maximum(moved, shift / max(1.0, tau / la))
        was_moving = np.hypot(then[:, 2], then[:, 3]) >= s.min_speed_mps
        is_moving = np.hypot(states[:, 3], states[:, 4]) >= s.min_speed_mps
        fresh = (age >= 0.0) & (age <= s.reuse_max_s)  # false for nan: never assessed
        return ~(fresh & (moved <= s.reuse_m) & (was_moving == is_moving))

    def _read(self, t_s: float, rows: IntArray) -> ZoneThreats:
        """The kept pairs as seen at t_s: ETAs counted down, passed zones dropped."""
        c = self._cols
        if not len(c["row"]):
            return empty_threats()
        age = t_s - c["at"]
        eta = np.maximum(c["eta"] - age, 0.0)
        leave = c["leave"] - age
        ok = np.flatnonzero((leave >= 0.0) & (eta <= self.settings.horizon_s))
        where = np.empty(len(self._t), np.int64)  # table row -> index into rows
        where[rows] = np.arange(len(rows))
        return ZoneThreats(
            zone=c["zone"][ok],
            track=where[c["row"][ok]],
            eta_s=eta[ok],
            p_hit=c["p_hit"][ok],
            leave_s=leave[ok],
        )

    def _key(self, zone: IntArray, eta_at_s: FloatArray, t_s: float) -> FloatArray:
        """Sort key of pairs: zone, then the clock time of the ETA. Kept pairs were
        assessed at most ``reuse_max_s`` before t_s, so their ETAs lie within a span
        that ``_scale`` holds, and the order the key gives does not change with t_s."""
        return zone * self._scale + (eta_at_s - (t_s - self._back_s))
