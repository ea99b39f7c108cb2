"""Starting tracks: from one position-like detection, or from two acoustic bearings."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tocsin.messages import Detection
from tocsin.types import FloatArray


@dataclass(frozen=True, slots=True)
class Initiator:
    """Settings of track initiation."""

    default_alt_m: float = 300.0  # drones fly low; altitude unknown until a 3-D sensor sees it
    sigma_alt_m: float = 1500.0
    sigma_speed_mps: float = 60.0  # covers every drone speed but jets, from a standing start
    # A sighting that gives the direction of flight starts its track flying that way at a
    # drone's usual speed; the heading a person gives is good to 20-25 degrees. It is
    # taken as a grid heading: the two differ by under 2 degrees within a region.
    sighted_speed_mps: float = 45.0
    sigma_sighted_speed_mps: float = 15.0
    sigma_sighted_heading_deg: float = 25.0
    triangulation_window_s: float = 15.0
    max_crossing_angle_deg: float = 15.0  # bearings closer to parallel give no useful fix

    def from_detection(self, d: Detection) -> tuple[FloatArray, FloatArray]:
        """State (6,) and covariance (6, 6) of a new track at the detection."""
        x, P = self.from_detections([d])
        return x[0], P[0]

    def from_detections(self, dets: list[Detection]) -> tuple[FloatArray, FloatArray]:
        """States (M, 6) and covariances (M, 6, 6) of new tracks at the detections.

        Column by column, not track by track: a radar scan's clutter starts tens at once.
        """
        m = len(dets)
        x = np.zeros((m, 6))
        P = np.zeros((m, 6, 6))
        cols = np.array([(d.x_m, d.y_m, *d.cov_xy) for d in dets], float).reshape(-1, 5)
        x[:, 0:2] = cols[:, 0:2]
        P[:, 0, 0], P[:, 0, 1], P[:, 1, 0], P[:, 1, 1] = (
            cols[:, 2],
            cols[:, 3],
            cols[:, 3],
            cols[:, 4],
        )
        alt_default = (self.default_alt_m, self.sigma_alt_m**2)
        alt = [
            (d.alt_m, (d.sigma_alt_m or 300.0) ** 2) if d.alt_m is not None else alt_default
            for d in dets
        ]
        x[:, 2], P[:, 2, 2] = np.array(alt, float).reshape(-1, 2).T
        still = (0.0, 0.0, self.sigma_speed_mps**2)
        vel = [still if d.v_east_mps is None or d.v_north_mps is None else
               (d.v_east_mps, d.v_north_mps, _var_v(d)) for d in dets]  # fmt: skip
        x[:, 3], x[:, 4], P[:, 3, 3] = np.array(vel, float).reshape(-1, 3).T
        P[:, 4, 4] = P[:, 3, 3]
        P[:, 5, 5] = 5.0**2
        for i, d in enumerate(dets):
            if d.kind == "sighting" and d.heading_deg is not None and d.v_east_mps is None:
                x[i, 3:5], P[i, 3:5, 3:5] = self.sighted_velocity(d.heading_deg)
        return x, P

    def sighted_velocity(self, heading_deg: float) -> tuple[FloatArray, FloatArray]:
        """Velocity (2,) and its covariance (2, 2) of a drone seen flying towards heading_deg."""
        h = math.radians(heading_deg)
        u = np.array([math.sin(h), math.cos(h)])  # along the heading
        n = np.array([-u[1], u[0]])  # across it
        v = self.sighted_speed_mps
        s_cross = v * math.tan(math.radians(self.sigma_sighted_heading_deg))
        cov = self.sigma_sighted_speed_mps**2 * np.outer(u, u) + s_cross**2 * np.outer(n, n)
        return v * u, cov

    def along_bearing(self, d: Detection) -> Detection:
        """A position detection on one node's bearing, where a drone it hears most likely is.

        A drone at distance r from a node with hearing range R is heard with a
        chance falling as 1 - (r/R)², so over the disc r has mean 8R/15 and
        standard deviation 0.22 R; across the bearing, the bearing's own error.
        """
        reach = d.range_max_m or 3000.0
        b = math.radians(d.bearing_grid_deg)
        u = np.array([math.sin(b), math.cos(b)])
        r = reach * 8.0 / 15.0
        along = 0.25 * reach
        across = max(r * math.radians(d.sigma_bearing_deg or 10.0), 50.0)
        n = np.array([-u[1], u[0]])
        cov = along**2 * np.outer(u, u) + across**2 * np.outer(n, n)
        return Detection(
            seq=d.seq,
            sensor=d.sensor,
            kind="acoustic",
            t_s=d.t_s,
            rx_s=d.rx_s,
            x_m=d.x_m + r * float(u[0]),
            y_m=d.y_m + r * float(u[1]),
            cov_xy=(float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])),
        )

    def triangulate(self, a: Detection, b: Detection) -> Detection | None:
        """A position detection where bearings a and b cross, or None if they do not.

        The fix must lie ahead of both nodes and within their hearing range;
        its covariance is the inverse of the two rays' perpendicular information.
        """
        if a.sensor == b.sensor or abs(a.t_s - b.t_s) > self.triangulation_window_s:
            return None
        pa, pb = np.array([a.x_m, a.y_m]), np.array([b.x_m, b.y_m])
        ua = np.array(
            [math.sin(math.radians(a.bearing_grid_deg)), math.cos(math.radians(a.bearing_grid_deg))]
        )
        ub = np.array(
            [math.sin(math.radians(b.bearing_grid_deg)), math.cos(math.radians(b.bearing_grid_deg))]
        )
        cross = ua[0] * ub[1] - ua[1] * ub[0]
        if abs(cross) < math.sin(math.radians(self.max_crossing_angle_deg)):
            return None
        d = pb - pa
        sa = (d[0] * ub[1] - d[1] * ub[0]) / cross
        sb = (d[0] * ua[1] - d[1] * ua[0]) / cross
        ra, rb = (a.range_max_m or 3000.0) * 1.2, (b.range_max_m or 3000.0) * 1.2
        if not (0 < sa <= ra and 0 < sb <= rb):
            return None
        fix = pa + sa * ua
        info = np.zeros((2, 2))
        for s, u, det in ((sa, ua, a), (sb, ub, b)):
            n = np.array([-u[1], u[0]])
            sig = max(s * math.radians(det.sigma_bearing_deg or 10.0), 50.0)
            info += np.outer(n, n) / sig**2
        cov = np.linalg.inv(info + np.eye(2) * 1e-10)
        # Bearings point to where the sound left the drone; that lag adds error along the track.
        cov += np.eye(2) * (max(sa, sb) / 340.0 * 50.0) ** 2
        t = max(a.t_s, b.t_s)
        return Detection(
            seq=max(a.seq, b.seq),
            sensor=b.sensor,
            kind="acoustic",
            t_s=t,
            rx_s=max(a.rx_s, b.rx_s),
            x_m=float(fix[0]),
            y_m=float(fix[1]),
            cov_xy=(float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])),
        )


def speed_gate(gap_m: FloatArray, dt_s: FloatArray, sigma_m: FloatArray, v_max_mps: float):
    """Which second plots (M,) a track started from one plot may take: the velocity gate
    of two-point initiation.

    A drone cannot have flown farther than ``v_max_mps`` over ``dt_s``: a plot
    ``gap_m`` away from the first one is another drone's (a wingman's, 300 m
    off in a formation) or clutter, however wide the new track's Gaussian
    gate (a standing start with 60 m/s on each axis reaches 240 m/s). Where the
    two plots' combined error ``sigma_m`` (one sigma) is too large to measure a
    speed over one interval, the gate is no tighter than three of it.

    >>> speed_gate(np.array([200.0, 350.0, 350.0]), np.array([2.0, 2.0, 2.0]),
    ...            np.array([71.0, 71.0, 150.0]), 130.0).tolist()
    [True, False, True]
    """
    return gap_m <= np.maximum(v_max_mps * dt_s, 3.0 * sigma_m)


def _var_v(d: Detection) -> float:
    """Variance of a detection's velocity on each axis (m²/s²)."""
    sv = d.sigma_v_mps if d.sigma_v_mps is not None else 10.0
    return sv * sv
