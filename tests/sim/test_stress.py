"""Stress cases of the warning policy: each preset does what its name says, against
the typical night with the same seed."""

from __future__ import annotations

import numpy as np
import pytest
from simcase import belgorod

from tocsin.sim.preset import settings_for
from tocsin.sim.raid import Raid, plan_raid
from tocsin.sim.scenario import Scenario, simulate

SEEDS = (1, 2, 3)


def _raid(preset: str, seed: int) -> Raid:
    s = settings_for(preset, seed=seed, drones=30, duration_min=60.0)
    return plan_raid(belgorod(), s, np.random.default_rng(seed))


def _turn_angles_deg(raid: Raid) -> np.ndarray:
    """Heading change at every turning waypoint of every route."""
    out = []
    for i in range(len(raid)):
        legs = np.diff(raid.waypoints_m[i, : raid.n_waypoints[i]], axis=0)
        heading = np.arctan2(legs[:, 0], legs[:, 1])
        out.append(np.abs((np.diff(heading) + np.pi) % (2 * np.pi) - np.pi))
    return np.degrees(np.concatenate(out))


@pytest.fixture(scope="module")
def nights() -> dict[str, Scenario]:
    """Short nights of 16 drones over Belgorod, one per preset, seed 7."""
    return {
        p: simulate("belgorod", settings_for(p, seed=7, drones=16, duration_min=60.0))
        for p in ("typical", "radar-outage", "late-sightings")
    }


def test_sharp_turns_turn_more_and_more_sharply():
    for seed in SEEDS:
        typical, sharp = _raid("typical", seed), _raid("sharp-turns", seed)
        turns_typical = (typical.n_waypoints - 2).mean()
        turns_sharp = (sharp.n_waypoints - 2).mean()
        assert turns_sharp >= 3.0 and turns_sharp >= 2.5 * turns_typical, seed
        angles_typical, angles_sharp = _turn_angles_deg(typical), _turn_angles_deg(sharp)
        assert angles_sharp.mean() > angles_typical.mean() + 10.0, seed
        assert np.mean(angles_sharp > 45.0) >= 0.5, seed
        assert sharp.waypoints_m.shape[1] == sharp.n_waypoints.max() <= 8


def test_groups_fly_most_drones_in_groups_of_two_to_six():
    for seed in SEEDS:
        raid = _raid("groups", seed)
        assert np.mean(raid.group_size >= 2) >= 0.75, seed
        assert np.mean(raid.group_size >= 2) > np.mean(_raid("typical", seed).group_size >= 2)
        assert raid.group_size.max() <= 6
        for g in np.unique(raid.group):  # members share the group's size and one leader
            members = raid.group == g
            assert members.sum() == raid.group_size[members][0]
            assert raid.leader[members].sum() == 1


def test_radar_outage_silences_the_main_radar_for_a_long_stretch(nights):
    scn = nights["radar-outage"]
    net, rec = scn.network, scn.records
    assert net.outage_radar == 0  # R1 stands by the largest town
    a, b = net.outage_s
    assert b - a >= 60 * 60.0 and a - scn.start_s <= 0.5 * 150 * 60.0
    r1 = rec.sensor == "R1"
    assert not (r1 & (rec.t_s >= a) & (rec.t_s < b)).any()
    others = (rec.kind == "radar") & ~r1 & (rec.t_s >= a) & (rec.t_s < b)
    assert others.sum() > 0  # the other radars go on
    typical = nights["typical"]  # the same raid and network, a short outage
    assert typical.network.outage_s[1] - typical.network.outage_s[0] <= 15 * 60.0
    seen = (typical.records.sensor == "R1") & (typical.records.cause >= 0)
    t = typical.records.t_s
    assert (seen & (t >= a) & (t < b)).sum() > 100  # what R1 misses in the long outage


def test_late_sightings_leave_only_late_public_reports(nights):
    late, typical = nights["late-sightings"], nights["typical"]
    rec = late.records
    real = rec.cause >= 0
    assert len(late.network.radars) == 0 and not late.network.neighbour
    assert not (rec.kind == "radar").any() and not (rec.kind == "position").any()
    assert len(late.network.acoustic) <= 0.05 * len(typical.network.acoustic)
    share = np.mean(rec.kind[real] == "sighting")
    share_typical = np.mean(typical.records.kind[typical.records.cause >= 0] == "sighting")
    assert share > 10 * share_typical
    # reported later and fewer: most drones are first heard of deep in the region, if at all
    seen = np.isfinite(late.first_rx_s)
    assert seen.mean() < np.isfinite(typical.first_rx_s).mean()
    wait_late = np.median(late.first_rx_s[seen] - late.raid.launch_s[seen])
    seen_t = np.isfinite(typical.first_rx_s)
    wait_typical = np.median(typical.first_rx_s[seen_t] - typical.raid.launch_s[seen_t])
    assert wait_late > wait_typical + 300.0


def test_stress_cases_fly_the_typical_raid_size():
    typical = settings_for("typical")
    for p in ("sharp-turns", "groups", "radar-outage", "late-sightings"):
        s = settings_for(p)
        assert (s.drones, s.waves, s.duration_min) == (
            typical.drones,
            typical.waves,
            typical.duration_min,
        )
    with pytest.raises(ValueError, match="turn p"):
        settings_for("typical", turn_p=(0.5, 0.6))
