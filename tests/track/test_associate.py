import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from tocsin.track.associate import GnnAssociator

_NO = 1e9


def _global(trks, dets, cost):
    """The assignment of one global problem over every gated pair (the reference)."""
    ut, ti = np.unique(trks, return_inverse=True)
    ud, di = np.unique(dets, return_inverse=True)
    C = np.full((len(ut), len(ud)), _NO)
    C[ti, di] = cost - cost.min() + 1.0
    r, c = linear_sum_assignment(C)
    keep = C[r, c] < _NO
    return set(zip(ut[r[keep]].tolist(), ud[c[keep]].tolist(), strict=True))


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
    t, d = GnnAssociator._solve(trks, dets, d2, cost, gate=16.0)
    assert set(zip(t.tolist(), d.tolist(), strict=True)) == _global(trks, dets, cost)
    assert len(set(t.tolist())) == len(t) and len(set(d.tolist())) == len(d)


def test_candidates_are_every_pair_within_reach_and_no_other():
    rng = np.random.default_rng(3)
    trk_xy = rng.uniform(0, 20_000, (300, 2))
    det_xy = rng.uniform(0, 20_000, (250, 2))
    trk_r = rng.uniform(50, 5000, 300)
    det_r = rng.uniform(50, 800, 250)
    a = GnnAssociator(max_track_reach_m=3000.0)
    t, d = a.candidates(trk_xy, trk_r, det_xy, det_r)
    gap = np.hypot(*(trk_xy[:, None, :] - det_xy[None, :, :]).transpose(2, 0, 1))
    want = gap <= np.minimum(trk_r, 3000.0)[:, None] + det_r[None, :]
    got = np.zeros_like(want)
    got[t, d] = True
    assert (got == want).all() and len(t) == want.sum()
