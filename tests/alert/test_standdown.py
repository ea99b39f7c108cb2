"""A mistaken automatic alert cancelled through Engine.stand_down: one CAP Cancel referencing
it, its zones held down against the tracks then known, for the hold period only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tocsin.alert.cap import CAP_NS, CapSettings, validate_cap
from tocsin.alert.standdown import StandDownBook, StandDownOrder
from tocsin.engine import Engine, EngineSettings
from tocsin.store import SqliteEventLog

NS = {"c": CAP_NS}
T0 = 1_764_018_000.0
CAP = CapSettings(sender="tocsin@belgorod.example", region_id="belgorod")


def _engine(region, tmp_path, tracks: dict):
    """An engine whose threats are ``tracks[name] = zone indices`` (ETA 200 s, warning)."""
    log = SqliteEventLog(tmp_path / "events.sqlite")
    eng = Engine(region, {}, CAP, EngineSettings(status="Actual", validate_cap=True), log)

    def decide(t_s):
        zones = sorted({z for zs in tracks.values() for z in zs})
        z = np.array(zones, np.int64)
        eta = np.full(len(z), 200.0)
        threats = {"warning": (z, eta, None), "advisory": (z, eta, None)}
        names = lambda i: tuple(sorted(k for k, zs in tracks.items() if i in zs))  # noqa: E731
        return eng.alerts.step(t_s, threats, names, previous_t_s=eng._prev_t)

    eng._assess_and_decide = decide
    eng.live_tracks = lambda: set(tracks)
    return eng


def _order(region, n=2, hold_s=600.0):
    zones = tuple(str(z) for z in region.zones.ids[:n])
    return StandDownOrder(level="warning", zones=zones, template="cancel_error",
                          hold_s=hold_s, by="ann")  # fmt: skip


def test_a_cancel_references_the_alert_and_the_same_track_does_not_reissue_it(belgorod, tmp_path):
    tracks = {"T1": [0, 1]}
    eng = _engine(belgorod, tmp_path, tracks)
    onset = eng.step(T0, [])
    (alert,) = [m for m in onset.caps if b"<msgType>Alert" in m.xml and b"Shelter" in m.xml]
    r = eng.stand_down(T0 + 20, _order(belgorod))
    assert [(c.event, c.cause, c.level) for c in r.changes] == [("clear", "cancel", "warning")] * 2
    (cancel,) = r.caps
    validate_cap(cancel.xml)
    root = ET.fromstring(cancel.xml)
    assert root.findtext("c:msgType", "", NS) == "Cancel"
    assert alert.identifier in root.findtext("c:references", "", NS)
    assert b"sent in error" in cancel.xml
    (p,) = [e.payload for e in eng.log.read(["manual_action"])]
    assert p["action"] == "stand_down" and p["by"] == "ann" and p["known"] == ["T1"]
    assert p["caps"] == [cancel.identifier]

    for t in range(30, 600, 10):  # the false track goes on: no warning for those zones
        assert [c for c in eng.step(T0 + t, []).changes if c.level == "warning"] == []
    assert eng.alerts.active_zones("warning").tolist() == []
    again = eng.step(T0 + 630, []).changes  # the hold is over: the threat alerts again
    assert sorted(c.zone for c in again if c.level == "warning" and c.event == "onset") == sorted(
        _order(belgorod).zones
    )


def test_a_new_track_ends_the_stand_down_of_the_zones_it_threatens(belgorod, tmp_path):
    tracks = {"T1": [0, 1]}
    eng = _engine(belgorod, tmp_path, tracks)
    eng.step(T0, [])
    eng.stand_down(T0 + 20, _order(belgorod))
    assert eng.step(T0 + 30, []).changes == []
    tracks["T9"] = [1]
    onsets = [c for c in eng.step(T0 + 40, []).changes if c.level == "warning"]
    assert [(c.zone, c.event, c.tracks) for c in onsets] == [
        (str(belgorod.zones.ids[1]), "onset", ("T1", "T9"))
    ]
    assert list(eng.stand_downs.held) == [(str(belgorod.zones.ids[0]), "warning")]


def test_only_zones_under_an_automatic_alert_are_cancelled(belgorod, tmp_path):
    eng = _engine(belgorod, tmp_path, {"T1": [0]})
    eng.step(T0, [])
    with pytest.raises(ValueError, match="no automatic warning is in force"):
        eng.stand_down(T0 + 5, _order(belgorod, n=2))
    assert list(eng.log.read(["manual_action"])) == []  # nothing stored
    with pytest.raises(ValueError, match="hold period"):
        _order(belgorod, hold_s=5.0)
    with pytest.raises(ValueError, match="'template'"):
        StandDownOrder(level="warning", zones=("z",), template="attack_expected")


def test_stand_downs_are_restored_from_their_stored_actions(belgorod, tmp_path):
    eng = _engine(belgorod, tmp_path, {"T1": [0, 1]})
    eng.step(T0, [])
    eng.stand_down(T0 + 20, _order(belgorod))
    book = StandDownBook()
    payloads = [e.payload for e in eng.log.read(["manual_action"])]
    assert book.restore(payloads, now_s=T0 + 60) == 2
    assert book.held == eng.stand_downs.held
    assert StandDownBook().restore(payloads, now_s=T0 + 620) == 0
