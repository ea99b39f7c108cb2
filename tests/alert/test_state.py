import numpy as np

from tocsin.alert.state import AlertPolicy, ZoneAlerts

IDS = ["a", "b", "c"]


def run(alerts, seq):
    out = []
    prev = None
    for t, zone, eta in seq:
        threat = (np.array(zone, np.int64), np.array(eta, float), None)
        out += alerts.step(
            float(t),
            {"advisory": threat, "warning": threat},
            lambda z: ("T1",),
            previous_t_s=prev,
        )
        prev = float(t)
    return out


def test_warning_onset_hold_and_clear_without_flicker():
    a = ZoneAlerts(IDS, AlertPolicy(hold_s=30.0))
    seq = [(0, [0], [800.0]), (10, [0], [290.0])]
    seq += [(t, [0], [max(0.0, 290.0 - (t - 10))]) for t in range(11, 300)]
    # The ETA jitters around the horizon: still one onset only.
    seq += [(t, [0], [310.0 if t % 2 else 280.0]) for t in range(300, 320)]
    seq += [(t, [], []) for t in range(320, 500)]
    changes = run(a, seq)
    warn = [(c.event, c.t_s) for c in changes if c.level == "warning" and c.event != "update"]
    adv = [(c.event, c.t_s) for c in changes if c.level == "advisory" and c.event != "update"]
    assert warn == [("onset", 10.0), ("clear", 349.0)]
    assert adv == [("onset", 0.0), ("clear", 439.0)]  # advisories hold longer


def test_updates_are_rate_limited_and_carry_the_new_eta():
    a = ZoneAlerts(IDS, AlertPolicy(update_min_interval_s=60.0, update_eta_change_s=60.0))
    # Counting down as announced is no news; a departure from it is, at most once a minute.
    seq = [
        (0, [1], [250.0]),
        (5, [1], [100.0]),
        (70, [1], [20.0]),
        (80, [1], [0.0]),
        (100, [1], [150.0]),
        (140, [1], [150.0]),
        (150, [1], [140.0]),
    ]
    changes = [c for c in run(a, seq) if c.level == "warning"]
    assert [(c.event, c.t_s, c.eta_s) for c in changes] == [
        ("onset", 0.0, 250.0),
        ("update", 70.0, 20.0),
        ("update", 140.0, 150.0),
    ]
    assert changes[0].tracks == ("T1",) and changes[0].zone == "b"


def test_levels_are_independent():
    a = ZoneAlerts(IDS, AlertPolicy())
    changes = run(a, [(0, [2], [600.0])])
    assert [(c.level, c.event) for c in changes] == [("advisory", "onset")]
    assert list(a.active_zones("warning")) == [] and list(a.active_zones("advisory")) == [2]


def test_a_level_without_threats_clears():
    a = ZoneAlerts(IDS, AlertPolicy(hold_s=10.0))
    firm = (np.array([0]), np.array([100.0]), None)
    out = a.step(0.0, {"advisory": firm, "warning": firm}, lambda z: ())
    assert {(c.level, c.event) for c in out} == {("advisory", "onset"), ("warning", "onset")}
    out = a.step(20.0, {"advisory": firm}, lambda z: ())
    assert [(c.level, c.event, c.t_s) for c in out] == [("warning", "clear", 10.0)]


def test_a_threat_that_may_not_start_only_sustains():
    a = ZoneAlerts(IDS, AlertPolicy(hold_s=10.0))
    weak = (np.array([0, 1]), np.array([100.0, 100.0]), np.array([False, True]))
    out = a.step(0.0, {"warning": weak}, lambda z: ())
    assert [(c.zone, c.event) for c in out] == [("b", "onset")]
    out = a.step(
        5.0, {"warning": (np.array([1]), np.array([95.0]), np.array([False]))}, lambda z: ()
    )
    assert out == [] and list(a.active_zones("warning")) == [1]


def test_a_long_alert_is_renewed_before_its_message_expires():
    a = ZoneAlerts(IDS, AlertPolicy(renew_s=600.0))
    seq = [(t, [0], [0.0]) for t in range(0, 1300, 10)]
    changes = [c for c in run(a, seq) if c.level == "warning"]
    assert [(c.event, c.t_s) for c in changes] == [
        ("onset", 0.0),
        ("update", 600.0),
        ("update", 1200.0),
    ]
