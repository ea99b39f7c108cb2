"""Detections as measurements of the track state: which model, z, R.

Models: ``xy`` (ground position), ``xyz`` (position with altitude), ``xyv``
(ground position and velocity, from other systems' tracks) and ``bearing``
(acoustic bearing from a node, in grid radians).
"""

from __future__ import annotations

import math

import numpy as np

from tocsin.messages import Detection
from tocsin.types import FloatArray

H_ROWS = {"xy": (0, 1), "xyz": (0, 1, 2), "xyv": (0, 1, 3, 4)}


def h_matrix(model: str) -> FloatArray:
    """Measurement matrix of a linear model."""
    rows = H_ROWS[model]
    H = np.zeros((len(rows), 6))
    H[np.arange(len(rows)), rows] = 1.0
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
    z = np.zeros((len(dets), m))
    R = np.zeros((len(dets), m, m))
    for k, d in enumerate(dets):
        vx, cxy, vy = d.cov_xy
        z[k, 0:2] = d.x_m, d.y_m
        R[k, 0:2, 0:2] = ((vx, cxy), (cxy, vy))
        if model == "xyz":
            z[k, 2] = d.alt_m
            R[k, 2, 2] = d.sigma_alt_m**2
        elif model == "xyv":
            sv = d.sigma_v_mps if d.sigma_v_mps is not None else 10.0
            z[k, 2:4] = d.v_east_mps, d.v_north_mps
            R[k, 2, 2] = R[k, 3, 3] = sv * sv
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
