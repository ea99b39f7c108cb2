"""GOSPA (p = 2, c = 5 km, alpha = 2) on small sets worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tocsin.sim.gospa import GospaSeries, gospa, mean_gospa

C = 5000.0
HALF_C = C / math.sqrt(2)  # one missed or false point: (c^2 / 2)^(1/2)
NONE = np.zeros((0, 2))


def test_one_track_3km_off_is_pure_localisation():
    g = gospa(np.array([[0.0, 0.0]]), np.array([[0.0, 3000.0]]))
    assert (g.distance_m, g.localisation_m, g.missed_m, g.false_m) == (3000, 3000, 0, 0)
    assert (g.assigned, g.missed, g.false) == (1, 0, 0)


def test_one_missed_target_costs_c_over_root_2():
    g = gospa(np.array([[10.0, 20.0]]), NONE)
    assert g.distance_m == pytest.approx(HALF_C) and g.missed_m == pytest.approx(HALF_C)
    assert (g.localisation_m, g.false_m, g.missed, g.false) == (0, 0, 1, 0)


def test_one_false_track_costs_c_over_root_2():
    g = gospa(NONE, np.array([[0.0, 0.0]]))
    assert g.false_m == pytest.approx(HALF_C) and g.false == 1 and g.missed_m == 0


def test_a_track_beyond_c_is_a_miss_and_a_false_not_a_pair():
    g = gospa(np.array([[0.0, 0.0]]), np.array([[6000.0, 0.0]]))
    assert g.distance_m == pytest.approx(C) and g.localisation_m == 0
    assert (g.assigned, g.missed, g.false) == (0, 1, 1)


def test_assignment_is_optimal_not_in_order():
    truth = np.array([[0.0, 0.0], [10_000.0, 0.0]])
    est = np.array([[10_000.0, 400.0], [0.0, 300.0]])  # listed in the other order
    g = gospa(truth, est)
    assert g.localisation_m == pytest.approx(500.0)  # sqrt(300^2 + 400^2)
    assert g.distance_m == pytest.approx(500.0) and g.assigned == 2


def test_parts_add_up_in_the_pth_power():
    truth = np.array([[0.0, 0.0], [20_000.0, 0.0], [40_000.0, 0.0]])
    est = np.array([[1000.0, 0.0], [90_000.0, 0.0]])
    g = gospa(truth, est)
    assert g.distance_m**2 == pytest.approx(g.localisation_m**2 + g.missed_m**2 + g.false_m**2)
    assert g.distance_m**2 == pytest.approx(1000.0**2 + 3 * C**2 / 2)
    assert (g.assigned, g.missed, g.false) == (1, 2, 1)


def test_empty_sets_are_at_distance_zero():
    g = gospa(NONE, NONE)
    assert g.distance_m == 0 and g.missed == 0 and g.false == 0


def test_mean_over_seconds_averages_each_part_and_ignores_other_seconds():
    seconds = np.array([10, 11, 12, 13])
    truth_sec = np.array([10, 11, 12])
    truth_xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    est_sec = np.array([10, 12, 13, 99])
    est_xy = np.array([[0.0, 3000.0], [0.0, 1000.0], [5.0, 5.0], [0.0, 0.0]])
    m = mean_gospa(seconds, truth_sec, truth_xy, est_sec, est_xy)
    # 10: 3000 off; 11: one missed; 12: 1000 off; 13: one false; second 99 is not scored
    assert m["distance_m"] == pytest.approx((3000 + HALF_C + 1000 + HALF_C) / 4)
    assert m["localisation_m"] == pytest.approx(4000 / 4)
    assert m["missed_m"] == pytest.approx(HALF_C / 4) and m["false_m"] == pytest.approx(HALF_C / 4)
    assert m["missed"] == 0.25 and m["false"] == 0.25


def test_mean_over_seconds_equals_gospa_second_by_second_on_crowded_random_sets():
    rng = np.random.default_rng(7)
    seconds = np.arange(40)
    truth_sec = rng.integers(0, 40, 400)
    truth_xy = rng.uniform(0, 20_000, (400, 2))  # about 10 a second in 20 km: groups form
    est_sec = np.r_[truth_sec, rng.integers(0, 45, 60)]
    est_xy = np.r_[truth_xy + rng.normal(0, 2500, (400, 2)), rng.uniform(0, 20_000, (60, 2))]
    keep = rng.random(len(est_sec)) < 0.8
    est_sec, est_xy = est_sec[keep], est_xy[keep]
    m = mean_gospa(seconds, truth_sec, truth_xy, est_sec, est_xy)
    each = [gospa(truth_xy[truth_sec == s], est_xy[est_sec == s]) for s in seconds]
    assert m["distance_m"] == pytest.approx(np.mean([g.distance_m for g in each]))
    assert m["localisation_m"] == pytest.approx(np.mean([g.localisation_m for g in each]))
    assert m["missed"] == pytest.approx(np.mean([g.missed for g in each]))
    assert m["false_m"] == pytest.approx(np.mean([g.false_m for g in each]))


def test_a_truth_subset_scores_as_if_the_rest_were_never_there():
    rng = np.random.default_rng(3)
    seconds = np.arange(30)
    truth_sec, truth_xy = rng.integers(0, 30, 300), rng.uniform(0, 15_000, (300, 2))
    est_sec, est_xy = rng.integers(0, 30, 250), rng.uniform(0, 15_000, (250, 2))
    keep = rng.random(300) < 0.5
    series = GospaSeries(seconds, truth_sec, truth_xy, est_sec, est_xy)
    sub = mean_gospa(seconds, truth_sec[keep], truth_xy[keep], est_sec, est_xy)
    assert series.mean(keep) == pytest.approx(sub)
    assert series.mean() == pytest.approx(mean_gospa(seconds, truth_sec, truth_xy, est_sec, est_xy))


def test_the_series_pairs_are_the_ones_its_means_count():
    rng = np.random.default_rng(5)
    seconds = np.arange(20)
    truth_sec = rng.integers(0, 20, 300)
    est_sec = rng.integers(0, 20, 250)
    truth_xy = rng.uniform(0, 30_000, (300, 2))
    est_xy = truth_xy[rng.integers(0, 300, 250)] + rng.normal(0, 1500, (250, 2))
    series = GospaSeries(seconds, truth_sec, truth_xy, est_sec, est_xy, 2000.0)
    t_row, e_row, d = series.pairs()
    assert len(set(t_row.tolist())) == len(t_row) and len(set(e_row.tolist())) == len(e_row)
    assert (truth_sec[t_row] == est_sec[e_row]).all()  # pairs within one second
    np.testing.assert_allclose(np.hypot(*(truth_xy[t_row] - est_xy[e_row]).T), d)
    assert (d < 2000.0).all()
    m = series.mean()
    assert m["missed"] * 20 == pytest.approx(300 - len(t_row))
    assert m["false"] * 20 == pytest.approx(250 - len(e_row))
