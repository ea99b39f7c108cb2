import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.messages import Detection
from tocsin.track import kalman
from tocsin.track.measure import h_matrix, heard_measurements


def _heard(x_m, y_m, reach_m):
    return Detection(seq=0, sensor="A", kind="acoustic", t_s=0.0, rx_s=1.0, x_m=x_m, y_m=y_m,
                     cov_xy=(reach_m**2 / 4, 0.0, reach_m**2 / 4), range_max_m=reach_m)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(2000.0, 4000.0))
def test_heard_moves_no_track_within_range_and_draws_the_rest_to_its_edge(seed, reach):
    """Tracks predicted anywhere around a node, sharp or vague: after a "heard" report
    those within range have not moved, those beyond have come nearer along the line
    to the node, and every covariance stays symmetric positive definite."""
    rng = np.random.default_rng(seed)
    n = 8
    x = np.zeros((n, 6))
    x[:, :2] = rng.uniform(-3 * reach, 3 * reach, (n, 2))
    x[:, 3:5] = rng.normal(0, 40, (n, 2))
    A = rng.normal(0, 1, (n, 6, 6))
    P = A @ A.transpose(0, 2, 1) * rng.uniform(1e2, 1e6) + np.eye(6) * 10.0
    dets = [_heard(0.0, 0.0, reach)] * n
    z, R, out = heard_measurements(x, dets)
    x2, P2 = kalman.update_linear(x, P, z, h_matrix("xy"), R)
    assert np.allclose(P2, P2.transpose(0, 2, 1)) and (np.linalg.eigvalsh(P2) > 0).all()
    d0 = np.hypot(x[:, 0], x[:, 1])
    assert np.array_equal(out, d0 > reach)
    assert np.allclose(x2[~out], x[~out])
    radial = np.einsum("ni,ni->n", x2[:, :2], x[:, :2]) / d0  # along the line to the node
    assert (radial[out] < d0[out]).all()
