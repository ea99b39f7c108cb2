"""Interacting multiple models over batches of tracks: straight flight and turns.

Drones fly straight legs joined by coordinated turns. One constant-velocity
filter must choose between a low process noise (sharp on the legs, late in
the turns) and a high one (the reverse). The IMM runs three models side by
side for every track, a constant-velocity one and two coordinated turns at
fixed rates (left and right), each with the state ``[x, y, z, vx, vy, vz]``,
and weighs them by how well each explains the plots: ``states (N, M, 6)``,
``covs (N, M, 6, 6)``, mode probabilities ``mu (N, M)``. Written over arrays
for the same reason as `kalman.py`: one call serves hundreds of tracks.

Switching between modes follows mean dwell times (``ImmModels.dwell_s``), so
the Markov matrix depends on the time step of each track.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tocsin.track import kalman
from tocsin.types import FloatArray

M = 3  # constant velocity, turn left, turn right


@dataclass(frozen=True, slots=True)
class ImmModels:
    q_cv_m2ps3: float = 0.2  # straight legs: little unmodelled acceleration
    q_turn_m2ps3: float = 1.0
    q_v_m2ps3: float = 0.5  # vertical, in every model
    turn_rate_deg_s: float = 4.0  # a Shahed-type drone banked 20-30° turns at 4-7°/s
    dwell_s: tuple[float, float] = (120.0, 15.0)  # mean time flying straight, turning
    mu0: tuple[float, float, float] = (0.8, 0.1, 0.1)

    def markov(self, dt_s: FloatArray) -> FloatArray:
        """Π (N, M, M): Π[n, i, j] = P(mode j after dt_s[n] | mode i before)."""
        dt = np.asarray(dt_s, float).reshape(-1)
        p_turn = 1.0 - np.exp(-dt / self.dwell_s[0])  # straight -> either turn
        p_back = 1.0 - np.exp(-dt / self.dwell_s[1])  # turn -> straight
        Pi = np.zeros((len(dt), M, M))
        Pi[:, 0, 0] = 1.0 - p_turn
        Pi[:, 0, 1] = Pi[:, 0, 2] = 0.5 * p_turn
        Pi[:, 1, 0] = Pi[:, 2, 0] = p_back
        Pi[:, 1, 1] = Pi[:, 2, 2] = 1.0 - p_back
        return Pi


def mix(states: FloatArray, covs: FloatArray, mu: FloatArray, Pi: FloatArray):
    """Mixed initial conditions (N, M, 6), (N, M, 6, 6) and the predicted mode
    probabilities c (N, M) of the IMM's interaction step."""
    c = np.einsum("nij,ni->nj", Pi, mu)
    c = np.maximum(c, 1e-12)
    w = Pi * mu[:, :, None] / c[:, None, :]  # w[n, i, j] = P(i before | j after)
    x0 = np.einsum("nij,nik->njk", w, states)
    d = states[:, :, None, :] - x0[:, None, :, :]  # (N, i, j, 6)
    P0 = np.einsum("nij,nikl->njkl", w, covs) + np.einsum("nij,nijk,nijl->njkl", w, d, d)
    return x0, P0, c


def predict_models(
    states: FloatArray, covs: FloatArray, dt_s: FloatArray, m: ImmModels
) -> tuple[FloatArray, FloatArray]:
    """Each model's prediction of its own (N, M, ...) state by dt_s (N,)."""
    dt = np.asarray(dt_s, float).reshape(-1)
    x = np.empty_like(states)
    P = np.empty_like(covs)
    x[:, 0], P[:, 0] = kalman.predict(states[:, 0], covs[:, 0], dt, m.q_cv_m2ps3, m.q_v_m2ps3)
    w = math.radians(m.turn_rate_deg_s)
    for j, omega in ((1, w), (2, -w)):
        F = turn_transition(dt, omega)
        x[:, j] = np.einsum("nij,nj->ni", F, states[:, j])
        Pj = F @ covs[:, j] @ F.transpose(0, 2, 1)
        P[:, j] = kalman.with_noise(0.5 * (Pj + Pj.transpose(0, 2, 1)), dt, m.q_turn_m2ps3,
                                    m.q_v_m2ps3)  # fmt: skip
    return x, P


def turn_transition(dt_s: FloatArray, omega_rad_s: float) -> FloatArray:
    """F (N, 6, 6) of a coordinated turn at a known rate in the ground plane
    (positive: counter-clockwise seen from above, a left turn), straight in z."""
    dt = np.asarray(dt_s, float).reshape(-1)
    s, c = np.sin(omega_rad_s * dt), np.cos(omega_rad_s * dt)
    F = np.broadcast_to(np.eye(6), (len(dt), 6, 6)).copy()
    F[:, 0, 3], F[:, 0, 4] = s / omega_rad_s, -(1.0 - c) / omega_rad_s
    F[:, 1, 3], F[:, 1, 4] = (1.0 - c) / omega_rad_s, s / omega_rad_s
    F[:, 3, 3], F[:, 3, 4] = c, -s
    F[:, 4, 3], F[:, 4, 4] = s, c
    F[:, 2, 5] = dt
    return F


def combine(states: FloatArray, covs: FloatArray, mu: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The mixture's mean (N, 6) and covariance (N, 6, 6)."""
    x = np.einsum("nj,njk->nk", mu, states)
    d = states - x[:, None, :]
    P = np.einsum("nj,njkl->nkl", mu, covs) + np.einsum("nj,njk,njl->nkl", mu, d, d)
    return x, 0.5 * (P + P.transpose(0, 2, 1))


Update = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray, FloatArray]]


def step(
    states: FloatArray,
    covs: FloatArray,
    mu: FloatArray,
    dt_s: FloatArray,
    m: ImmModels,
    update: Update,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One IMM cycle of N tracks: interaction, per-model prediction by dt_s and
    update; ``update(x (K, 6), P (K, 6, 6))`` updates K = N·M model states with
    the measurement of their track (repeated M times) and returns them with
    each one's log-likelihood (K,). Returns the new model states, covariances
    and mode probabilities."""
    n = len(states)
    x0, P0, c = mix(states, covs, mu, m.markov(dt_s))
    xp, Pp = predict_models(x0, P0, dt_s, m)
    xu, Pu, ll = update(xp.reshape(n * M, 6), Pp.reshape(n * M, 6, 6))
    ll = ll.reshape(n, M)
    w = c * np.exp(ll - ll.max(axis=1, keepdims=True))
    mu_new = w / w.sum(axis=1, keepdims=True)
    return xu.reshape(n, M, 6), Pu.reshape(n, M, 6, 6), mu_new


def linear_update(z: FloatArray, H: FloatArray, R: FloatArray) -> Update:
    """The update of `step` for linear measurements z (N, m), R (N, m, m)."""

    def update(x: FloatArray, P: FloatArray):
        zz, RR = np.repeat(z, M, axis=0), np.repeat(R, M, axis=0)
        y = zz - x @ H.T
        S = H @ P @ H.T + RR
        d2, logdet = kalman.mahalanobis2(y, S)
        xu, Pu = kalman.update_linear(x, P, zz, H, RR)
        return xu, Pu, -0.5 * (d2 + logdet)

    return update


def bearing_update(
    bearing_rad: FloatArray, node_xy: FloatArray, sigma_rad: FloatArray, sound_mps: float
) -> Update:
    """The update of `step` for acoustic bearings (N,) from nodes (N, 2)."""

    def update(x: FloatArray, P: FloatArray):
        b, nodes, sig = (np.repeat(a, M, axis=0) for a in (bearing_rad, node_xy, sigma_rad))
        h, Hj = kalman.bearing_model(x, nodes, sound_mps)
        y = np.angle(np.exp(1j * (b - h)))
        S = (Hj @ P @ Hj.transpose(0, 2, 1))[:, 0, 0] + sig**2
        xu, Pu = kalman.update_bearing(x, P, b, nodes, sig, sound_mps)
        return xu, Pu, -0.5 * (y * y / S + np.log(S))

    return update
