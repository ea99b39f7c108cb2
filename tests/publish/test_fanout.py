"""The subscriber index and the fan-out to a push gateway."""

from __future__ import annotations

import numpy as np

from tocsin.publish.base import PushGateway, RecordingGateway
from tocsin.publish.fanout import FanOut, SubscriberIndex


def test_subscribers_come_back_zone_by_zone():
    idx = SubscriberIndex(5)
    first = idx.add_many(np.array([3, 1, 3, 0]))
    second = idx.add_many(np.array([1]))
    assert first.tolist() == [0, 1, 2, 3] and second.tolist() == [4]
    assert idx.subscribers([3]).tolist() == [0, 2]
    assert idx.subscribers([1, 0]).tolist() == [1, 4, 3]
    assert idx.subscribers([2]).tolist() == [] and idx.subscribers([]).tolist() == []
    assert idx.remove(2) and not idx.remove(2) and not idx.remove(99)
    assert idx.subscribers([3]).tolist() == [0]
    assert len(idx) == 5


def test_a_million_subscribers_fan_out_in_batches():
    rng = np.random.default_rng(1)
    n_zones = 5000
    idx = SubscriberIndex(n_zones)
    zones = rng.integers(0, n_zones, 1_000_000)
    idx.add_many(zones)
    gw = RecordingGateway()
    assert isinstance(gw, PushGateway)
    fan = FanOut(idx, gw, zone_of=int, batch=1000)
    onset = [{"zone": str(z), "event": "onset"} for z in range(100)]
    n = fan.fan_out(onset)
    assert n == int(np.isin(zones, np.arange(100)).sum()) == gw.delivered
    assert max(len(b.subscribers) for b in gw.batches) <= 1000
    got = np.concatenate([b.subscribers for b in gw.batches])
    assert np.array_equal(np.sort(got), np.flatnonzero(zones < 100))


def test_the_fan_out_thread_delivers_what_was_queued_before_it_stops():
    idx = SubscriberIndex(3)
    idx.add_many(np.array([0, 1, 2]))
    gw = RecordingGateway()
    fan = FanOut(idx, gw, zone_of=int)
    fan.start()
    for z in range(3):
        fan.submit([{"zone": str(z)}])
    fan.stop()
    assert gw.delivered == 3 and fan.dropped == 0
