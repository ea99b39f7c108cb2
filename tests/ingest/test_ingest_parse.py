import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_samples import good_lines

from tocsin.ingest import REASONS, Intake, Rejection
from tocsin.messages import Detection

T = 1_795_554_000.25  # 2026-11-24T21:00:00.250Z
TIMES = {
    "iso_z": "2026-11-24T21:00:00.250Z",
    "iso_offset": "2026-11-25T00:00:00.250+03:00",
    "unix": T,
}
BODIES = {
    "radar_3d": {"sensor": "R1", "range_m": 12000, "azimuth_deg": 30.5, "elevation_deg": 1.5,
                 "radial_speed_mps": -41.0},
    "radar_2d": {"sensor": "R2", "kind": "radar", "range_m": 12000, "azimuth_deg": 30.5},
    "radar_plot": {"sensor": "R1", "lat": 50.7, "lon": 36.7, "alt_m": 300, "sigma_m": 120},
    "acoustic": {"sensor": "A017", "kind": "acoustic", "bearing_deg": 200.0, "snr_db": 9},
    "sighting": {"sensor": "public", "lat": 50.7, "lon": 36.7, "heading_deg": 90, "count": 2,
                 "reporter": "r-81"},
    "position": {"sensor": "NEIGHBOUR", "kind": "position", "lat": 50.7, "lon": 36.7,
                 "alt_m": 500, "v_east_mps": 12.0, "v_north_mps": -3.0, "ext_id": "T42"},
}  # fmt: skip


def _take(intake, seq=0, **rec):
    return intake.take(json.dumps(rec), seq)


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("form", TIMES)
def test_every_kind_parses_with_every_time_form(intake, sensors, body, form):
    d = _take(intake, 3, t=TIMES[form], **BODIES[body])
    assert isinstance(d, Detection), d
    assert d.seq == 3 and d.t_s == T and d.rx_s == T  # rx defaults to t
    assert d.sensor == BODIES[body]["sensor"] and d.kind == sensors[d.sensor].kind
    assert intake.accepted == 1 and not intake.counts


def test_kind_specific_fields_are_kept(intake):
    d = _take(intake, t=T, **BODIES["radar_3d"])
    assert (d.radial_speed_mps, d.sigma_range_m, d.sigma_elevation_deg) == (-41.0, 40.0, 0.8)
    d = _take(intake, t=T, **BODIES["radar_plot"])
    assert d.alt_m == 300.0 and d.cov_xy == (120.0**2, 0.0, 120.0**2) and d.range_m is None
    d = _take(intake, t=T, **BODIES["sighting"])
    assert (d.heading_deg, d.count, d.reporter, d.alt_m) == (90.0, 2, "r-81", None)
    d = _take(intake, t=T, **BODIES["position"])
    assert d.ext_id == "T42" and d.alt_m == 500.0 and d.cov_xy[0] == 500.0**2
    d = _take(intake, t=T, sensor="NEIGHBOUR", lat=50.7, lon=36.7, ext_id=4711)
    assert d.ext_id == "4711" and d.v_east_mps is None


def test_sigma_defaults_record_then_registry_then_built_in(intake):
    d = _take(intake, t=T, sensor="public", lat=50.7, lon=36.7)
    assert d.cov_xy == (1500.0**2, 0.0, 1500.0**2) and d.count == 1  # spec default
    d = _take(intake, t=T, sensor="public", lat=50.7, lon=36.7, sigma_m=300)
    assert d.cov_xy[0] == 300.0**2
    d = _take(intake, t=T, sensor="R1", range_m=5000, azimuth_deg=1, elevation_deg=1)
    assert (d.sigma_range_m, d.sigma_azimuth_deg, d.sigma_elevation_deg) == (40.0, 0.4, 0.8)
    d = _take(intake, t=T, sensor="R2", range_m=5000, azimuth_deg=1, elevation_deg=1)
    assert (d.sigma_range_m, d.sigma_azimuth_deg, d.sigma_elevation_deg) == (50.0, 1.0, 1.5)
    d = _take(intake, t=T, sensor="R1", range_m=5000, azimuth_deg=1, sigma_azimuth_deg=2.5)
    assert d.sigma_azimuth_deg == 2.5
    d = _take(intake, t=T, sensor="R2", lat=50.7, lon=36.7)
    assert d.cov_xy[0] == 200.0**2  # radar position plot default


def test_rx_forms_skew_and_override(intake):
    d = _take(intake, t=T, rx="2026-11-24T21:00:07Z", sensor="A017")
    assert d.rx_s == T - 0.25 + 7
    d = _take(intake, t=T, rx=T - 4.9, sensor="A017")  # within the clock skew
    assert isinstance(d, Detection) and d.rx_s == T - 4.9
    r = _take(intake, 8, t=T, rx=T - 6, sensor="A017")
    assert isinstance(r, Rejection) and r.reason == "rx_before_t" and r.field == "rx"
    assert r.message.startswith("record 8: 'rx'")
    line = json.dumps({"t": T, "rx": T + 3, "sensor": "A017"})
    assert intake.take(line, 0, rx_override=T + 60.0).rx_s == T + 60.0
    r = intake.take(line, 9, rx_override=T - 30.0)  # arrived before it was measured
    assert r.reason == "rx_before_t"


def _junk_cases():
    good = {"t": T, "sensor": "R1", "range_m": 9000, "azimuth_deg": 10, "elevation_deg": 2}

    def rec(**changes):
        out = {**good, **changes}
        return json.dumps({k: v for k, v in out.items() if v is not ...})

    return [
        ('{"t": 1, "sensor": ', "bad_json", None),
        ("not json at all", "bad_json", None),
        (rec() + " trailing", "bad_json", None),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "bad_json", None),  # nested too deeply
        ("", "empty", None),
        ("   \t ", "empty", None),
        ("[1, 2]", "not_object", None),
        ('"text"', "not_object", None),
        (b"\xff\xfe\x00garbage", "bad_encoding", None),
        (b'{"t": 1, "sensor": "R1\xc3"}', "bad_encoding", None),
        (rec(sensor=...), "missing_field", "sensor"),
        (rec(t=...), "missing_field", "t"),
        (rec(t=None), "missing_field", "t"),
        (rec(range_m=...), "missing_field", "range_m"),
        (rec(azimuth_deg=...), "missing_field", "azimuth_deg"),
        (json.dumps({"t": T, "sensor": "R1"}), "missing_field", "range_m"),
        (json.dumps({"t": T, "sensor": "public", "lat": 50.0}), "missing_field", "lon"),
        (json.dumps({"t": T, "sensor": "NEIGHBOUR", "lat": 50, "lon": 36, "v_east_mps": 3}),
         "missing_field", "v_north_mps"),
        (rec(sensor="R404"), "unknown_sensor", "sensor"),
        (rec(sensor=17), "bad_type", "sensor"),
        (rec(kind="acoustic"), "kind_mismatch", "kind"),
        (rec(kind="drone"), "kind_mismatch", "kind"),
        (rec(kind=3), "bad_type", "kind"),
        (rec(range_m=-5), "out_of_range", "range_m"),
        (rec(range_m=0), "out_of_range", "range_m"),
        (rec(azimuth_deg=360), "out_of_range", "azimuth_deg"),
        (rec(elevation_deg=91), "out_of_range", "elevation_deg"),
        (rec(sigma_range_m=0), "out_of_range", "sigma_range_m"),
        (json.dumps({"t": T, "sensor": "public", "lat": 95, "lon": 36}), "out_of_range", "lat"),
        (json.dumps({"t": T, "sensor": "public", "lat": 50, "lon": 36, "count": 0}),
         "out_of_range", "count"),
        (json.dumps({"t": T, "sensor": "public", "lat": 50, "lon": 36, "count": 1.5}),
         "bad_type", "count"),
        (json.dumps({"t": T, "sensor": "public", "lat": 50, "lon": 36, "reporter": "\ud800"}),
         "bad_encoding", "reporter"),
        (rec().replace('"range_m": 9000', '"range_m": NaN'), "not_finite", "range_m"),
        (rec().replace('"azimuth_deg": 10', '"azimuth_deg": -Infinity'), "not_finite",
         "azimuth_deg"),
        (rec(extra={"x": [1, 2]}).replace("[1, 2]", "[1, Infinity]"), "not_finite", "extra"),
        (rec().replace('"range_m": 9000', '"range_m": 1e999'), "not_finite", "range_m"),
        (rec().replace('"range_m": 9000', '"range_m": 1' + "0" * 400), "not_finite", "range_m"),
        (rec(range_m=True), "bad_type", "range_m"),
        (rec(elevation_deg=False), "bad_type", "elevation_deg"),
        (rec(range_m="9000"), "bad_type", "range_m"),
        (rec(range_m=[9000]), "bad_type", "range_m"),
        (rec(t=True), "bad_type", "t"),
        (rec(t="yesterday"), "bad_time", "t"),
        (rec(t="2026-11-24T21:00:00"), "bad_time", "t"),  # no zone
        (rec(rx="2026-13-01T00:00:00Z"), "bad_time", "rx"),
        (rec(t=1e12), "bad_time", "t"),
        (rec(t=T + 60, rx=T), "rx_before_t", "rx"),
        ("x" * 70_000, "too_long", None),
        (b"{" + b" " * 70_000 + b"}", "too_long", None),
    ]  # fmt: skip


@pytest.mark.parametrize(("line", "reason", "field"), _junk_cases())
def test_malformed_records_are_rejected_with_reason_and_field(intake, line, reason, field):
    r = intake.take(line, 17)
    assert isinstance(r, Rejection), r
    assert (r.seq, r.reason, r.field) == (17, reason, field), r.message
    assert r.message.startswith("record 17: ")
    if field is not None:
        assert repr(field) in r.message
    assert intake.counts == {reason: 1} and intake.accepted == 0
    assert reason in REASONS


def test_the_spec_message_wording(intake):
    r = _take(intake, 17, t=T, sensor="R1", range_m=-1, azimuth_deg=3)
    assert r.message.startswith("record 17: 'range_m' must be a finite number > 0")


def test_rejections_are_counted_and_logged_once_per_reason(intake, caplog):
    caplog.set_level(logging.WARNING, logger="tocsin.ingest")
    for k in range(5):
        intake.take("{oops", k)
        intake.take(json.dumps({"t": T, "sensor": "nobody"}), 100 + k)
    intake.take(good_lines(1, 1)[0], 200)
    assert intake.counts == {"bad_json": 5, "unknown_sensor": 5}
    assert intake.accepted == 1 and intake.rejected == 10
    logged = [rec for rec in caplog.records if rec.name.startswith("tocsin.ingest")]
    assert len(logged) == 2 and {rec.reason for rec in logged} == {"bad_json", "unknown_sensor"}
    assert "record 0" in logged[0].getMessage()


def test_take_and_take_many_agree(sensors, frame):
    lines = good_lines(11, 300)
    one = Intake(sensors, frame)
    many = Intake(sensors, frame)
    singles = [one.take(line, k) for k, line in enumerate(lines)]
    batch = many.take_many(enumerate(lines))
    assert singles == batch and all(isinstance(d, Detection) for d in batch)
    assert one.accepted == many.accepted == 300


_JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_VALUES = st.recursive(
    _JSON_LEAF,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=6,
)  # noqa: E501
_KEYS = st.sampled_from(
    ["t", "rx", "sensor", "kind", "range_m", "azimuth_deg", "elevation_deg", "lat", "lon", "alt_m",
     "sigma_m", "sigma_range_m", "sigma_azimuth_deg", "sigma_elevation_deg", "bearing_deg",
     "sigma_bearing_deg", "range_max_m", "count", "reporter", "ext_id", "v_east_mps",
     "v_north_mps", "heading_deg", "snr_db", "radial_speed_mps"]
)  # fmt: skip
_SENSOR = st.sampled_from(["R1", "R2", "A017", "A018", "public", "NEIGHBOUR", "X"])


@settings(max_examples=400, deadline=None)
@given(
    sensor=_SENSOR,
    fields=st.dictionaries(_KEYS, _VALUES | st.floats(-1e7, 1e7) | st.integers(-10, 10**6)),
    t=st.one_of(st.floats(-1e10, 1e10), st.text(max_size=30), st.just("2026-11-24T21:00:00Z")),
)
def test_no_record_ever_raises_or_hits_a_bug(sensors, frame, sensor, fields, t):
    intake = Intake(sensors, frame)
    rec = {"t": t, "sensor": sensor, **fields}
    result = intake.take(json.dumps(rec), 0)
    assert isinstance(result, (Detection, Rejection))
    if isinstance(result, Rejection):
        assert result.reason in REASONS and result.reason != "internal", result.message
        assert result.message.startswith("record 0: ")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_bytes_and_text_are_rejected_not_raised(sensors, frame, junk):
    intake = Intake(sensors, frame)
    result = intake.take(junk, 5)
    assert isinstance(result, Rejection) and result.reason in REASONS
    assert result.reason != "internal" and result.message.startswith("record 5: ")
    assert sum(intake.counts.values()) == 1 and intake.accepted == 0
