"""Tracks that have lost their drone to another track: found, so they can be dropped.

When two tracks follow one drone (a plot missed, a second track started on
the next), or a track of a formation is left without plots while another
takes them, the silent one coasts on and would warn zones the drone is not
going to. A confirmed track that has been silent for a while, whose
predicted position and velocity are statistically the same as those of a
track that is being updated, is shadowed: the updated one carries the
drone, and the silent one is dropped. Not so when the updated track was
already flying beside the silent one before it fell silent (more than
``together_s`` before its last update) and the silent one was fed for longer
than it has been silent: two tracks that were both fed at once are two
drones of a formation, and the silent one has only missed a scan or two.
A shadow is either the drone's lost track found again by a new one, or a
copy started beside it that the drone's own track left behind.

>>> x = np.array([[0.0, 0, 0, 50, 0, 0], [120.0, 0, 0, 49, 1, 0], [900.0, 0, 0, 50, 0, 0]])
>>> P = np.broadcast_to(np.diag([100.0**2] * 2 + [1e4] + [5.0**2] * 2 + [1.0]), (3, 6, 6))
>>> shadowed(x, P, silence_s=np.array([20.0, 0.0, 20.0]), silent_s=10.0, fresh_s=3.0).tolist()
[True, False, False]
>>> born, last = np.array([0.0, 85.0, 0.0]), np.array([80.0, 100.0, 80.0])
>>> shadowed(x, P, np.array([20.0, 0.0, 20.0]), 10.0, 3.0, born, last, together_s=0.0).tolist()
[True, False, False]
>>> born[1] = 50.0  # the updated track flew beside it before it fell silent: a formation
>>> shadowed(x, P, np.array([20.0, 0.0, 20.0]), 10.0, 3.0, born, last, together_s=0.0).tolist()
[False, False, False]
>>> born[0] = 75.0  # unless the silent one is a later copy, fed for less than its silence
>>> shadowed(x, P, np.array([20.0, 0.0, 20.0]), 10.0, 3.0, born, last, together_s=0.0).tolist()
[True, False, False]
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
    more than together_s before the silent one's last update and the silent
    one is no later copy fed for less than its silence (born_s and
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
        found_again = born_s[b] >= last_update_s[a] - together_s
        copy = (born_s[a] > born_s[b]) & (last_update_s[a] - born_s[a] < silence_s[a])
        keep = found_again | copy  # otherwise: two drones of a formation
        a, b = a[keep], b[keep]
    axes = np.array([0, 1, 3, 4])
    dx = states[a][:, axes] - states[b][:, axes]
    S = covs[a][:, axes[:, None], axes] + covs[b][:, axes[:, None], axes]
    d2 = np.einsum("ni,ni->n", dx, np.linalg.solve(S, dx[..., None])[..., 0])
    out[a[d2 <= same_d2]] = True
    return out
