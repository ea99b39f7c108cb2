import copy
import json

import numpy as np
import pytest
from ingest_samples import SENSORS_DOC

from tocsin.errors import InputError
from tocsin.ingest import load_sensors


def test_sample_registry_loads_with_positions_and_defaults(frame):
    sensors = load_sensors(SENSORS_DOC, frame)
    assert list(sensors) == ["R1", "R2", "A017", "A018", "public", "NEIGHBOUR"]
    r1 = sensors["R1"]
    x, y = frame.latlng_to_xy(50.60, 36.58)
    assert (r1.x_m, r1.y_m) == (float(x), float(y))
    assert r1.north_deg == float(frame.north_deg(50.60, 36.58))
    assert r1.alt_m == 220.0 and r1.sigma_azimuth_deg == 0.4 and r1.scan_period_s == 2.0
    r2 = sensors["R2"]  # 100 km east of the centre meridian: true north is off grid north
    assert 0.8 < abs(r2.north_deg) < 1.6 and r2.sigma_range_m is None
    assert sensors["A018"].alt_m == 0.0  # default
    public = sensors["public"]
    assert public.x_m is None and public.lat_deg is None and public.north_deg == 0.0


def test_unknown_fields_go_to_extra_and_a_path_works(frame, tmp_path):
    doc = copy.deepcopy(SENSORS_DOC)
    doc["sensors"][0]["vendor"] = {"name": "x", "model": 3}
    path = tmp_path / "sensors.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    sensors = load_sensors(path, frame)
    assert sensors["R1"].extra == {"vendor": {"name": "x", "model": 3}}
    assert sensors["R2"].extra == {}


def test_sightings_with_a_position_are_placed(frame):
    doc = {"sensors": [{"id": "post7", "kind": "sighting", "lat": 50.7, "lon": 36.9}]}
    s = load_sensors(doc, frame)["post7"]
    assert np.hypot(s.x_m, s.y_m) > 10_000 and s.north_deg != 0.0


def _entry(**changes):
    base = {"id": "R9", "kind": "radar", "lat": 50.5, "lon": 36.5, "sigma_range_m": 30}
    base.update(changes)
    return {key: v for key, v in base.items() if v is not ...}


@pytest.mark.parametrize(
    ("entry", "needles"),
    [
        (_entry(id=...), ["entry 1:", "'id'"]),
        (_entry(id=""), ["entry 1:", "'id'"]),
        (_entry(id=7), ["entry 1:", "'id'"]),
        (_entry(kind="lidar"), ["entry 1 (id 'R9')", "'kind'", "lidar"]),
        (_entry(kind=...), ["entry 1 (id 'R9')", "'kind'"]),
        (_entry(lat=...), ["entry 1 (id 'R9')", "'lat' is required", "radar"]),
        (_entry(lon=...), ["entry 1 (id 'R9')", "'lon' is required"]),
        (_entry(kind="acoustic", lat=...), ["entry 1 (id 'R9')", "'lat'", "acoustic"]),
        (_entry(lat=91.0), ["entry 1 (id 'R9')", "'lat'", "91"]),
        (_entry(lon=-180.5), ["entry 1 (id 'R9')", "'lon'"]),
        (_entry(lat=True), ["entry 1 (id 'R9')", "'lat'", "boolean"]),
        (_entry(alt_m="high"), ["entry 1 (id 'R9')", "'alt_m'", "number"]),
        (_entry(sigma_range_m=0), ["entry 1 (id 'R9')", "'sigma_range_m'", "> 0"]),
        (_entry(sigma_range_m=-3.0), ["entry 1 (id 'R9')", "'sigma_range_m'"]),
        (_entry(sigma_azimuth_deg="0.4"), ["entry 1 (id 'R9')", "'sigma_azimuth_deg'"]),
        (_entry(range_max_m=1e300), ["entry 1 (id 'R9')", "'range_max_m'"]),
        (_entry(scan_period_s=False), ["entry 1 (id 'R9')", "'scan_period_s'"]),
        (_entry(id="R1"), ["entry 1 (id 'R1')", "'id' is not unique"]),
        ("R9", ["entry 1:", "object"]),
    ],
)
def test_bad_entries_name_file_entry_id_and_field(frame, tmp_path, entry, needles):
    doc = {"sensors": [{"id": "R1", "kind": "radar", "lat": 50.6, "lon": 36.6}, entry]}
    path = tmp_path / "sensors.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_sensors(path, frame)
    message = str(err.value)
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"sensors": [', "not valid JSON"),
        ('{"sensors": [{"id": "R", "kind": "radar", "lat": NaN, "lon": 1}]}', "NaN"),
        ('{"sensor": []}', "'sensors' list"),
        ("[]", "'sensors' list"),
    ],
)
def test_bad_files_are_named(frame, tmp_path, text, needle):
    path = tmp_path / "reg.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        load_sensors(path, frame)
    assert str(path) in str(err.value)


def test_missing_and_non_utf8_files(frame, tmp_path):
    with pytest.raises(InputError, match="nothere.json"):
        load_sensors(tmp_path / "nothere.json", frame)
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"sensors": [{"id": "\xe9", "kind": "sighting"}]}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_sensors(path, frame)


def test_a_document_error_names_the_document(frame):
    with pytest.raises(InputError, match=r"sensors document: entry 0 \(id 'X'\): 'lat'"):
        load_sensors({"sensors": [{"id": "X", "kind": "acoustic", "lon": 36.0}]}, frame)
