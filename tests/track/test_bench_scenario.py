"""The tracker benchmark's scenario is seeded and as described, and Tocsin tracks it."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_track import CLUTTER, PD, SIGMA_M, _mean_gospa, run_tocsin, scenario  # noqa: E402


def test_scenario_is_seeded_and_as_described():
    a, b = scenario(50, 30, seed=3), scenario(50, 30, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a.plots, b.plots, strict=True))
    speeds = np.hypot(*(a.truth[1] - a.truth[0]).T) / (a.times[1] - a.times[0])
    assert speeds.min() > 38.0 and speeds.max() < 57.0
    n_plots = sum(len(z) for z in a.plots)
    assert abs(n_plots - 30 * (50 * PD + CLUTTER)) < 4 * np.sqrt(30 * (50 * (1 - PD) + CLUTTER))


def test_tocsin_tracks_the_scenario_to_the_noise():
    sc = scenario(10, 20, seed=17)
    _, est, _, _ = run_tocsin(sc)
    late = type(sc)(sc.truth[5:], sc.plots[5:], sc.times[5:], sc.group)
    g = _mean_gospa(late, est[5:], 1000.0)
    assert g["loc_m"] < 1.5 * SIGMA_M
    assert g["missed"] < 1.0
