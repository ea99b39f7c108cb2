"""Sensor models: their statistics match their settings, checked against the truth."""

from __future__ import annotations

import numpy as np
import pytest
from simcase import GROUND_M, SMALL, T0, circling, no_targets, one_node, one_radar, small_scenario

from tocsin.sim.acoustic import observe_acoustic
from tocsin.sim.earth import enu_of, polar_of
from tocsin.sim.radar import observe_radars, radar_horizon_m, scans_in
from tocsin.sim.sighting import report_delay_s
from tocsin.sim.write import detection_bytes
from tocsin.types import SPEED_OF_SOUND_MPS

HOUR = 3600.0


def _wrap180(a):
    return (np.asarray(a) + 180.0) % 360.0 - 180.0


def test_radar_noise_matches_registry_against_truth():
    scn = small_scenario()
    rec, radars = scn.records, scn.network.radars
    real = (rec.kind == "radar") & (rec.cause >= 0)
    k = np.searchsorted(radars.ids, rec.sensor[real])  # ids R1..Rn sort as built (n < 10)
    lat, lon, alt = scn.truth.at(rec.cause[real], rec.t_s[real], ("lat_deg", "lon_deg", "alt_m"))
    r, az, el = polar_of(radars.lat_deg[k], radars.lon_deg[k], radars.alt_m[k], lat, lon, alt)
    z_r = (rec.range_m[real] - r) / radars.sigma_range_m[k]
    z_az = _wrap180(rec.azimuth_deg[real] - az) / radars.sigma_azimuth_deg[k]
    assert real.sum() > 1000
    # times are written to the millisecond: 50 m/s moves 5 cm, far below the noise
    assert abs(z_r.mean()) < 0.1 and z_r.std() == pytest.approx(1.0, abs=0.08)
    assert abs(z_az.mean()) < 0.1 and z_az.std() == pytest.approx(1.0, abs=0.08)
    three = radars.three_d[k]
    z_el = (rec.elevation_deg[real][three] - el[three]) / radars.sigma_elevation_deg[k][three]
    assert z_el.std() == pytest.approx(1.0, abs=0.1)
    assert np.all(np.isnan(rec.elevation_deg[real][~three]))


def test_radar_measures_when_the_beam_passes():
    net = one_radar()
    rec = observe_radars(
        net, circling(20_000.0, 1000.0, 600.0), T0, T0 + 600, 0.0, np.random.default_rng(1)
    )
    period, phase = net.radars.scan_period_s[0], T0 + net.radars.phase_s[0]
    beam = ((rec.t_s - phase) % period) / period * 360.0
    assert np.abs(_wrap180(beam - rec.true_azimuth_deg)).max() < 0.5
    assert np.all(np.diff(rec.t_s) > 0.5 * period)  # once per scan
    lag = rec.rx_s - rec.t_s
    assert lag.min() >= 0.2 and lag.max() <= 1.0


@pytest.mark.parametrize("range_m", [10_000.0, 30_000.0])
def test_radar_detection_probability_falls_with_range(range_m):
    net = one_radar(pd0=0.9, range_max_m=40_000.0, period_s=2.0)
    truth = circling(range_m, 1000.0, 2 * HOUR)
    rec = observe_radars(net, truth, T0, T0 + 2 * HOUR, 0.0, np.random.default_rng(2))
    scans = scans_in(net.radars, 0, T0, T0 + 2 * HOUR)
    expected = 0.9 * (1.0 - (range_m / 40_000.0) ** 4)
    assert len(rec) / scans == pytest.approx(expected, abs=0.025)


def test_radar_horizon_hides_a_low_drone_far_out():
    net = one_radar(range_max_m=60_000.0)
    assert radar_horizon_m(25.0, 50.0) < 55_000.0 < radar_horizon_m(25.0, 600.0)
    rng = np.random.default_rng(3)
    low = observe_radars(net, circling(55_000.0, 50.0, 1200.0), T0, T0 + 1200, 0.0, rng)
    high = observe_radars(net, circling(55_000.0, 600.0, 1200.0), T0, T0 + 1200, 0.0, rng)
    near_low = observe_radars(net, circling(20_000.0, 50.0, 1200.0), T0, T0 + 1200, 0.0, rng)
    assert len(low) == 0
    assert len(high) > 100 and len(near_low) > 300


def test_a_2d_radar_gives_no_elevation():
    net = one_radar(three_d=False)
    rec = observe_radars(
        net, circling(15_000.0, 800.0, 300.0), T0, T0 + 300, 1.0, np.random.default_rng(4)
    )
    assert len(rec) > 100 and np.all(np.isnan(rec.elevation_deg))
    text = detection_bytes(rec).decode()
    assert "elevation_deg" not in text and text.count("azimuth_deg") == len(rec)


def test_clutter_rate_and_spread_match_settings():
    net = one_radar(range_max_m=40_000.0)
    rec = observe_radars(net, no_targets(), T0, T0 + 2 * HOUR, 2.0, np.random.default_rng(5))
    scans = scans_in(net.radars, 0, T0, T0 + 2 * HOUR)
    assert np.all(rec.cause == -1)
    assert len(rec) / scans == pytest.approx(2.0, rel=0.05)
    assert rec.range_m.max() <= 40_000.0
    assert np.mean((rec.range_m / 40_000.0) ** 2) == pytest.approx(0.5, abs=0.03)  # uniform


def test_clutter_rate_in_the_scenario():
    scn = small_scenario()
    rec, radars = scn.records, scn.network.radars
    for k in range(len(radars)):
        silent = scn.network.outage_s if k == scn.network.outage_radar else (0.0, 0.0)
        n = np.sum((rec.sensor == radars.ids[k]) & (rec.cause < 0))
        scans = scans_in(radars, k, scn.start_s, scn.end_s, silent)
        assert n / scans == pytest.approx(SMALL.clutter_per_scan, rel=0.15)


def test_acoustic_bearing_noise_and_sound_delay():
    node = one_node(sigma_bearing_deg=5.0, range_max_m=3_000.0, pd0=0.9)
    truth = circling(1_500.0, 100.0, HOUR)
    rec = observe_acoustic(node, truth, T0, T0 + HOUR, 0.0, np.random.default_rng(6))
    assert len(rec) > 400
    site = (node.lat_deg[0], node.lon_deg[0], node.alt_m[0])
    # the sound heard at t left the drone d / c earlier: solve for that instant
    tau = rec.t_s.copy()
    for _ in range(5):
        lat, lon, alt = truth.at(rec.cause, tau, ("lat_deg", "lon_deg", "alt_m"))
        e, n, u = enu_of(*site, lat, lon, alt)
        tau = rec.t_s - np.sqrt(e * e + n * n + u * u) / SPEED_OF_SOUND_MPS
    assert np.all((rec.t_s - tau > 4.0) & (rec.t_s - tau < 5.0))  # ~1.5 km at 340 m/s
    retarded = _wrap180(rec.bearing_deg - np.degrees(np.arctan2(e, n)))
    assert abs(retarded.mean()) < 0.6 and retarded.std() == pytest.approx(5.0, rel=0.1)
    lat, lon, alt = truth.at(rec.cause, rec.t_s, ("lat_deg", "lon_deg", "alt_m"))
    e, n, _ = enu_of(*site, lat, lon, alt)
    lag = _wrap180(rec.bearing_deg - np.degrees(np.arctan2(e, n))).mean()
    assert lag == pytest.approx(-np.degrees(45.0 / SPEED_OF_SOUND_MPS), abs=0.8)
    d = np.hypot(1_500.0, 100.0 - 6.0)
    slots = HOUR / 5.0
    assert len(rec) / slots == pytest.approx(0.9 * (1 - (d / 3_000.0) ** 2), abs=0.05)
    assert np.all((rec.rx_s - rec.t_s >= 1.0) & (rec.rx_s - rec.t_s <= 5.0))
    assert np.all(np.diff(np.sort(rec.t_s)) >= 5.0 - 1e-6)  # at most one report per 5 s


def test_acoustic_heard_only_nodes_and_false_alarms():
    node = one_node(sigma_bearing_deg=np.nan)
    rec = observe_acoustic(node, no_targets(), T0, T0 + 10 * HOUR, 3.0, np.random.default_rng(7))
    assert len(rec) == pytest.approx(30, abs=18) and np.all(rec.cause == -1)
    assert np.all(np.isnan(rec.bearing_deg))
    assert b"bearing_deg" not in detection_bytes(rec)


def test_acoustic_bearings_in_the_scenario_match_node_sigma():
    scn = small_scenario()
    rec, nodes = scn.records, scn.network.acoustic
    ok = (rec.kind == "acoustic") & (rec.cause >= 0) & np.isfinite(rec.bearing_deg)
    k = np.searchsorted(nodes.ids, rec.sensor[ok])
    z = _wrap180(rec.bearing_deg[ok] - rec.true_bearing_deg[ok]) / nodes.sigma_bearing_deg[k]
    assert ok.sum() > 100
    assert z.std() == pytest.approx(1.0, abs=0.12)


def test_sighting_delays_errors_and_counts():
    scn = small_scenario()
    rec = scn.records.take(scn.records.kind == "sighting")
    delay = rec.rx_s - rec.t_s
    assert len(rec) > 10 and delay.min() >= 20.0 and delay.max() <= 150.0
    assert np.all(rec.sigma_m == SMALL.sighting_sigma_m) and np.all(rec.count >= 1)
    assert (rec.cause < 0).any() and (rec.cause >= 0).any()
    d = report_delay_s(np.random.default_rng(8), 20_000)
    assert d.min() >= 20.0 and d.max() <= 150.0 and np.mean(d) == pytest.approx(64.5, abs=1.5)
    real = rec.cause >= 0
    e, n, _ = enu_of(
        rec.true_lat_deg[real],
        rec.true_lon_deg[real],
        GROUND_M,
        rec.lat_deg[real],
        rec.lon_deg[real],
        GROUND_M,
    )
    err = np.r_[e, n]
    assert np.sqrt(np.mean(err**2)) == pytest.approx(SMALL.sighting_sigma_m, rel=0.35)
