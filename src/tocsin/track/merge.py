"""Tracks that have lost their drone to another track: found, so they can be dropped.

When two tracks follow one drone (a plot missed, a second track started on
the next), or a track of a formation is left without plots while another
takes them, the silent one coasts on and would warn zones the drone is not
going to. A confirmed track that has been silent for a while, whose
predicted position and velocity are statistically the same as those of a
track that is being updated, is shadowed: the updated one carries the
drone, and the silent one is dropped. Not so when the updated track was
already flying beside the silent one for a while before it fell silent
(``together_s``): two tracks that kept apart that long are two drones of a
formation, and the silent one has only missed a scan or two.

>>> x = np.array([[0.0, 0, 0, 50, 0, 0], [120.0, 0, 0, 49, 1, 0], [900.0, 0, 0, 50, 0, 0]])
>>> P = np.broadcast_to(np.diag([100.0**2] * 2 + [1e4] + [5.0**2] * 2 + [1.0]), (3, 6, 6))
>>> shadowed(x, P, silence_s=np.array([20.0, 0.0, 20.0]), silent_s=10.0, fresh_s=3.0).tolist()
[True, False, False]
>>> born, last = np.array([0.0, 50.0, 0.0]), np.array([80.0, 100.0, 80.0])
>>> shadowed(x, P, np.array([20.0, 0.0, 20.0]), 10.0, 3.0, born, last, together_s=60.0).tolist()
[True, False, False]
>>> born[1] = 10.0  # the updated track flew beside it for 70 s: a formation
>>> shadowed(x, P, np.array([20.0, 0.0, 20.0]), 10.0, 3.0, born, last, together_s=60.0).tolist()
[False, False, False]
"""

from __future__ import annotations

import numpy as np

from tocsin.track.associate import within
from tocsin.types import BoolArray, FloatArray

SAME_D2 = 13.28  # chi-square, 4 d.o.f. (position and velocity on the ground), 99 %
_REACH_M = 3000.0


def shadowed(
    states: FloatArray,
    covs: FloatArray,
    silence_s: FloatArray,
    silent_s: float,
    fresh_s: float,
    born_s: FloatArray | None = None,
    last_update_s: FloatArray | None = None,
    together_s: float = np.inf,
    same_d2: float = SAME_D2,
) -> BoolArray:
    """Which of N confirmed tracks (states (N, 6), covs (N, 6, 6) at one time) are shadowed.

    A track silent longer than silent_s is shadowed by one updated within
    fresh_s when their difference in ground position and velocity is within
    same_d2 of their combined covariance, unless the updated one was started
    more than together_s before the silent one's last update (born_s and
    last_update_s (N,), given together).
    """
    out = np.zeros(len(states), bool)
    silent, fresh = np.flatnonzero(silence_s > silent_s), np.flatnonzero(silence_s <= fresh_s)
    if len(silent) == 0 or len(fresh) == 0:
        return out
    i, j, _ = within(states[silent, :2], states[fresh, :2], _REACH_M)
    if len(i) == 0:
        return out
    a, b = silent[i], fresh[j]
    if born_s is not None and last_update_s is not None:
        apart = born_s[b] >= last_update_s[a] - together_s  # not a formation's other drone
        a, b = a[apart], b[apart]
    axes = np.array([0, 1, 3, 4])
    dx = states[a][:, axes] - states[b][:, axes]
    S = covs[a][:, axes[:, None], axes] + covs[b][:, axes[:, None], axes]
    d2 = np.einsum("ni,ni->n", dx, np.linalg.solve(S, dx[..., None])[..., 0])
    out[a[d2 <= same_d2]] = True
    return out
