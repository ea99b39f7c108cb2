import itertools

import numpy as np
import pytest

from tocsin.messages import Detection, Sensor
from tocsin.track import MultiSensorTracker, TrackerSettings
from tocsin.track.hearing import NodeReports
from tocsin.track.table import CONFIRMED, TENTATIVE

SENSORS = {
    "R1": Sensor(id="R1", kind="radar", x_m=0.0, y_m=0.0, range_max_m=60_000.0),
    "A1": Sensor(id="A1", kind="acoustic", x_m=20_000.0, y_m=0.0, range_max_m=3000.0),
    "A2": Sensor(id="A2", kind="acoustic", x_m=22_000.0, y_m=0.0, range_max_m=3000.0),
    "public": Sensor(id="public", kind="sighting"),
}


def plot(seq, t, x, y, sensor="R1", sigma=50.0, kind="radar", **kw):
    return Detection(
        seq=seq,
        sensor=sensor,
        kind=kind,
        t_s=t,
        rx_s=t + kw.pop("delay", 0.5),
        x_m=x,
        y_m=y,
        cov_xy=(sigma**2, 0.0, sigma**2),
        **kw,
    )


def run_straight(
    tracker, n_scans=10, period=4.0, noise=0.0, seed=0, start=(10_000.0, 5_000.0), v=(-40.0, 25.0)
):
    rng = np.random.default_rng(seed)
    confirmed = []
    for k in range(n_scans):
        t = 1000.0 + k * period
        x = start[0] + v[0] * (t - 1000.0) + rng.normal(0, noise)
        y = start[1] + v[1] * (t - 1000.0) + rng.normal(0, noise)
        confirmed += tracker.process([plot(k, t, x, y)])
        tracker.maintain(t + 1.0)
    return confirmed


@pytest.mark.parametrize("motion, tol_m, tol_mps", [("cv", 1.0, 0.2), ("imm", 3.0, 0.5)])
def test_single_target_without_noise_is_tracked_exactly(motion, tol_m, tol_mps):
    """Exactly with one constant-velocity model; with the IMM, exactly up to the
    mixing: the turning models keep a few per cent of the weight on a straight
    path and pull the estimate by under 2 m (0.04 sigma)."""
    tr = MultiSensorTracker(SENSORS, TrackerSettings(motion=motion))
    confirmed = run_straight(tr, n_scans=15, noise=0.0)
    assert [c.track for c in confirmed] == ["T1"]
    assert tr.table.n == 1 and tr.table.status[0] == CONFIRMED
    x, _ = tr.predicted(np.array([0]), 1000.0 + 14 * 4.0)
    assert np.allclose(x[0, :2], [10_000.0 - 40 * 56, 5_000.0 + 25 * 56], atol=tol_m)
    assert np.allclose(x[0, 3:5], [-40.0, 25.0], atol=tol_mps)
    if motion == "imm":
        assert tr.table.mu[0, 0] > 0.9  # it knows the drone flies straight


def test_two_tracks_confirm_and_stay_apart():
    tr = MultiSensorTracker(SENSORS)
    for k in range(10):
        t = 1000.0 + 4.0 * k
        dets = [
            plot(2 * k, t, 10_000 + 45 * 4 * k, 0.0),
            plot(2 * k + 1, t, 10_000 + 45 * 4 * k, 1500.0),
        ]
        tr.process(dets)
    assert tr.n_confirmed == 2
    x, _ = tr.predicted(tr.table.live(), 1036.0)
    assert sorted(np.round(x[:, 1], -2)) == [0.0, 1500.0]


def test_permuting_plots_within_a_batch_changes_nothing():
    rng = np.random.default_rng(3)
    scans = []
    for k in range(8):
        t = 1000.0 + 4.0 * k
        scans.append(
            [
                plot(
                    10 * k + j,
                    t,
                    5000.0 * j + 45 * 4 * k + rng.normal(0, 30),
                    2000.0 * j + rng.normal(0, 30),
                )
                for j in range(4)
            ]
        )
    results = []
    for perm in itertools.islice(itertools.permutations(range(4)), 0, 24, 5):
        tr = MultiSensorTracker(SENSORS)
        for scan in scans:
            tr.process([scan[p] for p in perm])
        results.append(tr.table.states[: tr.table.n].copy())
    for r in results[1:]:
        assert np.array_equal(r, results[0])


def test_sightings_alone_never_confirm():
    tr = MultiSensorTracker(SENSORS)
    for k in range(20):
        tr.process(
            [
                plot(
                    k,
                    1000.0 + 10 * k,
                    30_000.0,
                    30_000.0 + 400 * k,
                    sensor="public",
                    kind="sighting",
                    sigma=1500.0,
                    delay=60.0,
                )
            ]
        )
    assert tr.n_confirmed == 0 and (tr.table.status[: tr.table.n] == TENTATIVE).all()


def test_late_record_does_not_move_a_track_backwards():
    tr = MultiSensorTracker(SENSORS)
    run_straight(tr, n_scans=10)
    before = tr.table.states[0].copy()
    # A sighting of the same drone made 120 s ago arrives now.
    tr.process(
        [
            plot(
                99,
                1036.0 - 120.0,
                10_000 - 40 * (36 - 120),
                5_000 + 25 * (36 - 120),
                sensor="public",
                kind="sighting",
                sigma=1500.0,
                delay=120.0,
            )
        ]
    )
    assert np.array_equal(tr.table.states[0], before)


def test_silent_track_is_deleted_sooner_in_radar_cover():
    limits = {}
    far = {"R9": Sensor(id="R9", kind="radar", x_m=1e6, y_m=0.0, range_max_m=40_000.0)}
    for name, sensors, period in (
        ("radar", SENSORS, 4.0),
        ("radar_2s", RADAR_2S, 2.0),
        ("none", far, 4.0),
    ):
        tr = MultiSensorTracker(sensors, TrackerSettings(max_sigma_m=1e6))
        run_straight(tr, n_scans=10, period=period, v=(-10.0, 0.0))
        t = t0 = 1000.0 + 9 * period
        while not tr.maintain(t):
            t += 1.0
        limits[name] = t - t0
    s = TrackerSettings()  # R1 of SENSORS has no scan period registered
    assert abs(limits["radar"] - s.silence_radar_cover_scans * s.default_scan_period_s) <= 1.0
    assert abs(limits["radar_2s"] - s.silence_radar_cover_scans * 2.0) <= 1.0
    assert abs(limits["none"] - s.silence_uncovered_s) <= 1.0


def test_a_silent_node_ends_a_track_only_when_the_track_is_sure_to_be_in_its_range():
    """Over a node that does not hear it, a coasting track is dropped after the node
    limit while its one-sigma error is within node_cover_sigma_share of the node's
    range; once it is wider, the node's silence says little and the track coasts on."""
    far = Sensor(id="R9", kind="radar", x_m=1e6, y_m=0.0, range_max_m=40_000.0)
    node = Sensor(id="A5", kind="acoustic", x_m=8_140.0, y_m=5_000.0, range_max_m=3000.0)
    limits = {}
    for share in (1e9, 0.1):
        settings = TrackerSettings(max_sigma_m=1e6, node_cover_sigma_share=share)
        tr = MultiSensorTracker({"R9": far, "A5": node}, settings)
        run_straight(tr, n_scans=10, v=(-10.0, 0.0))
        t = 1036.0
        while not tr.maintain(t):
            t += 5.0
        limits[share] = t - 1036.0
    s = TrackerSettings()
    assert abs(limits[1e9] - s.silence_acoustic_cover_s) <= 5.0
    assert abs(limits[0.1] - s.silence_uncovered_s) <= 5.0


def test_two_acoustic_bearings_start_a_track_where_they_cross():
    tr = MultiSensorTracker(SENSORS)
    target = np.array([21_000.0, 1_500.0])
    dets = []
    for seq, (sid, node) in enumerate((("A1", (20_000.0, 0.0)), ("A2", (22_000.0, 0.0)))):
        b = np.degrees(np.arctan2(target[0] - node[0], target[1] - node[1])) % 360
        dets.append(
            Detection(
                seq=seq,
                sensor=sid,
                kind="acoustic",
                t_s=1000.0,
                rx_s=1002.0,
                x_m=node[0],
                y_m=node[1],
                cov_xy=(2.25e6, 0.0, 2.25e6),
                bearing_deg=b,
                bearing_grid_deg=b,
                sigma_bearing_deg=5.0,
                range_max_m=3000.0,
            )
        )
    tr.process(dets)
    assert tr.table.n == 1
    assert np.hypot(*(tr.table.states[0, :2] - target)) == pytest.approx(0.0, abs=1.0)


RADAR_2S = {"R1": Sensor(id="R1", kind="radar", x_m=0.0, y_m=0.0, range_max_m=60_000.0,
                         scan_period_s=2.0)}  # fmt: skip


def test_plots_in_consecutive_scans_confirm_and_plots_scans_apart_do_not():
    """Track-oriented scoring: three plots of a drone in three scans in a row are a
    drone; three plots on the same line with four empty scans between each are
    what clutter strung together looks like, and confirm nothing."""
    for gap_scans, want in ((1, 1), (5, 0)):
        tr = MultiSensorTracker(RADAR_2S)
        confirmed = []
        for k in range(3):
            t = 1000.0 + 2.0 * gap_scans * k
            x = 10_000.0 + 50.0 * (t - 1000.0)
            confirmed += tr.process([plot(k, t, x, 0.0)])
            tr.maintain(t)
        assert len(confirmed) == want


def test_a_new_track_takes_no_plot_farther_than_a_drone_can_fly():
    """Two drones of a formation 350 m apart, flying 50 m/s; the radar (2 s) sees only
    the first in its first scan and only the second in the next. The new track's
    gate (a standing start, 60 m/s on each axis) reaches the second drone's plot,
    175 m/s away; the velocity gate leaves it to start a track of its own. A plot
    of the first drone, 100 m on, is taken."""
    tr = MultiSensorTracker(RADAR_2S)
    tr.process([plot(0, 1000.0, 10_000.0, 0.0)])
    tr.process([plot(1, 1002.0, 10_100.0, 350.0)])
    tab = tr.table
    assert tab.n == 2 and [len(tab.evidence[k].hits) for k in range(2)] == [1, 1]
    tr.process([plot(2, 1004.0, 10_200.0, 0.0), plot(3, 1004.0, 10_200.0, 350.0)])
    assert tab.n == 2 and [len(tab.evidence[k].hits) for k in range(2)] == [2, 2]


def test_drones_flying_closer_than_their_plots_tell_apart_confirm_later():
    """Two drones 150 m apart, each plot 50 m off: each plot fits both new tracks
    within 3 sigma, so neither is confirmed on the usual three plots; both are,
    two scans later (TrackerSettings.contested_wait_hits). A drone alone is
    confirmed on three."""
    s = TrackerSettings()
    for ys, want in (([0.0, 150.0], s.confirm_min_hits + s.contested_wait_hits),
                     ([0.0], s.confirm_min_hits)):  # fmt: skip
        tr = MultiSensorTracker(RADAR_2S, s)
        seq, at = 0, None
        for k in range(8):
            t = 1000.0 + 2.0 * k
            x = 10_000.0 + 50.0 * (t - 1000.0)
            confirmed = tr.process([plot(seq + i, t, x, y) for i, y in enumerate(ys)])
            seq += len(ys)
            if confirmed and at is None:
                at = k + 1
                assert len(confirmed) == len(ys)
        assert at == want


@pytest.mark.parametrize(
    "motion, plots, far_m, added",
    [("cv", 10, 195.0, "old"), ("cv", 4, 240.0, "young"), ("imm", 4, 280.0, "young")],
)
def test_a_plot_far_out_tells_the_track_its_velocity_may_be_off(motion, plots, far_m, added):
    """Plots on a straight line settle a track's velocity; a plot far off the
    prediction (d² 9.5-13: about 1 in 100 of its own) adds surprise_var_v to the
    velocity's variance, or surprise_var_v_young to a track of only a few plots,
    whose velocity may rest on a neighbour's plot (with the IMM, in each of its
    models); one 100 m off adds nothing."""
    s = TrackerSettings(motion=motion)
    var_v = []
    for off in (100.0, far_m):
        tr = MultiSensorTracker(RADAR_2S, s)
        for k in range(plots):
            tr.process([plot(k, 1000.0 + 2.0 * k, 10_000.0 + 100.0 * k, 0.0)])
        tr.process([plot(plots, 1000.0 + 2.0 * plots, 10_000.0 + 100.0 * plots, off)])
        tab = tr.table
        var_v.append(tab.covs[0, 4, 4] if motion == "cv" else tab.model_covs[0, :, 4, 4])
    want = s.surprise_var_v if added == "old" else s.surprise_var_v_young
    added_var = np.asarray(var_v[1] - var_v[0])
    assert (0.9 * want < added_var).all() and (added_var < 1.1 * want).all()


def test_a_silent_copy_of_a_track_is_dropped_and_a_formation_is_not():
    tr = MultiSensorTracker(RADAR_2S)
    for k in range(12):  # two drones 500 m apart, side by side, both seen every scan
        t = 1000.0 + 2.0 * k
        x = 10_000.0 + 50.0 * (t - 1000.0)
        tr.process([plot(2 * k, t, x, 0.0), plot(2 * k + 1, t, x, 500.0)])
        tr.maintain(t)
    assert tr.n_confirmed == 2
    tab = tr.table
    # a third track on the first drone, silent for 20 s: a copy left behind
    k = tab.add(tab.states[0] - [1000.0, 0, 0, 0, 0, 0], tab.covs[0], 1002.0, "R1", "radar")
    tab.status[k] = CONFIRMED
    tab.evidence[k].hits *= 10
    events = tr.maintain(1022.0)
    assert [(e.track, e.reason) for e in events] == [(tab.ids[k], "shadowed")]
    assert tr.n_confirmed == 2


def test_a_formation_member_that_misses_scans_is_kept():
    """Two drones 150 m apart, both tracked for 30 s; then the radar misses one of them
    for 12 s. Its track is still the same statistically as its neighbour's, but both
    were fed at once: two drones, not a copy of one."""
    tr = MultiSensorTracker(RADAR_2S)
    seq = 0
    for k in range(24):
        t = 1000.0 + 2.0 * k
        x = 10_000.0 + 50.0 * (t - 1000.0)
        dets = [plot(seq, t, x, 0.0)] + ([plot(seq + 1, t, x, 150.0)] if not 15 <= k < 21 else [])
        seq += 2
        tr.process(dets)
        assert not tr.maintain(t)
    assert tr.n_confirmed == 2


def test_a_plot_either_of_two_drones_may_have_made_updates_neither():
    """Two drones 300 m apart side by side; one scan brings a single plot midway
    between them. Which drone the radar missed is a coin toss: neither track
    takes the plot, and it starts no track of its own."""
    tr = MultiSensorTracker(RADAR_2S)
    seq = 0
    for k in range(16):
        t = 1000.0 + 2.0 * k
        x = 10_000.0 + 50.0 * (t - 1000.0)
        dets = (
            [plot(seq, t, x, 0.0), plot(seq + 1, t, x, 300.0)]
            if k != 10
            else [plot(seq, t, x, 150.0)]
        )
        seq += 2
        tr.process(dets)
        tr.maintain(t)
        if k == 10:
            assert (tr.table.last_update_s[:2] < t).all()
    tab = tr.table
    assert tab.n == 2 and tr.n_confirmed == 2
    x, _ = tr.predicted(np.array([0, 1]), 1030.0)
    assert np.allclose(x[:, 1], [0.0, 300.0], atol=5.0)


def _sighting(seq, t, x, y, who):
    return plot(seq, t, x, y, sensor="public", kind="sighting", sigma=1500.0, delay=30.0,
                reporter=who)  # fmt: skip


def _heard(seq, t, node):
    s = SENSORS[node]
    return Detection(seq=seq, sensor=node, kind="acoustic", t_s=t, rx_s=t + 2.0, x_m=s.x_m,
                     y_m=s.y_m, cov_xy=(1500.0**2, 0.0, 1500.0**2), range_max_m=3000.0)  # fmt: skip


@pytest.mark.parametrize("people, want", [(["p1", "p2"], 1), (["p1", "p1", "p1", "p1"], 0)])
def test_independent_reporters_count_more_than_one_reporter_many_times(people, want):
    """One acoustic node (1.5) and two people who saw the drone confirm it; the same
    node and one person reporting four times do not."""
    tr = MultiSensorTracker(SENSORS)
    seq = 0
    for k, who in enumerate(people):
        tr.process([_sighting(seq, 1000.0 + 5 * k, 20_500.0, 200.0 * k, who)])
        seq += 1
    confirmed = []
    for k in range(3):
        confirmed += tr.process([_heard(seq, 1030.0 + 5 * k, "A1")])
        seq += 1
    assert len(confirmed) == want


def test_a_flood_from_one_reporter_is_throttled_and_moves_nothing():
    tr = MultiSensorTracker(SENSORS)
    run_straight(tr, n_scans=10)
    before = tr.table.states[: tr.table.n].copy()
    n_tracks = tr.table.n
    flood = [
        _sighting(100 + k, 1030.0 + 0.1 * k, 60_000.0, 60_000.0 + k, "troll") for k in range(200)
    ]
    tr.process(flood[:3])  # the first few of anyone's reports are taken ...
    after_first = tr.table.n
    tr.process(flood[3:])  # ... the rest are not
    assert tr.limiter.throttled == 197
    assert tr.table.n == after_first <= n_tracks + 3
    assert np.array_equal(tr.table.states[:n_tracks], before)


def test_the_imm_follows_a_turn_sooner_than_one_straight_model():
    """A drone turns 90° left at 4.5°/s; 20 s after the turn ends, the IMM's heading
    is closer to the truth than the constant-velocity filter's, and it has
    noticed the turn while it lasted."""
    errs, mu_turn = {}, 0.0
    for motion in ("cv", "imm"):
        tr = MultiSensorTracker(RADAR_2S, TrackerSettings(motion=motion))
        rng = np.random.default_rng(5)
        pos, v, w = np.array([10_000.0, 0.0]), 50.0, np.radians(4.5)
        heading, t = np.pi / 2, 1000.0  # east (math angle: 0 = east, counter-clockwise)
        for k in range(90):
            turning = 30 <= k < 40  # 20 s: 90°
            if turning:
                heading += w * 2.0
            pos = pos + 2.0 * v * np.array([np.cos(heading), np.sin(heading)])
            t += 2.0
            z = pos + rng.normal(0, 30.0, 2)
            tr.process([plot(k, t, z[0], z[1], sigma=30.0)])
            tr.maintain(t)
            if motion == "imm" and turning:
                mu_turn = max(mu_turn, float(tr.table.mu[0, 1]))
            if k == 49:
                x = tr.table.states[0]
                err = np.degrees(np.arctan2(x[4], x[3]) - heading)
                errs[motion] = abs((err + 180) % 360 - 180)
    assert errs["imm"] < errs["cv"], errs
    assert mu_turn > 0.5


NODES = {
    "R1": Sensor(id="R1", kind="radar", x_m=0.0, y_m=0.0, range_max_m=60_000.0,
                 scan_period_s=2.0),
    "A1": Sensor(id="A1", kind="acoustic", x_m=20_000.0, y_m=0.0, range_max_m=3000.0,
                 sigma_bearing_deg=8.0),
    "A3": Sensor(id="A3", kind="acoustic", x_m=80_000.0, y_m=0.0, range_max_m=3000.0),
}  # fmt: skip


def _bearing(seq, t, node, target, sigma_deg=8.0, noise_deg=0.0):
    s = NODES[node]
    b = (np.degrees(np.arctan2(target[0] - s.x_m, target[1] - s.y_m)) + noise_deg) % 360
    return Detection(seq=seq, sensor=node, kind="acoustic", t_s=t, rx_s=t + 2.0, x_m=s.x_m,
                     y_m=s.y_m, cov_xy=(1500.0**2, 0.0, 1500.0**2), range_max_m=3000.0,
                     bearing_deg=b, bearing_grid_deg=b, sigma_bearing_deg=sigma_deg)  # fmt: skip


def _heard_at(seq, t, node):
    s = NODES[node]
    return Detection(seq=seq, sensor=node, kind="acoustic", t_s=t, rx_s=t + 2.0, x_m=s.x_m,
                     y_m=s.y_m, cov_xy=(1500.0**2, 0.0, 1500.0**2), range_max_m=3000.0)  # fmt: skip


def test_a_drone_only_one_node_hears_is_confirmed_and_followed():
    """A drone that one node hears for a minute, and no other sensor: its bearings
    start a track, the node hearing it report after report confirms it, and the
    track follows the drone's bearing while the node hears it."""
    tr = MultiSensorTracker(NODES)
    rng = np.random.default_rng(2)
    confirmed, t = [], 1000.0
    for k in range(14):
        t = 1000.0 + 5.0 * k
        drone = np.array([18_500.0 + 45.0 * (t - 1000.0), 1_500.0])
        det = _bearing(k, t, "A1", drone, noise_deg=rng.normal(0.0, 8.0))
        confirmed += tr.process([det])
        tr.maintain(t + 2.0)
    assert len(confirmed) == 1
    k = tr.table.index_of(confirmed[0].track)
    assert tr.table.status[k] == CONFIRMED and tr.table.alive[k]
    x, _ = tr.predicted(np.array([k]), t)
    # One node gives the direction, not the distance: the track is on the bearing,
    # within hearing range.
    off, true_off = x[0, :2] - [20_000.0, 0.0], drone - [20_000.0, 0.0]
    turn = np.degrees(np.arctan2(off[0], off[1]) - np.arctan2(true_off[0], true_off[1]))
    assert abs(turn) < 10.0
    assert np.hypot(*off) < 1.2 * 3000.0


def test_three_bearings_of_one_node_are_not_enough():
    tr = MultiSensorTracker(NODES)
    confirmed = []
    for k in range(3):
        t = 1000.0 + 5.0 * k
        confirmed += tr.process([_bearing(k, t, "A1", (20_000.0 + 200.0 * k, 1_500.0))])
    assert confirmed == []


def _junk_confirmations(seed: int, period_s: float, minutes: float = 10.0) -> int:
    """Tracks confirmed while node A1 gives random bearings and nothing else reports."""
    tr = MultiSensorTracker(NODES)
    rng = np.random.default_rng(seed)
    confirmed = []
    for k in range(int(minutes * 60.0 / period_s)):
        t = 1000.0 + period_s * k
        b = float(rng.uniform(0.0, 360.0))
        det = Detection(seq=k, sensor="A1", kind="acoustic", t_s=t, rx_s=t + 2.0,
                        x_m=20_000.0, y_m=0.0, cov_xy=(1500.0**2, 0.0, 1500.0**2),
                        range_max_m=3000.0, bearing_deg=b, bearing_grid_deg=b,
                        sigma_bearing_deg=8.0)  # fmt: skip
        confirmed += tr.process([det])
        tr.maintain(t)
    return len(confirmed)


def test_a_flood_of_junk_bearings_confirms_nothing():
    """A node giving random bearings, one every second or one every report period,
    for ten minutes: tracks may start on them, none is confirmed."""
    for period_s in (1.0, 5.0):
        assert _junk_confirmations(7, period_s) == 0, period_s


def test_junk_bearings_seldom_look_like_a_drone(monkeypatch):
    """Over twenty ten-minute floods of random bearings, one every report period, a
    run of them now and then falls within a track's gate report after report, as a
    drone the node keeps hearing would. Their bearings do not turn steadily, and the
    rule that asks it of a node counting twice (track/hearing.py) confirms two such
    tracks (in one flood), where without it seven floods of the twenty confirm one."""
    with_rule = sum(_junk_confirmations(seed, 5.0) for seed in range(20))
    monkeypatch.setattr(NodeReports, "_smooth", lambda *a: True)
    without = sum(_junk_confirmations(seed, 5.0) for seed in range(20))
    assert with_rule <= 3 and without >= 6, (with_rule, without)


def test_a_node_counts_twice_only_on_bearings_that_turn_steadily():
    """The same five reports of one node over 20 s: bearings turning 2° a second,
    within their 8° errors, count as a node that kept hearing the drone; the same
    times with bearings scattered over 60° do not; "heard" reports (no bearing) do."""
    nodes = NodeReports()
    ts = [1000.0, 1005.0, 1010.0, 1015.0, 1020.0]
    for t in ts:
        nodes.log(_heard_at(0, t, "A1"))
    hits = [(t, "A1", "acoustic") for t in ts]
    rng = np.random.default_rng(3)
    steady = [(t, "A1", 40.0 + 2.0 * (t - 1000.0) + rng.normal(0.0, 8.0), 8.0) for t in ts]
    scattered = [(t, "A1", b, 8.0) for t, b in zip(ts, [40.0, 95.0, 52.0, 88.0, 35.0], strict=True)]
    assert nodes.persistent(hits, steady) == 1
    assert nodes.persistent(hits, scattered) == 0
    assert nodes.persistent(hits) == 1


def test_a_node_that_hears_a_radar_track_keeps_it_where_it_is():
    """Radar loses a confirmed drone as it passes a node that only says "heard": the
    reports keep the track alive and updated, and do not drag it to the node."""
    tr = MultiSensorTracker(NODES)
    v = np.array([50.0, 0.0])
    start = np.array([17_000.0, 1_000.0])
    for k in range(20):  # 40 s of radar
        t = 1000.0 + 2.0 * k
        p = start + v * (t - 1000.0)
        tr.process([plot(k, t, p[0], p[1], sigma=30.0)])
        tr.maintain(t)
    assert tr.n_confirmed == 1
    for k in range(12):  # then a minute heard by A1 only, every 5 s, at most 2.3 km away
        t = 1040.0 + 5.0 * k
        tr.process([_heard_at(100 + k, t, "A1")])
        tr.maintain(t + 1.0)
    assert tr.n_confirmed == 1 and tr.table.alive[0]
    assert tr.table.last_update_s[0] == 1095.0
    x, _ = tr.predicted(np.array([0]), 1095.0)
    truth = start + v * 95.0
    assert np.hypot(*(x[0, :2] - truth)) < 200.0
    assert np.hypot(*(x[0, 3:5] - v)) < 2.0


def test_a_track_only_one_node_heard_is_dropped_soon_after_it_falls_silent():
    """Confirmed by one node alone, a track has no velocity worth coasting on: once
    the node stops hearing it, it goes within the short limit of a tentative one."""
    tr = MultiSensorTracker(NODES)
    confirmed = []
    for k in range(12):
        t = 1000.0 + 5.0 * k
        confirmed += tr.process([_heard_at(k, t, "A3")])
        tr.maintain(t)
    assert len(confirmed) == 1
    limit = TrackerSettings().silence_tentative_s["acoustic"]
    assert tr.maintain(1055.0 + limit - 1.0) == []
    gone = tr.maintain(1055.0 + limit + 1.0)
    assert [(e.track, e.was_confirmed) for e in gone] == [(confirmed[0].track, True)]


def test_recent_sensors_drop_out_after_the_window_and_come_back_with_a_hit():
    s = TrackerSettings()
    tr = MultiSensorTracker(SENSORS, s)
    w = s.confirm_window_s
    tr.process([plot(1, 0.0, 1000.0, 0.0), plot(2, 0.5, 1010.0, 0.0, sensor="public",
                                                kind="sighting")])  # fmt: skip
    tr.process([plot(3, 10.0, 1450.0, 0.0)])
    k = int(tr.table.live()[0])
    for _ in range(2):  # the second time from what was kept
        assert tr.recent_sensors(k, 20.0) == ("R1", "public")
        assert tr.recent_sensors(k, 0.5 + w) == ("R1", "public")
        assert tr.recent_sensors(k, 1.0 + w) == ("R1",)  # the sighting fell out first
        assert tr.recent_sensors(k, 10.0 + w) == ("R1",)
    assert tr.recent_sensors(k, 10.0 + w + 0.5) == ()  # out of the window, nothing new
    tr.process([plot(4, 12.0 + w, 1450.0 + 45.0 * (2.0 + w), 0.0)])
    assert tr.recent_sensors(k, 13.0 + w) == ("R1",)
    assert tr.recent_sensors(k, 5.0) == ("R1", "public")  # an earlier time: worked out anew
