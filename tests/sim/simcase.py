"""Small seeded scenarios and hand-built sensor scenes shared by the simulator tests."""

from __future__ import annotations

from functools import cache

import numpy as np

from tocsin.geo import load_region
from tocsin.sim.fly import Truth, truth_from_samples
from tocsin.sim.network import Microphones, Network, Radars
from tocsin.sim.preset import settings_for
from tocsin.sim.scenario import Scenario, simulate

T0 = settings_for("quiet").start_s
GROUND_M = 150.0

SMALL = settings_for(
    "typical",
    drones=16,
    duration_min=90.0,
    seed=5,
    clutter_per_scan=1.0,
    outage_start_min=10.0,
    outage_min=10.0,
    acoustic_false_per_h=2.0,
)


@cache
def small_scenario(seed: int = SMALL.seed) -> Scenario:
    """16 drones over Belgorod for 90 minutes (a second or two to simulate)."""
    from dataclasses import replace

    return simulate("belgorod", replace(SMALL, seed=seed))


@cache
def belgorod():
    return load_region("belgorod")


def circling(radius_m: float, agl_m: float, duration_s: float, speed_mps: float = 45.0) -> Truth:
    """One drone circling the region's centre at a fixed radius and height."""
    t = np.arange(0.0, duration_s + 1.0)
    theta = speed_mps / radius_m * t
    return truth_from_samples(
        belgorod().frame,
        1,
        np.zeros(len(t), np.int64),
        T0 + t,
        radius_m * np.sin(theta),
        radius_m * np.cos(theta),
        np.full(len(t), GROUND_M + agl_m),
    )


def no_targets() -> Truth:
    z = np.zeros(0)
    return truth_from_samples(belgorod().frame, 0, z.astype(np.int64), z, z, z, z)


def one_radar(*, three_d: bool = True, range_max_m=40_000.0, period_s=2.0, pd0=0.9) -> Network:
    """A single radar at the region's centre: mast 25 m, on flat ground."""
    lat, lon = belgorod().frame.xy_to_latlng(0.0, 0.0)

    def a(v):
        return np.array([v], float)

    radars = Radars(
        ids=np.array(["R1"], dtype=object),
        x_m=a(0.0),
        y_m=a(0.0),
        lat_deg=a(lat),
        lon_deg=a(lon),
        site_alt_m=a(GROUND_M),
        mast_m=a(25.0),
        range_max_m=a(range_max_m),
        sigma_range_m=a(40.0),
        sigma_azimuth_deg=a(0.5),
        sigma_elevation_deg=a(0.8 if three_d else np.nan),
        scan_period_s=a(period_s),
        phase_s=a(0.3),
        pd0=a(pd0),
        latency_s=a(0.4),
    )
    return Network(
        radars=radars,
        acoustic=one_node(),
        neighbour=False,
        sighting_sigma_m=1500.0,
        outage_radar=-1,
        outage_s=(0.0, 0.0),
    )


def one_node(*, sigma_bearing_deg=5.0, range_max_m=3_000.0, pd0=0.9) -> Microphones:
    """A single acoustic node at the region's centre, 6 m above the ground."""
    lat, lon = belgorod().frame.xy_to_latlng(0.0, 0.0)

    def a(v):
        return np.array([v], float)

    return Microphones(
        ids=np.array(["A001"], dtype=object),
        x_m=a(0.0),
        y_m=a(0.0),
        lat_deg=a(lat),
        lon_deg=a(lon),
        alt_m=a(GROUND_M + 6.0),
        range_max_m=a(range_max_m),
        sigma_bearing_deg=a(sigma_bearing_deg),
        pd0=a(pd0),
        phase_s=a(1.0),
    )
