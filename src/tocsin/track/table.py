"""The track table: every track's state in batched numpy arrays.

Track ``k`` has state ``states[k] (6,)`` and covariance ``covs[k] (6, 6)``
valid at ``t_s[k]``. Bookkeeping that is small and irregular (evidence,
sensor sets) lives in per-track Python lists beside the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TENTATIVE, CONFIRMED, DELETED = 0, 1, 2
MODELS = 3  # motion models per track (track/imm.py)
STATUS_NAMES = ("tentative", "confirmed", "deleted")
_NEVER = -float("inf")


@dataclass
class Evidence:
    """What has been seen of one track: recent updates for the confirmation rule."""

    hits: list[tuple[float, str, str]] = field(default_factory=list)  # (t_s, sensor, kind)
    llr: list[float] = field(default_factory=list)  # each hit's log-likelihood ratio
    reporters: list[tuple[float, str]] = field(default_factory=list)  # sightings: (t_s, who)
    sensors: set[str] = field(default_factory=set)
    first_kind: str = ""
    latest_s: dict[str, float] = field(default_factory=dict)  # sensor -> its newest hit's t_s
    newest_s: float = _NEVER  # the newest hit's t_s
    lag_s: float = 0.0  # the most a hit came before one taken earlier: how out of order
    # Acoustic bearings taken, (t_s, node, bearing_deg, sigma_deg): whether they turn
    # steadily tells a drone a node keeps hearing from junk (track/hearing.py).
    bearings: list[tuple[float, str, float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        hits, self.hits = self.hits, []
        for h in hits:
            self.hit(*h)

    def hit(self, t_s: float, sensor: str, kind: str) -> None:
        """Add a hit (keep ``hits`` in step with what is known of them only through here)."""
        self.hits.append((t_s, sensor, kind))
        if t_s >= self.newest_s:
            self.newest_s = t_s
        elif self.newest_s - t_s > self.lag_s:
            self.lag_s = self.newest_s - t_s
        if t_s > self.latest_s.get(sensor, _NEVER):
            self.latest_s[sensor] = t_s

    def update(self, t_s: float, sensor: str, kind: str, llr: float) -> None:
        """Add a hit that updated the track, with its log-likelihood ratio."""
        self.hit(t_s, sensor, kind)
        self.llr.append(llr)
        self.sensors.add(sensor)


class TrackTable:
    """Growable arrays of tracks; rows are never reused, ``alive`` marks the live ones."""

    _ARRAYS = ("states", "covs", "model_states", "model_covs", "mu", "t_s", "last_update_s",
               "born_s", "status", "alive")  # fmt: skip

    def __init__(self, capacity: int = 256, mu0=(0.8, 0.1, 0.1)) -> None:
        self.mu0 = np.asarray(mu0, float)
        self.n = 0
        self.states = np.zeros((capacity, 6))  # the estimate: the models' mixture
        self.covs = np.zeros((capacity, 6, 6))
        self.model_states = np.zeros((capacity, MODELS, 6))  # each motion model's (track/imm.py)
        self.model_covs = np.zeros((capacity, MODELS, 6, 6))
        self.mu = np.zeros((capacity, MODELS))  # the models' probabilities
        self.t_s = np.zeros(capacity)
        self.last_update_s = np.zeros(capacity)
        self.born_s = np.zeros(capacity)  # when the track was started
        self.status = np.zeros(capacity, np.int8)
        self.alive = np.zeros(capacity, bool)
        self.ids: list[str] = []
        self.evidence: list[Evidence] = []

    def _grow(self) -> None:
        cap = 2 * len(self.t_s)
        for name in self._ARRAYS:
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def add(self, state, cov, t_s: float, sensor: str, kind: str) -> int:
        """Add one track; returns its row."""
        rows = self.add_many(np.asarray(state)[None], np.asarray(cov)[None], [t_s], [sensor],
                             [kind])  # fmt: skip
        return int(rows[0])

    def add_many(self, states, covs, t_s: list[float], sensors: list[str],
                 kinds: list[str]) -> np.ndarray:  # fmt: skip
        """Add M tracks (states (M, 6), covs (M, 6, 6), each first seen at t_s by a
        sensor of a kind) in one go, a scan's worth of new tracks; returns their rows."""
        m = len(t_s)
        while self.n + m > len(self.t_s):
            self._grow()
        k = self.n
        rows = np.arange(k, k + m)
        self.n += m
        self.states[k : k + m], self.covs[k : k + m] = states, covs
        self.model_states[k : k + m] = np.asarray(states)[:, None, :]
        self.model_covs[k : k + m] = np.asarray(covs)[:, None, :, :]
        self.mu[k : k + m] = self.mu0
        self.t_s[k : k + m] = self.last_update_s[k : k + m] = self.born_s[k : k + m] = t_s
        self.status[k : k + m], self.alive[k : k + m] = TENTATIVE, True
        self.ids += [f"T{r + 1}" for r in range(k, k + m)]
        self.evidence += [
            Evidence(hits=[(t, sensor, kind)], llr=[0.0], sensors={sensor}, first_kind=kind)
            for t, sensor, kind in zip(t_s, sensors, kinds, strict=True)
        ]
        return rows

    def restart(self, k: int, state, cov, t_s: float) -> None:
        """Give live track k a new state and covariance at t_s (a better first fix)."""
        self.states[k], self.covs[k] = state, cov
        self.model_states[k], self.model_covs[k], self.mu[k] = state, cov, self.mu0
        self.t_s[k] = self.last_update_s[k] = t_s

    def index_of(self, track_id: str) -> int:
        """Row of a track id (ids are "T<row + 1>")."""
        return int(track_id[1:]) - 1

    def live(self) -> np.ndarray:
        """Indices of live tracks, ascending."""
        return np.flatnonzero(self.alive[: self.n])
