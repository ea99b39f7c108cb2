"""Track swaps in groups on small synthetic cases with a known count."""

from __future__ import annotations

import numpy as np

from tocsin.sim.identity import count_swaps

PAIR = np.array([0, 0])  # two drones of one formation
SCANS = 21


def crossing() -> list[np.ndarray]:
    """Two drones crossing at the origin at scan 10 (an X), 100 m a scan each."""
    k = np.arange(SCANS) - 10.0
    a = np.c_[100.0 * k, 30.0 * k]
    b = np.c_[100.0 * k, -30.0 * k]
    return [np.vstack([a[s], b[s]]) for s in range(SCANS)]


def tracks(truth: list[np.ndarray], swap_at: int | None) -> list[np.ndarray]:
    """Tracks 20 m off each drone; from `swap_at` on, each follows the other drone."""
    out = []
    for s, x in enumerate(truth):
        y = x + 20.0
        out.append(y[::-1] if swap_at is not None and s >= swap_at else y)
    return out


def test_crossing_tracks_that_swap_their_labels_count_one():
    truth = crossing()
    ids = [["T1", "T2"]] * SCANS
    assert count_swaps(truth, tracks(truth, swap_at=11), ids, PAIR) == 1


def test_crossing_tracks_that_keep_their_labels_count_none():
    truth = crossing()
    ids = [["T1", "T2"]] * SCANS
    assert count_swaps(truth, tracks(truth, swap_at=None), ids, PAIR) == 0


def test_a_swap_between_drones_of_different_groups_is_not_a_group_swap():
    truth = crossing()
    ids = [["T1", "T2"]] * SCANS
    est = tracks(truth, swap_at=11)
    assert count_swaps(truth, est, ids, np.array([0, 1])) == 0
    assert count_swaps(truth, est, ids, np.array([-1, -1])) == 0


def test_each_swap_counts_once_and_two_swaps_count_two():
    truth = crossing()
    est = [x + 20.0 for x in truth]
    ids = [["T1", "T2"]] * 5 + [["T2", "T1"]] * 10 + [["T1", "T2"]] * 6
    assert count_swaps(truth, est, ids, PAIR) == 2


def test_a_track_taken_by_a_wingman_while_the_drone_gets_a_new_one_is_a_swap():
    x = [np.array([[0.0, 0.0], [400.0, 0.0]])] * 3
    est = [x[0], x[0], x[0]]
    ids = [["T1", "T2"], ["T1", "T2"], ["T3", "T1"]]  # T1 jumps to drone 1; T2 is gone
    assert count_swaps(x, est, ids, PAIR) == 1


def test_a_lost_track_replaced_by_a_new_one_is_no_swap():
    x = [np.array([[0.0, 0.0], [400.0, 0.0]])] * 4
    est = [x[0], x[0], x[0][1:], x[0]]
    ids = [["T1", "T2"], ["T1", "T2"], ["T2"], ["T3", "T2"]]
    assert count_swaps(x, est, ids, PAIR) == 0


def test_tracks_beyond_c_are_not_assigned_and_cannot_swap():
    x = [np.array([[0.0, 0.0], [400.0, 0.0]])] * 2
    far = [x[0] + 5000.0, x[0][::-1] + 5000.0]
    assert count_swaps(x, far, [["T1", "T2"]] * 2, PAIR, c_m=1000.0) == 0
