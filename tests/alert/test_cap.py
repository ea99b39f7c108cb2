"""CAP 1.2 encoding (spec §7): schema validity, times, references, areas, drill marking."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.alert import text
from tocsin.alert.cap import CAP_NS, CapSettings, changes_to_cap, validate_cap
from tocsin.errors import AlertError
from tocsin.geo import load_region
from tocsin.messages import AlertChange

NS = {"cap": CAP_NS}
T0 = 1764018190.75  # 2025-11-24T21:03:10.750Z
CAP_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
SETTINGS = CapSettings(sender="tocsin@belgorod.example", region_id="belgorod")
REF = ("tocsin@belgorod.example", "urn:tocsin:belgorod:0", "2025-11-24T21:00:00+00:00")
DRILL_WORDS = ("EXERCISE", "DRILL", "УЧЕНИЯ", "ТРЕНИРОВКА", "учения")
REAL_CLAIMS = ("not a drill", "not an exercise", "this is real", "не учения", "не тренировка")


@pytest.fixture(scope="module")
def region():
    return load_region("belgorod")


def group(region, n=3, *, level="warning", event="onset", etas=None, exercise=True, start=0):
    etas = etas if etas is not None else [300.0 + 60 * k for k in range(n)]
    return [
        AlertChange(
            t_s=T0,
            zone=str(region.zones.ids[start + k]),
            event=event,
            level=level,
            eta_s=None if event == "clear" else etas[k],
            tracks=(f"T{k % 2}",),
            exercise=exercise,
        )
        for k in range(n)
    ]


def encode(region, changes, **kw):
    kw.setdefault("seq", 7)
    if changes and (changes[0].event != "onset" or kw.get("msg_type") == "Cancel"):
        kw.setdefault("references", [REF])
    return changes_to_cap(changes, region=region, settings=SETTINGS, **kw)


def parse(msg):
    return ET.fromstring(msg.xml)


def infos(root):
    return root.findall("cap:info", NS)


def texts(info):
    return [
        info.findtext(f"cap:{tag}", namespaces=NS)
        for tag in ("headline", "description", "instruction")
    ]


def param(info, name):
    for p in info.findall("cap:parameter", NS):
        if p.findtext("cap:valueName", namespaces=NS) == name:
            return p.findtext("cap:value", namespaces=NS)
    return None


@pytest.mark.parametrize(
    ("level", "event", "status", "msg_type"),
    [
        (lv, ev, st_, None)
        for lv, ev, st_ in itertools.product(
            ("warning", "advisory"), ("onset", "update", "clear"), ("Actual", "Exercise", "Test")
        )
    ]
    + [
        (lv, "clear", st_, "Cancel")
        for lv in ("warning", "advisory")
        for st_ in ("Actual", "Exercise")
    ],
)
def test_every_combination_is_schema_valid(region, level, event, status, msg_type):
    changes = group(region, level=level, event=event, exercise=status != "Actual")
    msg = encode(region, changes, status=status, msg_type=msg_type)
    validate_cap(msg.xml)
    root = parse(msg)
    expected_type = msg_type or ("Alert" if event == "onset" else "Update")
    assert msg.msg_type == root.findtext("cap:msgType", namespaces=NS) == expected_type
    assert root.findtext("cap:status", namespaces=NS) == msg.status == status
    assert root.findtext("cap:scope", namespaces=NS) == "Public"
    assert [i.findtext("cap:language", namespaces=NS) for i in infos(root)] == ["ru-RU", "en-US"]
    assert msg.xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert (msg.level, msg.event, msg.zone_ids) == (level, event, tuple(c.zone for c in changes))


@st.composite
def alert_groups(draw, zone_ids):
    """A group of changes sharing t, level and event, with a status and msg_type to send it."""
    zones = draw(st.lists(st.sampled_from(zone_ids), min_size=1, max_size=12, unique=True))
    level = draw(st.sampled_from(("warning", "advisory")))
    event = draw(st.sampled_from(("onset", "update", "clear")))
    status = draw(st.sampled_from(("Actual", "Exercise", "Test")))
    t_s = draw(st.floats(1.6e9, 2.0e9))
    eta = st.none() | st.just(0.0) | st.floats(0.0, 7200.0)
    tracks = st.lists(st.sampled_from([f"T{k}" for k in range(20)]), max_size=4)
    changes = [
        AlertChange(
            t_s=t_s,
            zone=z,
            event=event,
            level=level,
            eta_s=draw(eta),
            tracks=tuple(draw(tracks)),
            exercise=status != "Actual",
        )
        for z in zones
    ]
    cancel = event == "clear" and draw(st.booleans())
    return changes, status, "Cancel" if cancel else None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_groups_give_valid_cap(region, data):
    changes, status, msg_type = data.draw(alert_groups([str(z) for z in region.zones.ids]))
    seq = data.draw(st.integers(1, 10**9))  # REF is message 0
    msg = encode(region, changes, seq=seq, status=status, msg_type=msg_type)
    validate_cap(msg.xml)
    root = parse(msg)
    etas = [c.eta_s for c in changes if c.eta_s is not None]
    n_tracks = len({t for c in changes for t in c.tracks})
    for info in infos(root):
        assert len(info.findall("cap:area", NS)) == len(changes)
        assert param(info, "ETA_S") == (str(math.floor(min(etas))) if etas else None)
        assert param(info, "TRACKS") == str(n_tracks)
    assert msg.identifier == f"urn:tocsin:belgorod:{seq}"
    assert CAP_TIME.fullmatch(msg.sent)


def test_times_are_whole_seconds_with_offset(region):
    msg = encode(region, group(region))
    root = parse(msg)
    sent = root.findtext("cap:sent", namespaces=NS)
    assert sent == msg.sent == "2025-11-24T21:03:10+00:00"
    for info in infos(root):
        expires = info.findtext("cap:expires", namespaces=NS)
        assert CAP_TIME.fullmatch(expires)
        assert expires == "2025-11-24T21:33:10+00:00"  # sent + 1800 s
    assert b"Z<" not in msg.xml and b".750" not in msg.xml


def test_identifiers_are_unique_per_seq(region):
    ids = {encode(region, group(region, 1), seq=seq).identifier for seq in range(200)}
    assert len(ids) == 200
    assert "urn:tocsin:belgorod:41" in ids


@pytest.mark.parametrize(
    ("event", "msg_type"),
    [
        ("update", None),
        ("clear", None),
        ("clear", "Cancel"),
        ("onset", "Cancel"),
        ("onset", "Update"),
    ],
)
def test_update_and_cancel_need_references(region, event, msg_type):
    with pytest.raises(AlertError, match="references"):
        changes_to_cap(
            group(region, event=event), seq=1, region=region, settings=SETTINGS, msg_type=msg_type
        )


def test_references_are_sender_identifier_sent_triples(region):
    ref2 = (REF[0], "urn:tocsin:belgorod:3", "2025-11-24T21:01:00+00:00")
    msg = encode(region, group(region, event="update"), references=[REF, ref2])
    assert parse(msg).findtext("cap:references", namespaces=NS) == (
        "tocsin@belgorod.example,urn:tocsin:belgorod:0,2025-11-24T21:00:00+00:00 "
        "tocsin@belgorod.example,urn:tocsin:belgorod:3,2025-11-24T21:01:00+00:00"
    )
    for bad in [
        (REF[0], "a b", REF[2]),
        (REF[0], REF[1], "2025-11-24T21:00:00Z"),
        (REF[0], "urn:tocsin:belgorod:7", REF[2]),
    ]:
        with pytest.raises(AlertError):
            encode(region, group(region, event="update"), references=[bad])


def test_areas_carry_closed_hexagon_and_h3_geocode(region):
    named = next(
        i for i in range(len(region.zones)) if region.zones.names[i] != region.zones.ids[i]
    )
    changes = group(region, 2) + group(region, 1, start=named)
    msg = encode(region, changes)
    for info in infos(parse(msg)):
        areas = info.findall("cap:area", NS)
        assert len(areas) == 3
        for area, change in zip(areas, changes, strict=True):
            i = int(region.zones.index([change.zone])[0])
            pts = [
                tuple(map(float, p.split(",")))
                for p in area.findtext("cap:polygon", namespaces=NS).split()
            ]
            assert len(pts) == 7 and pts[0] == pts[-1]
            for (lat, lon), (blat, blon) in zip(pts, region.zones.boundary(i), strict=True):
                assert abs(lat - blat) < 1e-6 and abs(lon - blon) < 1e-6
            code = area.find("cap:geocode", NS)
            assert code.findtext("cap:valueName", namespaces=NS) == "H3"
            assert code.findtext("cap:value", namespaces=NS) == change.zone
        assert areas[2].findtext("cap:areaDesc", namespaces=NS) == region.zones.names[named]
        assert areas[0].findtext("cap:areaDesc", namespaces=NS) == changes[0].zone


@pytest.mark.parametrize(
    ("level", "event"), [("warning", "onset"), ("advisory", "update"), ("warning", "clear")]
)
def test_exercise_is_marked_in_every_language(region, level, event):
    root = parse(encode(region, group(region, level=level, event=event), status="Exercise"))
    for info in infos(root):
        lang = text.language_key(info.findtext("cap:language", namespaces=NS))
        marker = text.MARKERS["Exercise"][lang]
        assert all(t.startswith(marker) for t in texts(info))
        assert "(" in info.findtext("cap:event", namespaces=NS)  # "(exercise)" / "(учения)"
    note = root.findtext("cap:note", namespaces=NS)
    assert all(m in note for m in text.MARKERS["Exercise"].values())


@pytest.mark.parametrize(
    ("level", "event"),
    [("warning", "onset"), ("advisory", "onset"), ("warning", "clear"), ("advisory", "update")],
)
def test_actual_is_never_marked_as_drill(region, level, event):
    msg = encode(region, group(region, level=level, event=event, exercise=False), status="Actual")
    body = msg.xml.decode("utf-8")
    assert not any(w in body for w in DRILL_WORDS)
    assert parse(msg).find("cap:note", NS) is None


def test_system_test_is_marked(region):
    root = parse(encode(region, group(region), status="Test"))
    for info in infos(root):
        lang = text.language_key(info.findtext("cap:language", namespaces=NS))
        assert all(t.startswith(text.MARKERS["Test"][lang]) for t in texts(info))


def test_no_text_ever_claims_to_be_real():
    for lang, level, kind, status, eta in itertools.product(
        ("ru-RU", "en-US"),
        ("warning", "advisory"),
        text.KINDS,
        text.STATUSES,
        (None, 0.0, 45.0, 1290.0),
    ):
        words = text.info_text(lang, level=level, kind=kind, status=status, eta_s=eta)
        joined = " ".join((words.event, words.headline, words.description, words.instruction))
        assert not any(claim in joined.lower() for claim in REAL_CLAIMS)
        if status == "Actual":
            assert not any(w in joined for w in DRILL_WORDS)


def test_exercise_and_real_changes_cannot_swap_status(region):
    with pytest.raises(AlertError, match="Actual"):
        encode(region, group(region, exercise=True), status="Actual")
    with pytest.raises(AlertError, match="Actual"):
        encode(region, group(region, exercise=False), status="Exercise")
    mixed = group(region, 1) + group(region, 1, exercise=False, start=1)
    with pytest.raises(AlertError):
        encode(region, mixed, status="Exercise")


def test_mixed_groups_are_rejected(region):
    with pytest.raises(AlertError, match="level"):
        encode(region, group(region, 1) + group(region, 1, level="advisory", start=1))
    with pytest.raises(AlertError, match="event"):
        encode(region, group(region, 1) + group(region, 1, event="update", start=1))
    late = group(region, 1, start=1)[0]
    later = AlertChange(t_s=T0 + 1, zone=late.zone, event="onset", level="warning", eta_s=60.0)
    with pytest.raises(AlertError):
        encode(region, group(region, 1) + [later])
    with pytest.raises(AlertError, match="twice"):
        encode(region, group(region, 1) + group(region, 1))
    with pytest.raises(AlertError):
        encode(region, [])


def test_unknown_zone_is_rejected(region):
    stray = AlertChange(t_s=T0, zone="871f1d489ffffff", event="onset", level="warning")
    with pytest.raises(AlertError, match="not in region"):
        encode(region, [stray])


@pytest.mark.parametrize(
    ("level", "event", "etas", "grades"),
    [
        ("warning", "onset", [0.0, 300.0], ("Shelter", "Immediate", "Extreme", "Observed")),
        ("warning", "update", [120.0, 300.0], ("Shelter", "Immediate", "Extreme", "Likely")),
        ("advisory", "onset", [600.0, 900.0], ("Prepare", "Expected", "Severe", "Likely")),
        ("warning", "clear", None, ("AllClear", "Past", "Minor", "Observed")),
        ("advisory", "clear", None, ("AllClear", "Past", "Minor", "Observed")),
    ],
)
def test_response_urgency_severity_certainty(region, level, event, etas, grades):
    root = parse(encode(region, group(region, 2, level=level, event=event, etas=etas)))
    for info in infos(root):
        got = tuple(
            info.findtext(f"cap:{tag}", namespaces=NS)
            for tag in ("responseType", "urgency", "severity", "certainty")
        )
        assert got == grades
        assert info.findtext("cap:category", namespaces=NS) == "Security"


def test_eta_parameter_and_text(region):
    root = parse(encode(region, group(region, 2, etas=[1290.6, 1500.0])))
    ru, en = infos(root)
    assert param(ru, "ETA_S") == param(en, "ETA_S") == "1290"
    assert param(en, "TRACKS") == "2"
    assert "около 21 минуты" in ru.findtext("cap:description", namespaces=NS)
    assert "about 21 minutes" in en.findtext("cap:description", namespaces=NS)
    assert en.findtext("cap:event", namespaces=NS) == "Drone attack (exercise)"
    assert ru.findtext("cap:event", namespaces=NS) == "Атака беспилотников (учения)"
    unknown = parse(encode(region, group(region, 1, etas=[None])))
    assert all(param(i, "ETA_S") is None for i in infos(unknown))


@pytest.mark.parametrize(
    ("minutes", "word"),
    [(1, "минуты"), (2, "минут"), (5, "минут"), (11, "минут"), (21, "минуты"), (111, "минут")],
)
def test_russian_minutes_agree_with_the_number(minutes, word):
    assert text.eta_phrase("ru-RU", minutes * 60 + 30) == f"около {minutes} {word}"


def test_optional_settings_appear_in_schema_order(region):
    s = CapSettings(
        sender="ops@example.org",
        region_id="r1",
        languages=("en-US",),
        web="https://alerts.example.org/",
        contact="Duty officer +0 000 000",
    )
    msg = changes_to_cap(group(region, 1), seq=3, region=region, settings=s)
    validate_cap(msg.xml)
    (info,) = infos(parse(msg))
    assert info.findtext("cap:web", namespaces=NS) == "https://alerts.example.org/"
    assert msg.identifier == "urn:tocsin:r1:3"


@pytest.mark.parametrize(
    "kw",
    [
        {"sender": "a b"},
        {"region_id": ""},
        {"languages": ("de-DE",)},
        {"languages": ()},
        {"expires_s": 0},
        {"event_code": "x"},
    ],
)
def test_bad_settings_are_rejected(kw):
    with pytest.raises(ValueError):
        CapSettings(**{"sender": "s@example.org", "region_id": "r", **kw})


def test_validate_cap_rejects_invalid_messages(region):
    xml = encode(region, group(region, 1)).xml
    with pytest.raises(AlertError, match="not valid CAP 1.2"):
        validate_cap(xml.replace(b"+00:00</sent>", b"Z</sent>"))
    with pytest.raises(AlertError, match="not valid CAP 1.2"):
        validate_cap(xml.replace(b"<scope>Public</scope>", b""))
    with pytest.raises(AlertError, match="well-formed"):
        validate_cap(xml[:-20])


def test_cancel_withdraws_in_every_language(region):
    changes = group(region, 2, event="clear", exercise=False)
    msg = encode(region, changes, status="Actual", msg_type="Cancel")
    root = parse(msg)
    assert root.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert root.findtext("cap:references", namespaces=NS) == ",".join(REF)
    ru, en = infos(root)
    assert "error" in en.findtext("cap:headline", namespaces=NS)
    assert "ошибочно" in ru.findtext("cap:headline", namespaces=NS)
    for info in (ru, en):
        assert info.findtext("cap:responseType", namespaces=NS) == "AllClear"
        assert info.findtext("cap:certainty", namespaces=NS) == "Unlikely"
    with pytest.raises(AlertError, match="Update, not an Alert"):
        encode(region, changes, status="Actual", msg_type="Alert")
