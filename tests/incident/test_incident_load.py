"""Bulk import: each bad row is named with its field, the good rows all go in."""

from __future__ import annotations

import json

import pytest
from test_incident_registry import Clock

from tocsin.incident import IncidentRegistry
from tocsin.incident.load import import_file
from tocsin.store import SqliteEventLog

HEADER = "id,kind,time,lat,lon,source,injured,killed,injured_children,damage,hospitals,notes\n"
GOOD = [
    "A1,impact,2026-11-24T21:40:00Z,50.5957,36.5873,emergency_services,3,1,1,severe,"
    "Regional Hospital;City Hospital 2,roof of a block of flats\n",
    "A2,debris,2026-11-24T21:55:00+03:00,50.41,36.92,public,0,0,0,light,,\n",
    'A3,damage,1795560000,50.75,37.10,police,,,,moderate,,"notes, with a comma"\n',
]
BAD = {
    "B1,impact,2026-11-24T21:40:00Z,55.75,37.62,police,0,0,0,none,,\n": "'lat'/'lon'",
    "B2,impact,2027-01-01T00:00:00Z,50.59,36.58,police,0,0,0,none,,\n": "'time' is in the future",
    "B3,impact,2026-11-24T21:40:00Z,50.59,36.58,police,-2,0,0,none,,\n": "'injured'",
    "B4,impact,2026-11-24T21:40:00Z,50.59,36.58,police,0,0,0,none,,,extra\n": "malformed row",
    "B5,impact,yesterday,50.59,36.58,police,0,0,0,none,,\n": "'time'",
    "B6,impact,2026-11-24T21:40:00Z,fifty,36.58,police,0,0,0,none,,\n": "'lat'",
    "B7,shelling,2026-11-24T21:40:00Z,50.59,36.58,police,0,0,0,none,,\n": "'kind'",
    "A1,impact,2026-11-24T21:40:00Z,50.59,36.58,police,0,0,0,none,,\n": "'id' is taken",
    "B8,impact,2026-11-24T21:40:00Z,50.59,36.58,police,1,0,2,none,,\n": "'injured_children'",
}


@pytest.fixture()
def registry(belgorod, tmp_path):
    log = SqliteEventLog(tmp_path / "events.sqlite")
    yield IncidentRegistry(log, belgorod, clock=Clock())
    log.close()


def test_csv_import_keeps_every_good_row_and_names_each_bad_one(registry, tmp_path):
    lines = [GOOD[0], *BAD, GOOD[1], GOOD[2]]
    path = tmp_path / "incidents.csv"
    path.write_text(HEADER + "".join(lines))
    result = import_file(registry, path, "importer")
    assert result.added == ["A1", "A2", "A3"]
    assert len(result.errors) == len(BAD)
    for err, (line, named) in zip(result.errors, BAD.items(), strict=True):
        assert err.row == f"line {lines.index(line) + 2}"
        assert named in err.message, err
    a1 = registry.get("A1")
    assert a1.casualties.injured == 3 and a1.casualties.injured_children == 1
    assert a1.hospitals == ("Regional Hospital", "City Hospital 2") and a1.damage == "severe"
    assert registry.get("A3").notes == "notes, with a comma"
    assert registry.log.count("incident_reported") == 3


def test_geojson_import_names_features(registry, tmp_path):

    def feat(props, coords=(36.5873, 50.5957), gtype="Point"):
        return {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": gtype, "coordinates": list(coords)},
        }

    base = {"kind": "impact", "time": "2026-11-24T21:40:00Z", "source": "sensor"}
    doc = {
        "type": "FeatureCollection",
        "features": [
            feat({**base, "killed": 2, "killed_children": 1, "hospitals": ["Regional Hospital"]}),
            feat({**base, "injured": "-1"}),
            feat(base, gtype="LineString"),
            feat({**base, "kind": "debris"}, coords=(30.0, 50.0)),
            feat({**base, "kind": "damage", "status": "confirmed"}),
        ],
    }
    path = tmp_path / "incidents.geojson"
    path.write_text(json.dumps(doc))
    result = import_file(registry, path, "importer")
    assert len(result.added) == 2
    assert [e.row for e in result.errors] == ["feature 2", "feature 3", "feature 4"]
    assert "'injured'" in result.errors[0].message
    assert "outside the region" in result.errors[2].message
    statuses = [registry.get(i).status for i in result.added]
    assert statuses == ["reported", "confirmed"]


def test_a_file_without_required_columns_is_refused_whole(registry, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kind,lat,lon\nimpact,50,36\n")
    with pytest.raises(ValueError, match="time, source"):
        import_file(registry, path, "importer")
