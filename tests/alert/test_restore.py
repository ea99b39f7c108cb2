"""Resuming the zone alert state from stored decisions."""

from __future__ import annotations

import numpy as np

from tocsin.alert.restore import restore_alerts
from tocsin.alert.state import ZoneAlerts
from tocsin.messages import AlertChange


def _change(t, zone, event, level="warning", eta=120.0):
    return AlertChange(t_s=t, zone=zone, event=event, level=level,
                       eta_s=None if event == "clear" else eta)  # fmt: skip


def test_alerts_in_force_resume_and_cleared_ones_stay_clear():
    za = ZoneAlerts(np.array(["a", "b", "c"], dtype=object))
    stored = [
        _change(10, "a", "onset"),
        _change(10, "b", "onset"),
        _change(10, "b", "onset", level="advisory"),
        _change(50, "b", "clear"),
        _change(70, "a", "update", eta=60.0),
        _change(80, "zz", "onset"),  # not a zone of this region
    ]
    assert restore_alerts(za, stored, now_s=100.0) == 2
    assert za.active_zones("warning").tolist() == [0]
    assert za.active_zones("advisory").tolist() == [1]
    w = za.levels["warning"]
    assert (w.announced_s[0], w.last_eta_s[0]) == (70.0, 60.0)


def test_a_pending_all_clear_is_given_after_the_restart_if_no_threat_returns():
    za = ZoneAlerts(np.array(["a"], dtype=object))
    restore_alerts(za, [_change(10, "a", "onset")], now_s=1000.0)
    hold = za.policy.hold_s
    none = {}
    assert za.step(1000.0 + hold - 1, none, lambda z: ()) == []
    (clear,) = za.step(1000.0 + hold, none, lambda z: ())
    assert (clear.zone, clear.event, clear.t_s) == ("a", "clear", 1000.0 + hold)
    assert za.active_zones("warning").size == 0


def test_a_threat_still_there_keeps_the_alert_without_a_new_onset():
    za = ZoneAlerts(np.array(["a"], dtype=object))
    restore_alerts(za, [_change(990, "a", "onset", eta=100.0)], now_s=1000.0)
    threats = {"warning": (np.array([0]), np.array([90.0]), None)}
    assert za.step(1001.0, threats, lambda z: ("T1",)) == []
    assert za.active_zones("warning").tolist() == [0]
