import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.track import kalman


def _spd(P):
    return np.allclose(P, P.transpose(0, 2, 1)) and (np.linalg.eigvalsh(P) > 0).all()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(0.0, 60.0),
    st.floats(1.0, 5000.0),
)
def test_covariances_stay_symmetric_positive_definite(seed, dt, sigma):
    rng = np.random.default_rng(seed)
    n = 5
    x = rng.normal(0, 1000, (n, 6))
    A = rng.normal(0, 1, (n, 6, 6))
    P = A @ A.transpose(0, 2, 1) + np.eye(6) * 10.0
    x, P = kalman.predict(x, P, np.full(n, dt), 4.0, 0.5)
    assert _spd(P)
    H = np.eye(6)[:2]
    R = np.tile(np.eye(2) * sigma**2, (n, 1, 1))
    x, P = kalman.update_linear(x, P, x[:, :2] + rng.normal(0, sigma, (n, 2)), H, R)
    assert _spd(P)
    nodes = x[:, :2] + rng.normal(0, 2000, (n, 2))
    b = np.arctan2(x[:, 0] - nodes[:, 0], x[:, 1] - nodes[:, 1])
    x, P = kalman.update_bearing(x, P, b, nodes, np.full(n, 0.1), 340.0)
    assert _spd(P)


def test_predict_moves_at_constant_velocity_and_grows_uncertainty():
    x = np.array([[0.0, 0.0, 100.0, 50.0, -20.0, 0.0]])
    P = np.eye(6)[None] * 100.0
    x2, P2 = kalman.predict(x, P, np.array([10.0]), 4.0, 0.5)
    assert np.allclose(x2[0, :3], [500.0, -200.0, 100.0])
    assert (np.diag(P2[0]) > np.diag(P[0])).all()
    assert np.allclose(x, [[0.0, 0.0, 100.0, 50.0, -20.0, 0.0]])  # input untouched


def test_bearing_accounts_for_sound_delay():
    # Drone 3.4 km east of the node, flying north at 50 m/s: the sound heard now left it
    # 10 s ago, when it was 500 m further south.
    x = np.array([[3400.0, 0.0, 0.0, 0.0, 50.0, 0.0]])
    h, _ = kalman.bearing_model(x, np.zeros((1, 2)), 340.0)
    expected = np.arctan2(3400.0, -500.0)
    assert abs(h[0] - expected) < np.radians(0.5)
