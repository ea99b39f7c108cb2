import numpy as np
import pytest
from test_tracker import plot

from tocsin.messages import Sensor
from tocsin.track import MultiSensorTracker, TrackerSettings
from tocsin.track.trails import Trails

RADAR = {
    "R1": Sensor(id="R1", kind="radar", x_m=0.0, y_m=0.0, range_max_m=60_000.0, scan_period_s=2.0)
}
VAR = 50.0**2


def feed(trails: Trails, rows, times, xy) -> None:
    """Plots xy (scans, tracks, 2) at times, one per scan for each of rows."""
    rows = np.asarray(rows)
    R = np.tile(np.eye(2) * VAR, (len(rows), 1, 1))
    for k, t in enumerate(times):
        at = np.full(len(rows), t)
        if k == 0:
            trails.start(rows, at, xy[k], R)
        else:
            trails.add(rows, at, xy[k], R)


def two_drones(n_scans: int, crossed_from: int | None):
    """Two drones 300 m apart flying north at 45 m/s, and the plots their tracks took:
    from scan crossed_from on, each the other's."""
    t = 1000.0 + 2.0 * np.arange(n_scans)
    a = np.stack([np.full(n_scans, 20_000.0), 10_000.0 + 45.0 * (t - 1000.0)], axis=1)
    b = a + [300.0, 0.0]
    xy = np.stack([a, b], axis=1)
    if crossed_from is not None:
        xy[crossed_from:] = xy[crossed_from:, ::-1]
    return t, xy


@pytest.mark.parametrize("crossed_from", [1, 2, 3])
def test_tracks_that_took_each_others_plots_trade_them_back(crossed_from):
    trails = Trails(length=8)
    t, xy = two_drones(5, crossed_from)
    feed(trails, [0, 1], t, xy)
    out = trails.exchanges(np.array([0, 1]), t[-1], 1500.0, 6.0, 4, 130.0)
    assert [(a, b) for a, b, *_ in out] == [(0, 1)]
    # Each keeps its latest plots (where it is now) and takes the other's earlier ones.
    assert np.allclose(trails.plots[0, :5, 1], 20_300.0)
    assert np.allclose(trails.plots[1, :5, 1], 20_000.0)
    _, _, xa, Pa, xb, _ = out[0]
    assert np.allclose(xa, [20_300.0, xy[-1, 0, 1], 0.0, 45.0], atol=1e-6)
    assert np.allclose(xb[2:], [0.0, 45.0], atol=1e-6)
    assert np.allclose(Pa, Pa.T) and np.all(np.linalg.eigvalsh(Pa) > 0)


def test_straight_tracks_trade_nothing():
    trails = Trails(length=8)
    t, xy = two_drones(6, None)
    rng = np.random.default_rng(1)
    feed(trails, [0, 1], t, xy + rng.normal(0.0, 50.0, xy.shape))
    assert trails.exchanges(np.array([0, 1]), t[-1], 1500.0, 6.0, 4, 130.0) == []


def test_no_trade_makes_a_track_fly_faster_than_a_drone():
    """Drones in echelon 350 m apart: a plot of each in turn, a scan apart, lies on a
    straight line too, at about 175 m/s. Over random mix-ups of three echelon
    tracks' plots, some trades would make such a line; none is made."""
    rng = np.random.default_rng(3)
    u, side = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    step = 350.0 * (0.6 * side - 0.8 * u)
    t = 1000.0 + 2.0 * np.arange(5)
    truth = (45.0 * (t - 1000.0))[:, None, None] * u + np.arange(3)[None, :, None] * step
    fast = {np.inf: 0, 130.0: 0}
    for _ in range(200):
        xy = truth + rng.normal(0.0, 50.0, truth.shape)
        for k in range(1, 5):
            if rng.random() < 0.4:  # two tracks take each other's plots from here on
                i, j = rng.choice(3, 2, replace=False)
                xy[k:, [i, j]] = xy[k:, [j, i]]
        for limit in fast:
            trails = Trails(length=8)
            feed(trails, [0, 1, 2], t, xy)
            for _, _, xa, _, xb, _ in trails.exchanges(np.arange(3), t[-1], 1500.0, 6.0, 4, limit):
                fast[limit] += max(np.hypot(*xa[2:]), np.hypot(*xb[2:])) > 130.0
    assert fast[np.inf] > 0 and fast[130.0] == 0


def test_a_track_past_its_youth_keeps_no_trail():
    trails = Trails(length=3)
    t, xy = two_drones(4, None)
    feed(trails, [0], t, xy[:, :1])
    assert trails.n[0] == -1
    trails.start(np.array([1]), t[:1], xy[0, 1:], np.eye(2)[None] * VAR)
    trails.stop(np.array([1]))
    assert trails.n[1] == -1


@pytest.mark.parametrize("motion", ["cv", "imm"])
def test_tracker_mends_an_early_mistake_in_a_formation(motion):
    """At the second scan both plots lie 100 m towards the other drone (2 sigma):
    each new track gets a velocity 50 m/s across, and the third scan's assignment
    crosses them. With trading, each track ends up with one drone's plots and its
    velocity; without, each holds plots of both, and with the constant-velocity
    model keeps 17 m/s of its neighbour's offset."""
    errs = {}
    for cost in (0.0, 6.0):
        tr = MultiSensorTracker(RADAR, TrackerSettings(motion=motion, trail_exchange_cost=cost))
        for k in range(8):
            t = 1000.0 + 2.0 * k
            a = np.array([20_000.0, 10_000.0 + 90.0 * k])
            b = a + [300.0, 0.0]
            if k == 1:
                a, b = a + [100.0, 0.0], b - [100.0, 0.0]
            tr.process([plot(2 * k, t, *a), plot(2 * k + 1, t, *b)])
            tr.maintain(t)
        live = tr.table.live()
        assert len(live) == 2
        errs[cost] = np.abs(tr.table.states[live][:, 3]).max()
        spread = [np.ptp(tr.trails.plots[k, : tr.trails.n[k], 1]) for k in live.tolist()]
        if cost:
            assert max(spread) <= 100.0  # one drone's plots each
        else:
            assert min(spread) >= 200.0  # two drones' each
    assert errs[6.0] < 5.0
    if motion == "cv":  # the IMM's turning models take most of the offset out in time
        assert errs[0.0] > 10.0
