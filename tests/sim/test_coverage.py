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


def test_a_track_unassigned_most_of_its_life_is_false():
    ids = np.array(["a", "b", "a", "b", "a", "b", "c"])
    assigned = np.array([True, False, True, False, False, True, False])
    assert false_tracks(ids, assigned) == (2, 3)  # b: 2 of 3 free; c: its one row
    assert false_tracks(np.zeros(0, str), np.zeros(0, bool)) == (0, 0)
