"""Manual alerts through Engine.manual: CAP like any alert, held until cancel or expiry."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tocsin.alert.cap import CAP_NS, CapSettings, validate_cap
from tocsin.alert.manual import ManualAlert, ManualBook, ManualOrder
from tocsin.engine import Engine, EngineSettings
from tocsin.messages import AlertChange
from tocsin.store import SqliteEventLog

NS = {"c": CAP_NS}
T0 = 1_764_018_000.0
CAP = CapSettings(sender="tocsin@belgorod.example", region_id="belgorod")


def _engine(region, tmp_path=None, status="Actual"):
    log = SqliteEventLog(tmp_path / "events.sqlite") if tmp_path else None
    return Engine(region, {}, CAP, EngineSettings(status=status, validate_cap=True), log)


def _alert(region, n=3, aid="M1", level="warning", exercise=False, expires_s=T0 + 600):
    zones = tuple(str(z) for z in region.zones.ids[:n])
    return ManualAlert(id=aid, level=level, zones=zones, template="attack_expected",
                       expires_s=expires_s, exercise=exercise, drafted_by="ann",
                       approved_by="bob")  # fmt: skip


def _tags(msg, *tags):
    root = ET.fromstring(msg.xml)
    return [root.findtext(f"c:{t}", "", NS) for t in tags]


def test_one_account_cannot_draft_and_approve(belgorod):
    with pytest.raises(ValueError, match="both draft and approve"):
        ManualAlert(id="M1", level="warning", zones=("z",), template="attack_expected",
                    expires_s=T0, exercise=False, drafted_by="ann", approved_by="ann")  # fmt: skip


def test_issue_then_cancel_gives_alert_then_cancel_referencing_it(belgorod, tmp_path):
    eng = _engine(belgorod, tmp_path)
    a = _alert(belgorod)
    r = eng.manual(T0, ManualOrder(action="issue", alert=a, by="bob"))
    assert [c.event for c in r.changes] == ["onset"] * 3
    assert all(c.cause == "manual" for c in r.changes)
    (msg,) = r.caps
    validate_cap(msg.xml)
    assert _tags(msg, "msgType", "status") == ["Alert", "Actual"]
    assert b"Civil defence reports" in msg.xml
    r2 = eng.manual(T0 + 30, ManualOrder(action="cancel", alert_id="M1",
                                         template="cancel_error", by="carl"))  # fmt: skip
    assert [c.event for c in r2.changes] == ["clear"] * 3
    assert {c.cause for c in r2.changes} == {"cancel"}
    (cancel,) = r2.caps
    validate_cap(cancel.xml)
    msg_type, refs = _tags(cancel, "msgType", "references")
    assert msg_type == "Cancel" and msg.identifier in refs
    assert b"sent in error" in cancel.xml
    assert eng.manual_alerts.alerts == {}
    kinds = [e.kind for e in eng.log.read()]
    assert kinds.count("manual_action") == 2 and kinds.count("cap_issued") == 2


def test_automatic_clears_never_end_a_manual_alert(belgorod):
    eng = _engine(belgorod)
    a = _alert(belgorod, n=2)
    eng.manual(T0, ManualOrder(action="issue", alert=a, by="bob"))
    auto = [AlertChange(t_s=T0 + 5, zone=z, event="clear", level="warning", cause="time",
                        exercise=False) for z in a.zones]  # fmt: skip
    other = AlertChange(t_s=T0 + 5, zone=str(belgorod.zones.ids[50]), event="clear",
                        level="warning", exercise=False)  # fmt: skip
    assert eng.manual_alerts.screen([*auto, other]) == [other]


def test_a_drill_among_live_alerts_is_an_exercise(belgorod):
    eng = _engine(belgorod, status="Actual")
    r = eng.manual(T0, ManualOrder(action="issue", alert=_alert(belgorod, exercise=True)))
    (msg,) = r.caps
    validate_cap(msg.xml)
    assert msg.status == "Exercise"
    assert b"EXERCISE" in msg.xml and b"Civil defence reports" in msg.xml
    live = AlertChange(t_s=T0, zone=r.changes[0].zone, event="clear", level="warning",
                       exercise=False)  # fmt: skip
    assert eng.manual_alerts.screen([live]) == [live]  # a drill never holds a live zone


def test_expiry_clears_and_correction_narrows(belgorod):
    eng = _engine(belgorod)
    eng.manual(T0, ManualOrder(action="issue", alert=_alert(belgorod, aid="M1")))
    eng.manual(T0, ManualOrder(action="issue", alert=_alert(belgorod, aid="M2", n=1,
                                                            expires_s=T0 + 60)))  # fmt: skip
    first = eng.manual_alerts.alerts["M1"].zones
    r = eng.manual(T0 + 10, ManualOrder(action="correct", alert_id="M1", template="wrong_area",
                                        keep=first[:2]))  # fmt: skip
    events = sorted((c.event, c.zone) for c in r.changes)
    assert events == sorted([("clear", first[2]), ("update", first[0]), ("update", first[1])])
    assert {m.msg_type for m in r.caps} == {"Update"}
    assert eng.manual_alerts.alerts["M1"].zones == first[:2]
    assert eng.manual_alerts.due(T0 + 59) == []
    r = eng.manual(T0 + 60, ManualOrder(action="expire"))
    # M2's zone is also M1's: it stays under alert
    assert r.changes == [] and list(eng.manual_alerts.alerts) == ["M1"]
    with pytest.raises(ValueError, match="some of the alert's own zones"):
        eng.manual(T0 + 61, ManualOrder(action="correct", alert_id="M1", template="wrong_area",
                                        keep=("nope",)))  # fmt: skip


def test_the_book_is_restored_from_its_stored_actions(belgorod, tmp_path):
    eng = _engine(belgorod, tmp_path)
    eng.manual(T0, ManualOrder(action="issue", alert=_alert(belgorod, aid="M1")))
    eng.manual(T0, ManualOrder(action="issue", alert=_alert(belgorod, aid="M2", n=1)))
    eng.manual(T0 + 1, ManualOrder(action="cancel", alert_id="M2", template="cancel_error"))
    book = ManualBook()
    n = book.restore(e.payload for e in eng.log.read(["manual_action"]))
    assert n == 1 and book.alerts["M1"].refs == eng.manual_alerts.alerts["M1"].refs
    assert np.all([z in book.alerts["M1"].zones for z in eng.manual_alerts.alerts["M1"].zones])
