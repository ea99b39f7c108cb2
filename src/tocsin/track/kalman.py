"""Constant-velocity Kalman kernels over batches of tracks.

States are ``(N, 6)`` arrays ``[x, y, z, vx, vy, vz]`` in the local frame
(metres, m/s) and covariances ``(N, 6, 6)``. Every function takes and returns
arrays, batch axis first, and never mutates its inputs. Written by hand rather
than with a filtering library because one call here updates hundreds of
tracks at once, where per-object filters cost a Python call each.
"""

from __future__ import annotations

import functools

import numpy as np

from tocsin.types import FloatArray, IntArray

DIM = 6


def predict(
    states: FloatArray, covs: FloatArray, dt_s: FloatArray, q_h: float, q_v: float
) -> tuple[FloatArray, FloatArray]:
    """States and covariances moved dt_s (N,) seconds ahead (dt may be 0).

    F P Fᵀ + Q is formed block by block (positions, velocities) rather than by
    two 6×6 products: a third of the work, and exactly symmetric.
    """
    dt = np.asarray(dt_s, float).reshape(-1)
    x = states.copy()
    x[:, 0:3] += states[:, 3:6] * dt[:, None]
    P = covs.copy()
    d = dt[:, None, None]
    pvv = covs[:, 3:6, 3:6]
    P[:, 0:3, 0:3] += d * (covs[:, 0:3, 3:6] + covs[:, 3:6, 0:3]) + (d * d) * pvv
    P[:, 0:3, 3:6] += d * pvv
    P[:, 3:6, 0:3] += d * covs[:, 3:6, 3:6].transpose(0, 2, 1)
    _add_noise(P, dt, q_h, q_v)
    return x, P


def with_noise(covs: FloatArray, dt_s: FloatArray, q_h: float, q_v: float) -> FloatArray:
    """covs (N, 6, 6) plus the white-noise-acceleration Q of time steps dt_s (N,)."""
    P = covs.copy()
    _add_noise(P, np.asarray(dt_s, float).reshape(-1), q_h, q_v)
    return P


def _add_noise(P: FloatArray, dt: FloatArray, q_h: float, q_v: float) -> None:
    dt2, dt3 = dt**2, dt**3
    for axes, q in (((0, 1), q_h), ((2,), q_v)):
        pp, pv, vv = q * dt3 / 3.0, q * dt2 / 2.0, q * dt
        for axis in axes:
            P[:, axis, axis] += pp
            P[:, axis, axis + 3] += pv
            P[:, axis + 3, axis] += pv
            P[:, axis + 3, axis + 3] += vv


def update_linear(
    states: FloatArray, covs: FloatArray, z: FloatArray, H: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Kalman update of N tracks with measurements z (N, m), H (m, 6), R (N, m, m).

    Joseph form, so covariances stay symmetric positive definite.
    """
    rows = picked(H)
    if rows is None:
        y = z - states @ H.T
        PHt = covs @ H.T
        S = H @ PHt + R
        K = np.linalg.solve(S, PHt.transpose(0, 2, 1)).transpose(0, 2, 1)  # P Hᵀ S⁻¹
        IKH = np.eye(DIM) - K @ H
        P = IKH @ covs @ IKH.transpose(0, 2, 1) + K @ R @ K.transpose(0, 2, 1)
        return states + np.einsum("nij,nj->ni", K, y), 0.5 * (P + P.transpose(0, 2, 1))
    # H picks state components: the products with it are these selections, exactly.
    y = z - states[:, rows]
    PHt = covs[:, :, rows]
    S = PHt[:, rows, :] + R
    if len(rows) == 2:  # ground positions, most updates: S⁻¹ in closed form
        a, b, c, d = S[:, 0, 0], S[:, 0, 1], S[:, 1, 0], S[:, 1, 1]
        Si = np.stack([d, -b, -c, a], axis=1).reshape(-1, 2, 2) / (a * d - b * c)[:, None, None]
        K = PHt @ Si
    else:
        K = np.linalg.solve(S, PHt.transpose(0, 2, 1)).transpose(0, 2, 1)
    x = states + np.einsum("nij,nj->ni", K, y)
    # Joseph form (I - KH) P (I - KH)ᵀ + K R Kᵀ, with KH's m columns taken as they are:
    # A = (I - KH) P, then A (I - KH)ᵀ = A - A Hᵀ Kᵀ. m × 6 products, not 6 × 6 ones.
    A = covs - K @ covs[:, rows, :]
    P = A - A[:, :, rows] @ K.transpose(0, 2, 1) + K @ R @ K.transpose(0, 2, 1)
    return x, 0.5 * (P + P.transpose(0, 2, 1))


def picked(H: FloatArray) -> IntArray | None:
    """The state components H (m, 6) picks, when each of its rows is a single 1."""
    H = np.asarray(H, float)
    return _picked(H.shape, H.tobytes())


@functools.lru_cache(maxsize=32)  # a handful of models: checked once each, not per batch
def _picked(shape: tuple[int, ...], data: bytes) -> IntArray | None:
    H = np.frombuffer(data).reshape(shape)
    rows = np.argmax(H, axis=1)
    if not np.array_equal(H, np.eye(DIM)[rows]):
        return None
    rows.flags.writeable = False
    return rows


def major_sigma_m(covs: FloatArray) -> FloatArray:
    """One-sigma horizontal error (N,): the major semi-axis of each (N, >=2, >=2) covariance."""
    a, b, c = covs[:, 0, 0], covs[:, 0, 1], covs[:, 1, 1]
    return np.sqrt(np.maximum(0.5 * (a + c) + np.sqrt(0.25 * (a - c) ** 2 + b * b), 0.0))


def innovation(
    states: FloatArray, covs: FloatArray, z: FloatArray, H: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Innovations y (N, M, m) and their covariances S (N, M, m, m) of N tracks × M measurements.

    z (M, m) and R (M, m, m) are the measurements; every track is paired with every one.
    """
    y = z[None, :, :] - (states @ H.T)[:, None, :]
    S = (H @ covs @ H.T)[:, None, :, :] + R[None, :, :, :]
    return y, S


def mahalanobis2(y: FloatArray, S: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Squared Mahalanobis distances and log-determinants of S, over any leading axes.

    2×2 and 3×3 covariances (ground positions, and positions with altitude: every
    gated pair of every radar scan) by the closed-form inverse, a few array
    operations for the whole batch where LAPACK's solve and slogdet cost a call
    per matrix; larger ones through LAPACK.

    >>> S = np.array([[[4.0, 1.0], [1.0, 3.0]], [[2.0, 0.0], [0.0, 2.0]]])
    >>> y = np.array([[1.0, 2.0], [2.0, 0.0]])
    >>> d2, logdet = mahalanobis2(y, S)
    >>> d2.round(6).tolist(), np.exp(logdet).round(6).tolist()
    ([1.363636, 2.0], [11.0, 4.0])
    """
    m = S.shape[-1]
    if m == 2:
        a, b, c, d = S[..., 0, 0], S[..., 0, 1], S[..., 1, 0], S[..., 1, 1]
        y0, y1 = y[..., 0], y[..., 1]
        det = a * d - b * c
        d2 = (d * y0 * y0 - (b + c) * y0 * y1 + a * y1 * y1) / det
    elif m == 3:
        (a, b, c), (d, e, f), (g, h, i) = (
            (S[..., r, 0], S[..., r, 1], S[..., r, 2]) for r in range(3)
        )
        y0, y1, y2 = y[..., 0], y[..., 1], y[..., 2]
        # (A, B, C), (D, E, F), (G, H, I): the adjugate's columns, r1×r2, r2×r0, r0×r1.
        A, B, C = e * i - f * h, f * g - d * i, d * h - e * g
        D, E, F = c * h - b * i, a * i - c * g, b * g - a * h
        G, H, I = b * f - c * e, c * d - a * f, a * e - b * d  # noqa: E741
        det = a * A + b * B + c * C
        d2 = (
            y0 * (A * y0 + D * y1 + G * y2)
            + y1 * (B * y0 + E * y1 + H * y2)
            + y2 * (C * y0 + F * y1 + I * y2)
        ) / det
    else:
        sol = np.linalg.solve(S, y[..., None])[..., 0]
        d2 = np.einsum("...i,...i->...", y, sol)
        return d2, np.linalg.slogdet(S)[1]
    return d2, np.log(np.abs(det))


def bearing_model(
    states: FloatArray, node_xy: FloatArray, sound_mps: float
) -> tuple[FloatArray, FloatArray]:
    """Predicted grid bearings (N,) in radians from nodes (N, 2) and their Jacobians (N, 1, 6).

    The bearing heard at a node points to where the drone was when the sound
    left it, ``range / sound_mps`` seconds earlier.
    """
    dx = states[:, 0] - node_xy[:, 0]
    dy = states[:, 1] - node_xy[:, 1]
    lag = np.hypot(dx, dy) / sound_mps
    rx, ry = dx - states[:, 3] * lag, dy - states[:, 4] * lag
    r2 = np.maximum(rx * rx + ry * ry, 1.0)
    H = np.zeros((states.shape[0], 1, DIM))
    H[:, 0, 0] = ry / r2
    H[:, 0, 1] = -rx / r2
    return np.arctan2(rx, ry), H


def update_bearing(
    states: FloatArray,
    covs: FloatArray,
    bearing_rad: FloatArray,
    node_xy: FloatArray,
    sigma_rad: FloatArray,
    sound_mps: float,
) -> tuple[FloatArray, FloatArray]:
    """Extended Kalman update of N tracks with one bearing each."""
    h, H = bearing_model(states, node_xy, sound_mps)
    y = np.angle(np.exp(1j * (bearing_rad - h)))  # wrapped to (-π, π]
    PHt = covs @ H.transpose(0, 2, 1)  # (N, 6, 1)
    S = (H @ PHt)[:, 0, 0] + sigma_rad**2
    K = PHt[:, :, 0] / S[:, None]
    x = states + K * y[:, None]
    IKH = np.eye(DIM) - K[:, :, None] @ H
    P = (
        IKH @ covs @ IKH.transpose(0, 2, 1)
        + (K[:, :, None] @ K[:, None, :]) * sigma_rad[:, None, None] ** 2
    )
    return x, 0.5 * (P + P.transpose(0, 2, 1))
