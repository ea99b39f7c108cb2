"""Tocsin's tracker against Stone Soup on the same seeded radar scenarios (a benchmark).

    make bench          # installs .[bench] (Stone Soup) first
    .venv/bin/python benchmarks/bench_track.py [--sizes 10,50,200,800] [--scans 100]

Scenario, per size N (seed + N): N drones at 40-55 m/s on straight legs in the
plane, about half of them in formations of 3-6 flying 300-500 m apart; one
radar at the origin giving Cartesian plots with 50 m noise on each axis,
detection probability 0.9, Poisson clutter (mean 20 a scan) uniform over the
80 km square, one scan every 2 s. Both trackers get the very same plots,
and each is told the truth of the noise (R = 50² I) and, as sensors.json would
register it, of the radar's scan period; of nothing else.

Stone Soup (the peer): linear Kalman predictor/updater with
``CombinedLinearGaussianTransitionModel`` of two ``ConstantVelocity`` (q = 1
m²/s³, Tocsin's default), ``DistanceHypothesiser`` with ``Mahalanobis``
(missed distance 4, as Tocsin's gate d² = 16), ``GNNWith2DAssignment``, a
``MultiMeasurementInitiator`` releasing tracks after 3 updates (Tocsin
confirms after 3 hits), ``UpdateTimeStepsDeleter`` (5 scans for tracks, 3
for held ones). It runs twice: as is ("gnn2d"), and with its kd-tree
association ``DetectionKDTreeGNN2D`` (max distance 3 km, Tocsin's search
radius) in both tracker and initiator ("kdtree"); the faster is the peer.
A configuration that would take more than ``--budget-s`` CPU seconds stops
early; its scans are then given as ``stonesoup_<config>_scans``.

Figures: CPU milliseconds per scan (``time.process_time`` around the tracker
calls only), and the mean over scans of GOSPA (c = 1000 m, p = 2, alpha = 2)
between the truth and the confirmed tracks at the scan time (Tocsin's live
CONFIRMED tracks predicted to it; Stone Soup's ``tracker.tracks``).
``speed_ratio`` = Stone Soup ms / Tocsin ms (above 1: Tocsin is faster);
``gospa_ratio`` = Tocsin GOSPA / Stone Soup GOSPA (below 1: Tocsin is closer).
Tocsin runs twice: with its default constant-velocity updates (``tocsin_*``)
and with the IMM of straight flight and turns (``tocsin_imm_*``,
``speed_ratio_imm``, ``gospa_ratio_imm``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from dataclasses import dataclass

import numpy as np

from tocsin.messages import Detection, Sensor
from tocsin.sim.gospa import gospa
from tocsin.track import MultiSensorTracker, TrackerSettings
from tocsin.track.table import CONFIRMED

PERIOD_S = 2.0
SIGMA_M = 50.0
PD = 0.9
CLUTTER = 20.0
HALF_SIDE_M = 40_000.0  # clutter over [-40, 40] km square; drones stay within it
START_R_M = 28_000.0
T0_S = 1_750_000_000.0
Q = 1.0  # m²/s³, Tocsin's default q_h
PRIOR_SIGMA_V = 60.0  # Tocsin's Initiator.sigma_speed_mps
KD_MAX_M = 3000.0


@dataclass
class Scenario:
    truth: list[np.ndarray]  # per scan, (N, 2) true positions
    plots: list[np.ndarray]  # per scan, (M, 2) measured positions (targets and clutter, shuffled)
    times: np.ndarray  # (scans,) seconds from T0_S


def scenario(n: int, scans: int, seed: int) -> Scenario:
    """Seeded targets (about half in formations) and their plots, scan by scan."""
    rng = np.random.default_rng(seed)
    pos, vel = [], []
    left = n
    while left:
        size = min(left, int(rng.integers(3, 7)) if rng.random() < 0.5 else 1)
        r, a = START_R_M * np.sqrt(rng.random()), rng.uniform(0, 2 * np.pi)
        centre = np.array([r * np.cos(a), r * np.sin(a)])
        heading, speed = rng.uniform(0, 2 * np.pi), rng.uniform(40.0, 55.0)
        u = np.array([np.cos(heading), np.sin(heading)])
        side = np.array([-u[1], u[0]])
        for k in range(size):  # echelon: each one 300-500 m behind and beside the last
            step = rng.uniform(300.0, 500.0)
            off = k * step * (0.6 * side - 0.8 * u) if k else np.zeros(2)
            pos.append(centre + off)
            vel.append(u * (speed + rng.normal(0, 0.5)))
        left -= size
    pos, vel = np.array(pos), np.array(vel)
    times = np.arange(scans) * PERIOD_S
    truth, plots = [], []
    for t in times:
        x = pos + vel * t
        seen = x[rng.random(n) < PD]
        seen = seen + rng.normal(0, SIGMA_M, seen.shape)
        clutter = rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, (rng.poisson(CLUTTER), 2))
        z = np.vstack([seen, clutter])
        truth.append(x)
        plots.append(z[rng.permutation(len(z))])
    return Scenario(truth, plots, times)


def _mean_gospa(sc: Scenario, est: list[np.ndarray], c_m: float) -> dict[str, float]:
    gs = [gospa(x, y, c_m=c_m) for x, y in zip(sc.truth, est, strict=False)]
    return {
        "gospa_m": float(np.mean([g.distance_m for g in gs])),
        "loc_m": float(np.mean([g.localisation_m / max(g.assigned, 1) ** 0.5 for g in gs])),
        "missed": float(np.mean([g.missed for g in gs])),
        "false": float(np.mean([g.false for g in gs])),
    }


def run_tocsin(sc: Scenario, motion: str = "cv") -> tuple[float, list[np.ndarray], float]:
    sensors = {
        "R1": Sensor(
            id="R1", kind="radar", x_m=0.0, y_m=0.0, range_max_m=60_000.0, scan_period_s=PERIOD_S
        )
    }
    tracker = MultiSensorTracker(sensors, TrackerSettings(motion=motion))
    var = SIGMA_M**2
    seq, cpu, wall, est = 0, 0.0, 0.0, []
    for t, z in zip(sc.times, sc.plots, strict=True):
        t_s = T0_S + float(t)
        dets = []
        for x, y in z.tolist():
            dets.append(Detection(seq=seq, sensor="R1", kind="radar", t_s=t_s, rx_s=t_s + 0.5,
                                  x_m=x, y_m=y, cov_xy=(var, 0.0, var)))  # fmt: skip
            seq += 1
        c0, w0 = time.process_time(), time.perf_counter()
        tracker.process(dets)
        tracker.maintain(t_s)
        cpu += time.process_time() - c0
        wall += time.perf_counter() - w0
        tab = tracker.table
        idx = np.flatnonzero(tab.alive[: tab.n] & (tab.status[: tab.n] == CONFIRMED))
        est.append(tracker.predicted(idx, t_s)[0][:, :2] if len(idx) else np.zeros((0, 2)))
    n = len(sc.times)
    return 1000.0 * cpu / n, est, 1000.0 * wall / n


def _stonesoup_tracker(kdtree: bool):
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q), ConstantVelocity(Q)])
    measurement = LinearGaussian(ndim_state=4, mapping=(0, 2), noise_covar=np.eye(2) * SIGMA_M**2)
    predictor, updater = KalmanPredictor(transition), KalmanUpdater(measurement)
    hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=4.0)

    def associator():
        if kdtree:
            return DetectionKDTreeGNN2D(
                hypothesiser=hyp, predictor=predictor, updater=updater, max_distance=KD_MAX_M
            )
        return GNNWith2DAssignment(hyp)

    prior = GaussianState(np.zeros((4, 1)), np.diag([0.0, PRIOR_SIGMA_V**2, 0.0, PRIOR_SIGMA_V**2]))
    initiator = MultiMeasurementInitiator(
        prior_state=prior,
        measurement_model=measurement,
        deleter=UpdateTimeStepsDeleter(time_steps_since_update=3),
        data_associator=associator(),
        updater=updater,
        min_points=3,
    )
    return MultiTargetTracker(
        initiator=initiator,
        deleter=UpdateTimeStepsDeleter(time_steps_since_update=5),
        detector=None,
        data_associator=associator(),
        updater=updater,
    ), measurement


def run_stonesoup(sc: Scenario, kdtree: bool, budget_s: float):
    """(ms per scan, estimates per scan, scans run, wall ms per scan); stops past budget_s.

    Once it has spent budget_s CPU seconds it stops: when budget_s is another
    configuration's total, this one is then already the slower per scan.
    """
    from stonesoup.types.detection import Detection as SSDetection

    tracker, model = _stonesoup_tracker(kdtree)
    t0 = dt.datetime(2025, 6, 15, tzinfo=dt.UTC)
    cpu, wall, est = 0.0, 0.0, []
    for t, z in zip(sc.times, sc.plots, strict=True):
        stamp = t0 + dt.timedelta(seconds=float(t))
        dets = {
            SSDetection(np.array([[x], [y]]), timestamp=stamp, measurement_model=model)
            for x, y in z.tolist()
        }
        c0, w0 = time.process_time(), time.perf_counter()
        tracker.update_tracker(stamp, dets)
        cpu += time.process_time() - c0
        wall += time.perf_counter() - w0
        est.append(
            np.array(
                [[tr.state_vector[0, 0], tr.state_vector[2, 0]] for tr in tracker.tracks]
            ).reshape(-1, 2)
        )
        if cpu > budget_s:
            break
    n = len(est)
    return 1000.0 * cpu / n, est, n, 1000.0 * wall / n


def bench(n: int, scans: int, seed: int, c_m: float, budget_s: float) -> dict:
    sc = scenario(n, scans, seed + n)
    out: dict = {"bench": "track", "targets": n, "scans": scans}
    toc_ms, toc_est, toc_wall = run_tocsin(sc)
    toc = _mean_gospa(sc, toc_est, c_m)
    imm_ms, imm_est, _ = run_tocsin(sc, "imm")
    imm = _mean_gospa(sc, imm_est, c_m)
    runs = {}
    for name, kd in (("kdtree", True), ("gnn2d", False)):
        # The second run stops once it has spent what the first did in all: it cannot be the peer.
        spent = min((r[0] * r[2] / 1000.0 for r in runs.values()), default=budget_s)
        ms, est, done, wall = run_stonesoup(sc, kd, min(budget_s, spent))
        sub = Scenario(sc.truth[:done], sc.plots[:done], sc.times[:done])
        runs[name] = (ms, _mean_gospa(sub, est, c_m), done, wall)
    peer = min(runs, key=lambda k: runs[k][0])
    ss_ms, ss, ss_scans, ss_wall = runs[peer]
    out |= {
        "tocsin_ms_per_scan": toc_ms,
        "stonesoup_ms_per_scan": ss_ms,
        "speed_ratio": ss_ms / toc_ms,
        "tocsin_gospa_m": toc["gospa_m"],
        "stonesoup_gospa_m": ss["gospa_m"],
        "gospa_ratio": toc["gospa_m"] / ss["gospa_m"],
        "stonesoup_config": peer,
        "tocsin_imm_ms_per_scan": imm_ms,
        "tocsin_imm_gospa_m": imm["gospa_m"],
        "speed_ratio_imm": ss_ms / imm_ms,
        "gospa_ratio_imm": imm["gospa_m"] / ss["gospa_m"],
        "stonesoup_scans": ss_scans,
        "tocsin_wall_ms_per_scan": toc_wall,
        "stonesoup_wall_ms_per_scan": ss_wall,
    }
    for who, g in (("tocsin", toc), ("tocsin_imm", imm), ("stonesoup", ss)):
        out |= {f"{who}_rms_loc_m": g["loc_m"], f"{who}_missed": g["missed"],
                f"{who}_false": g["false"]}  # fmt: skip
    for name, (ms, g, done, _) in runs.items():
        out |= {f"stonesoup_{name}_ms_per_scan": ms, f"stonesoup_{name}_gospa_m": g["gospa_m"],
                f"stonesoup_{name}_scans": done}  # fmt: skip
    out |= {"gospa_c_m": c_m, "seed": seed + n, "pd": PD, "clutter_per_scan": CLUTTER,
            "sigma_m": SIGMA_M, "period_s": PERIOD_S}  # fmt: skip
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,50,200,800")
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--c-m", type=float, default=1000.0)
    ap.add_argument("--budget-s", type=float, default=600.0, help="CPU s per Stone Soup run")
    a = ap.parse_args()
    for n in (int(s) for s in a.sizes.split(",")):
        print(json.dumps(bench(n, a.scans, a.seed, a.c_m, a.budget_s)), flush=True)


if __name__ == "__main__":
    main()
