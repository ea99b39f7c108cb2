"""Incidents: validation naming the field, the registry's history, rebuilt from the event log."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.incident import Casualties, Incident, IncidentRegistry, incident_from_dict
from tocsin.store import SqliteEventLog

NOW = 1_795_600_000.0  # 2026-11-25T10:13:20Z
BELGOROD = (50.5957, 36.5873)


class Clock:
    def __init__(self, t_s: float = NOW) -> None:
        self.t_s = t_s

    def __call__(self) -> float:
        self.t_s += 1.0
        return self.t_s


def _make(reg: IncidentRegistry, **kw):
    args = dict(kind="impact", t_s=NOW - 3600, lat_deg=BELGOROD[0], lon_deg=BELGOROD[1])
    args.update(source="emergency_services", now_s=NOW)
    args.update(kw)
    return reg.make(**args)


@pytest.fixture()
def registry(belgorod, tmp_path):
    log = SqliteEventLog(tmp_path / "events.sqlite")
    yield IncidentRegistry(log, belgorod, clock=Clock())
    log.close()


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"injured": -1}, "'injured'"),
        ({"killed": 1.5}, "'killed'"),
        ({"injured": 1, "injured_children": 2}, "'injured_children'"),
    ],
)
def test_casualties_name_the_bad_field(fields, named):
    with pytest.raises(ValueError, match=named):
        Casualties(**fields)


@pytest.mark.parametrize(
    ("kw", "named"),
    [
        ({"kind": "explosion"}, "'kind'"),
        ({"source": "rumour"}, "'source'"),
        ({"damage": "total"}, "'damage'"),
        ({"lat_deg": 91.0}, "'lat_deg'"),
        ({"t_s": float("nan")}, "'t_s'"),
        ({"hospitals": ["a"]}, "'hospitals'"),
    ],
)
def test_incident_names_the_bad_field(kw, named):
    fields = dict(id="I1", kind="impact", t_s=NOW, lat_deg=50.0, lon_deg=36.0, zone="z")
    fields.update(source="police")
    fields.update(kw)
    with pytest.raises(ValueError, match=named):
        Incident(**fields)


@given(
    injured=st.integers(0, 500),
    killed=st.integers(0, 500),
    lat=st.floats(-90, 90),
    notes=st.text(max_size=50),
)
def test_an_incident_round_trips_through_its_json_object(injured, killed, lat, notes):
    inc = Incident(
        id="I7",
        kind="debris",
        t_s=NOW + 0.25,
        lat_deg=lat,
        lon_deg=36.0,
        zone="871f1d489ffffff",
        source="public",
        casualties=Casualties(injured=injured, killed=killed, killed_children=killed // 2),
        hospitals=("City Hospital 2",),
        notes=notes,
    )
    assert incident_from_dict(inc.to_dict()) == inc


def test_a_place_gets_its_zone_and_the_region_refuses_what_is_outside(registry, belgorod):
    inc = _make(registry)
    assert inc.zone == belgorod.zones.ids[belgorod.zones.locate(*BELGOROD)[0]]
    with pytest.raises(ValueError, match="'lat'/'lon'.*outside the region belgorod"):
        _make(registry, lat_deg=55.75, lon_deg=37.62)  # Moscow
    with pytest.raises(ValueError, match="'time' is in the future"):
        _make(registry, t_s=NOW + 3600)


def test_history_records_every_change_and_who_made_it(registry, tmp_path, belgorod):
    a = registry.add(_make(registry), "duty officer A")
    registry.confirm(a.id, "duty officer B", "fire service on site")
    b = registry.add(_make(registry, kind="debris"), "police desk")
    registry.retract(b.id, "duty officer B", "a fallen drone part, counted twice")
    with pytest.raises(ValueError, match="'status' is retracted, cannot become confirmed"):
        registry.confirm(b.id, "someone")
    with pytest.raises(ValueError, match="'note'"):
        registry.retract(a.id, "someone", "")
    with pytest.raises(ValueError, match="'id' is taken"):
        registry.add(a, "again")
    assert [(c.action, c.by) for c in registry.history(a.id)] == [
        ("reported", "duty officer A"),
        ("confirmed", "duty officer B"),
    ]
    registry.log.flush()
    again = IncidentRegistry(SqliteEventLog(tmp_path / "events.sqlite"), belgorod)
    assert again.all() == registry.all()
    assert [i.status for i in again.all()] == ["confirmed", "retracted"]
    assert registry.log.count("incident_changed") == 2


def test_an_amendment_corrects_casualties_and_is_kept_in_the_history(registry, tmp_path, belgorod):
    a = registry.add(_make(registry, casualties=Casualties(injured=2)), "duty officer A")
    registry.amend(a.id, "hospital desk", "two more admitted", casualties=Casualties(injured=4,
                   injured_children=1), hospitals=("Regional Hospital",))  # fmt: skip
    with pytest.raises(ValueError, match="'damage'"):
        registry.amend(a.id, "x", "bad category", damage="total")
    with pytest.raises(ValueError, match="needs a field"):
        registry.amend(a.id, "x", "nothing")
    got = registry.get(a.id)
    assert got.casualties == Casualties(injured=4, injured_children=1)
    assert got.hospitals == ("Regional Hospital",) and got.status == "reported"
    assert [c.action for c in registry.history(a.id)] == ["reported", "amended"]
    registry.log.flush()
    again = IncidentRegistry(SqliteEventLog(tmp_path / "events.sqlite"), belgorod)
    assert again.get(a.id) == got
