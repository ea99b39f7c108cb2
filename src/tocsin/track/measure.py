"""Detections as measurements of the track state: which model, z, R.

Models: ``xy`` (ground position), ``xyz`` (position with altitude), ``xyv``
(ground position and velocity, from other systems' tracks) and ``bearing``
(acoustic bearing from a node, in grid radians).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from tocsin.messages import Detection
from tocsin.types import BoolArray, FloatArray

H_ROWS = {"xy": (0, 1), "xyz": (0, 1, 2), "xyv": (0, 1, 3, 4)}


@functools.cache
def h_matrix(model: str) -> FloatArray:
    """Measurement matrix of a linear model (one shared, read-only array per model)."""
    rows = H_ROWS[model]
    H = np.zeros((len(rows), 6))
    H[np.arange(len(rows)), rows] = 1.0
    H.flags.writeable = False
    return H


def model_of(d: Detection) -> str:
    if d.kind == "acoustic" and d.bearing_grid_deg is not None:
        return "bearing"
    if d.v_east_mps is not None and d.v_north_mps is not None:
        return "xyv"
    if d.alt_m is not None and d.sigma_alt_m is not None:
        return "xyz"
    return "xy"


def linear_measurements(dets: list[Detection], model: str) -> tuple[FloatArray, FloatArray]:
    """z (M, m) and R (M, m, m) of detections that share a linear model."""
    m = len(H_ROWS[model])
    # Gathered column by column from one list rather than row by row: a radar scan
    # brings hundreds of plots, and per-row numpy assignments cost more than the filter.
    cols = np.array([(d.x_m, d.y_m, *d.cov_xy) for d in dets], float).reshape(-1, 5)
    z = np.zeros((len(dets), m))
    R = np.zeros((len(dets), m, m))
    z[:, 0:2] = cols[:, 0:2]
    R[:, 0, 0], R[:, 0, 1], R[:, 1, 0], R[:, 1, 1] = cols[:, 2], cols[:, 3], cols[:, 3], cols[:, 4]
    if model == "xyz":
        z[:, 2] = [d.alt_m for d in dets]
        R[:, 2, 2] = [d.sigma_alt_m**2 for d in dets]
    elif model == "xyv":
        sv = [d.sigma_v_mps if d.sigma_v_mps is not None else 10.0 for d in dets]
        z[:, 2] = [d.v_east_mps for d in dets]
        z[:, 3] = [d.v_north_mps for d in dets]
        R[:, 2, 2] = R[:, 3, 3] = [s * s for s in sv]
    return z, R


def bearing_measurements(dets: list[Detection]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Grid bearings (M,) and sigmas (M,) in radians, and node positions (M, 2)."""
    b = np.radians([d.bearing_grid_deg for d in dets])
    s = np.radians([d.sigma_bearing_deg or 10.0 for d in dets])
    nodes = np.array([(d.x_m, d.y_m) for d in dets], float).reshape(-1, 2)
    return b, s, nodes


def reach_m(d: Detection, gate_d2: float) -> float:
    """How far from a detection's position a drone it measured may be, within the gate.

    A bearing's position is its node's: the drone is within hearing range of it.
    """
    if model_of(d) == "bearing":
        return 1.2 * (d.range_max_m or 3000.0)
    vx, cxy, vy = d.cov_xy
    major = 0.5 * (vx + vy) + math.sqrt(0.25 * (vx - vy) ** 2 + cxy * cxy)
    return math.sqrt(gate_d2 * major)


def heard_measurements(
    states: FloatArray, dets: list[Detection], edge_share: float = 0.1
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Ground positions z (M, 2) and R (M, 2, 2) of acoustic reports as what they
    say of tracks predicted at states (M, 6): the drone is within the node's range.

    A track predicted within range is not moved (z is its own position, R the
    node's audible disc); one beyond it is drawn to the nearest point of the
    range's edge, firmly along the line to the node (``edge_share`` of the range,
    one sigma) and not at all across it. Also returns which were beyond range.

    >>> d = Detection(seq=0, sensor="A", kind="acoustic", t_s=0.0, rx_s=0.0, x_m=0.0,
    ...               y_m=0.0, cov_xy=(2.25e6, 0.0, 2.25e6), range_max_m=3000.0)
    >>> z, R, out = heard_measurements(np.array([[1000.0, 0, 0, 0, 0, 0],
    ...                                          [5000.0, 0, 0, 0, 0, 0]]), [d, d])
    >>> z.tolist(), out.tolist(), np.sqrt(R[1].diagonal()).round().tolist()
    ([[1000.0, 0.0], [3000.0, 0.0]], [False, True], [300.0, 30000.0])
    """
    z, R = linear_measurements(dets, "xy")
    reach = np.array([d.range_max_m or 3000.0 for d in dets])
    off = states[:, :2] - z
    dist = np.maximum(np.hypot(off[:, 0], off[:, 1]), 1e-9)
    out = dist > reach
    u = off / dist[:, None]
    z = np.where(out[:, None], z + u * reach[:, None], states[:, :2])
    n = np.stack([-u[:, 1], u[:, 0]], axis=1)
    edge = (edge_share * reach)[:, None, None] ** 2 * np.einsum("mi,mj->mij", u, u) + (
        10.0 * reach
    )[:, None, None] ** 2 * np.einsum("mi,mj->mij", n, n)
    R = np.where(out[:, None, None], edge, R)
    return z, R, out
