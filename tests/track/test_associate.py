import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from tocsin.track.associate import GnnAssociator

_NO = 1e9


def _global(trks, dets, cost, gate=16.0):
    """The assignment of one global problem over every gated pair (the reference): a pair
    that competes with no other is taken; of the rest, each track takes a plot or none, a
    miss costing a plot at the edge of the sharpest gate among them."""
    lone = (np.bincount(trks)[trks] == 1) & (np.bincount(dets)[dets] == 1)
    out = set(zip(trks[lone].tolist(), dets[lone].tolist(), strict=True))
    if lone.all():
        return out
    trks, dets, cost = trks[~lone], dets[~lone], cost[~lone]
    ut, ti = np.unique(trks, return_inverse=True)
    ud, di = np.unique(dets, return_inverse=True)
    C = np.full((len(ut), len(ud) + len(ut)), _NO)
    C[ti, di] = cost
    C[np.arange(len(ut)), len(ud) + np.arange(len(ut))] = gate + cost.min()
    r, c = linear_sum_assignment(C)
    keep = c < len(ud)
    return out | set(zip(ut[r[keep]].tolist(), ud[c[keep]].tolist(), strict=True))


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10_000), n_trk=st.integers(1, 25), n_det=st.integers(1, 25))
def test_solving_cluster_by_cluster_gives_the_global_assignment(seed, n_trk, n_det):
    rng = np.random.default_rng(seed)
    # sparse random gated pairs with distinct costs: clusters of every shape
    m = rng.integers(1, n_trk * n_det + 1)
    flat = rng.choice(n_trk * n_det, size=min(m, n_trk * n_det), replace=False)
    trks, dets = flat // n_det, flat % n_det
    cost = rng.permutation(len(flat)).astype(float) + rng.uniform(0, 0.5, len(flat))
    d2 = np.zeros(len(flat))
    t, d, _, _ = GnnAssociator()._solve(trks, dets, d2, cost, gate=16.0)
    assert set(zip(t.tolist(), d.tolist(), strict=True)) == _global(trks, dets, cost)
    assert len(set(t.tolist())) == len(t) and len(set(d.tolist())) == len(d)


def test_a_track_whose_drone_went_unseen_takes_no_neighbours_plot():
    # Tracks 0, 1, 2 follow drones 0, 1, 2 of a formation, 300 m apart along a line;
    # drone 3 behind them has no track yet, and drone 0 was not seen this scan. Each
    # plot fits its own drone's track well and the track ahead at the gate's edge.
    # Made to give every track a plot, the solver would shift the whole chain by one
    # drone (0-a, 1-b, 2-c); a track may instead take none, and c starts a track.
    trks = np.array([0, 1, 1, 2, 2])
    dets = np.array([0, 0, 1, 1, 2])  # plots a, b, c of drones 1, 2, 3
    d2 = np.array([12.0, 0.5, 11.0, 0.4, 10.0])
    t, d, _, _ = GnnAssociator()._solve(trks, dets, d2, np.zeros(5), gate=16.0)
    assert sorted(zip(t.tolist(), d.tolist(), strict=True)) == [(1, 0), (2, 1)]


def test_a_contested_plot_goes_to_the_confirmed_track_over_a_tentative_one():
    # A confirmed track (0) and a tentative one (1) 120 m apart both fit the one plot,
    # the tentative one a little better. With the tentative track's pairs costing more,
    # the confirmed track keeps its drone's plot.
    a = GnnAssociator()
    states = np.zeros((2, 6))
    states[1, 0] = 120.0
    covs = np.tile(np.diag([100.0**2, 100.0**2, 1.0, 1.0, 1.0, 1.0]), (2, 1, 1))
    z, R = np.array([[90.0, 0.0]]), np.eye(2)[None] * 50.0**2
    H = np.zeros((2, 6))
    H[0, 0] = H[1, 1] = 1.0
    trks, dets = np.array([0, 1]), np.array([0, 0])
    t, d, _, _ = a.assign_linear(states, covs, z, R, H, trks, dets)
    assert list(zip(t.tolist(), d.tolist(), strict=True)) == [(1, 0)]
    t, d, _, _ = a.assign_linear(states, covs, z, R, H, trks, dets, extra=np.array([0.0, 4.0]))
    assert list(zip(t.tolist(), d.tolist(), strict=True)) == [(0, 0)]


def test_a_plot_that_two_tracks_fit_about_as_well_is_contested():
    # Plot 0 fits track 0 (d² 1) and track 1 (d² 5, within 3 sigma); plot 1 fits track 1
    # well and track 2 only at the gate's edge (d² 12). Track 1 takes plot 1 and track 0
    # takes plot 0: plot 0 is contested, plot 1 is not.
    trks, dets = np.array([0, 1, 1, 2]), np.array([0, 0, 1, 1])
    d2 = np.array([1.0, 5.0, 0.5, 12.0])
    t, d, contested, _ = GnnAssociator()._solve(trks, dets, d2, np.zeros(4), gate=16.0)
    got = {(a, b): c for a, b, c in zip(t.tolist(), d.tolist(), contested.tolist(), strict=True)}
    assert got == {(0, 0): True, (1, 1): False}


def _two_tracks_one_plot(gap_m: float, plot_x_m: float):
    """Tracks at x = 0 and x = gap_m (100 m sigma each way) and one plot between them."""
    states = np.zeros((2, 6))
    states[1, 0] = gap_m
    covs = np.tile(np.diag([100.0**2, 100.0**2, 1.0, 1.0, 1.0, 1.0]), (2, 1, 1))
    z, R = np.array([[plot_x_m, 0.0]]), np.eye(2)[None] * 50.0**2
    H = np.zeros((2, 6))
    H[0, 0] = H[1, 1] = 1.0
    return GnnAssociator().assign_linear(
        states, covs, z, R, H, np.array([0, 1]), np.array([0, 0]), withhold=True
    )


def test_a_plot_two_drones_tracks_fit_about_as_well_is_withheld_from_both():
    # Two drones 350 m apart, one of them unseen this scan: the plot 160 m from one
    # track and 190 m from the other is either's. Given to the nearer, it would be a
    # coin toss whether the tracks swap; neither takes it.
    t, d, _, withheld = _two_tracks_one_plot(350.0, 160.0)
    assert list(zip(t.tolist(), d.tolist(), withheld.tolist(), strict=True)) == [(0, 0, True)]
    # Clearly nearer one of them: that one takes it.
    _, _, _, withheld = _two_tracks_one_plot(350.0, 60.0)
    assert withheld.tolist() == [False]
    # Two tracks of one drone (100 m apart, well within their errors): either will do.
    _, _, _, withheld = _two_tracks_one_plot(100.0, 50.0)
    assert withheld.tolist() == [False]
