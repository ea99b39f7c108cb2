"""Raids: waves, groups, entry points, routes, speeds, altitudes and turns as asked."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from simcase import GROUND_M, belgorod

from tocsin.sim.fly import fly
from tocsin.sim.preset import PRESETS, settings_for
from tocsin.sim.raid import area_xy, plan_raid


@pytest.fixture(scope="module")
def flown():
    region = belgorod()
    s = settings_for(
        "typical", drones=60, waves=3, directions=3, duration_min=240.0, jet_share=0.2, seed=11
    )
    raid = plan_raid(region, s, np.random.default_rng(11))
    return region, s, raid, fly(raid, region, s.ground_alt_m, s.end_s)


def test_presets_are_valid_and_sized_as_asked():
    sizes = {name: settings_for(name).drones for name in PRESETS}
    assert sizes["quiet"] <= 6 and 20 <= sizes["typical"] <= 60 and sizes["mass-raid"] >= 500
    assert settings_for("sparse-sensors").radars <= 2
    sparse, typical = settings_for("sparse-sensors"), settings_for("typical")
    assert sparse.acoustic_density < typical.acoustic_density
    assert settings_for("typical", drones=None).drones == sizes["typical"]
    with pytest.raises(ValueError, match="drones"):
        settings_for("typical", drones=1001)
    with pytest.raises(ValueError, match="unknown"):
        settings_for("typical", dragons=3)


def test_waves_groups_and_roles(flown):
    region, s, raid, _ = flown
    assert len(raid) == 60 and set(raid.wave) == {0, 1, 2}
    assert len(np.unique(np.round(raid.entry_az_deg / 30.0))) >= 3  # several directions
    sizes = raid.group_size[raid.leader]
    assert sizes.min() >= 1 and sizes.max() <= 6 and (sizes > 1).any()
    for g in np.unique(raid.group):
        m = raid.group == g
        assert np.ptp(raid.launch_s[m]) <= 60 and np.ptp(raid.speed_mps[m]) == 0
        assert len(set(raid.dest[m])) == 1
    strike = raid.dest >= 0
    assert 0 < strike.sum() < len(raid)
    assert np.all(region.settlements.zone[raid.dest[strike]] >= 0)
    pops = region.settlements.population[raid.dest[strike]]
    assert np.median(pops) > np.median(region.settlements.population)  # by population


def test_entry_points_lie_20_to_60_km_outside(flown):
    region, _, raid, truth = flown
    area = area_xy(region)
    first = truth.first[truth.count > 0]
    gap = shapely.distance(area, shapely.points(truth.x_m[first], truth.y_m[first]))
    assert gap.min() >= 19_500.0 and gap.max() <= 60_500.0


def test_speeds_altitudes_and_turn_rates(flown):
    _, s, raid, truth = flown
    jet = raid.jet
    assert np.all((raid.speed_mps[~jet] >= 40) & (raid.speed_mps[~jet] <= 55))
    assert jet.any() and np.all((raid.speed_mps[jet] >= 90) & (raid.speed_mps[jet] <= 120))
    same = np.diff(truth.target) == 0
    dx, dy = np.diff(truth.x_m), np.diff(truth.y_m)
    step, v = np.hypot(dx, dy), raid.speed_mps[truth.target[1:]]
    assert np.all(step[same] <= v[same] + 1e-6) and np.median(step[same] / v[same]) > 0.999
    full = same & (np.abs(step - v) < 1e-6)  # every whole step but the last one of a flight
    heading = np.arctan2(dx, dy)
    turn = np.degrees(np.abs((np.diff(heading) + np.pi) % (2 * np.pi) - np.pi))
    turn = turn[full[:-1] & full[1:]]
    max_rate = np.degrees(9.81 * np.tan(np.radians(30.0)) / 40.0)  # steepest bank, slowest
    assert turn.max() <= max_rate + 0.01 and (turn > 1.0).sum() > 100  # real turns, no jumps
    agl = truth.alt_m - GROUND_M
    cruising = ~truth.impact[truth.target] | (truth.t_s < truth.t1_s[truth.target] - 120)
    assert agl[cruising].min() >= 49.0 and agl.max() <= 4000.0
    assert np.median(agl) < 500.0  # most fly low


def test_strikers_end_on_their_settlement_and_transits_leave(flown):
    region, s, raid, truth = flown
    sett = region.settlements
    last = truth.first + truth.count - 1
    done = truth.impact
    assert done.sum() >= 10
    d = np.hypot(
        truth.x_m[last[done]] - sett.x_m[raid.dest[done]],
        truth.y_m[last[done]] - sett.y_m[raid.dest[done]],
    )
    assert d.max() < 500.0  # members aim a few hundred metres apart
    assert np.all(truth.alt_m[last[done]] == GROUND_M)
    left = (raid.dest < 0) & (truth.t1_s < s.end_s)
    assert left.any()
    outside = ~region.contains(truth.lat_deg[last[left]], truth.lon_deg[last[left]])
    assert outside.all()
    assert all(
        region.contains(
            truth.lat_deg[truth.first[i] : last[i] + 1], truth.lon_deg[truth.first[i] : last[i] + 1]
        ).any()
        for i in np.flatnonzero(left)
    )  # they crossed the region
