"""Coverage from the records, and false tracks by GOSPA's assignment (sim/coverage.py)."""

import numpy as np

from tocsin.sim.coverage import covered, false_tracks


def test_coverage_needs_a_recent_record_and_a_settled_run_of_them():
    rec_t = np.r_[np.arange(0.0, 60.0, 5.0), np.arange(100.0, 200.0, 5.0)]  # a 40-s gap
    rec_who = np.zeros(len(rec_t), np.int64)
    t = np.array([20.0, 40.0, 62.0, 70.0, 110.0, 131.0, 140.0])
    got = covered(t, np.zeros(len(t), np.int64), rec_t, rec_who, window_s=10.0, settle_s=30.0)
    # 20: run too young; 40: settled; 62: 7 s after the last record; 70: 15 s, out;
    # 110: a new run, too young again; 131, 140: settled
    assert got.tolist() == [False, True, True, False, False, True, True]


def test_one_targets_records_never_cover_another():
    rec_t = np.arange(0.0, 100.0, 2.0)
    got = covered(np.array([50.0, 50.0]), np.array([0, 1]), rec_t, np.zeros(50, np.int64))
    assert got.tolist() == [True, False]
    assert not covered(np.array([50.0]), np.array([0]), np.zeros(0), np.zeros(0, int)).any()


def test_a_track_far_from_every_drone_most_of_its_life_is_false():
    seconds = np.arange(10)
    truth_sec = np.repeat(seconds, 2)
    truth_xy = np.tile([[0.0, 0.0], [10_000.0, 0.0]], (10, 1)) + truth_sec[:, None] * [50.0, 0]
    # track a follows drone 0; track b is 4 km off drone 1 for 7 of its 10 seconds
    est_sec = np.repeat(seconds, 2)
    off = np.where(seconds < 7, 4000.0, 100.0)
    est_xy = np.c_[
        np.c_[truth_xy[0::2, 0] + 30.0, truth_xy[1::2, 0]].ravel(),
        np.c_[np.zeros(10), off].ravel(),
    ]
    ids = np.tile(["a", "b"], 10)
    assert false_tracks(seconds, truth_sec, truth_xy, est_sec, est_xy, ids, 2000.0) == (1, 2)
    assert false_tracks(seconds, truth_sec, truth_xy, est_sec, est_xy, ids, 5000.0) == (0, 2)
