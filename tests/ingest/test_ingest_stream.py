import codecs
import dataclasses
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_samples import T0_S, good_lines

from tocsin.ingest import Intake, Rejection, load_detections, read_detections
from tocsin.messages import Detection

GOOD = good_lines(21, 60)


def _write(tmp_path, lines: list[bytes], name="detections.jsonl"):
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def test_every_line_is_yielded_raw_with_its_seq(tmp_path):
    path = _write(tmp_path, [codecs.BOM_UTF8 + b'{"a": 1}\r\n', b"\n", b"\xff\xfe junk\n", b"  \n",
                             b'{"b": 2}'])  # fmt: skip
    assert list(read_detections(path)) == [
        (0, b'{"a": 1}'), (1, b""), (2, b"\xff\xfe junk"), (3, b"  "), (4, b'{"b": 2}'),
    ]  # fmt: skip


def test_a_huge_line_is_cut_short_and_the_next_one_survives(tmp_path, intake):
    huge = b'{"t": 1, "pad": "' + b"x" * 300_000 + b'"}\n'
    path = _write(tmp_path, [huge, GOOD[0].encode() + b"\n"])
    rows = list(read_detections(path, max_line_bytes=1000))
    assert [seq for seq, _ in rows] == [0, 1] and len(rows[0][1]) == 1002
    intake.max_line_bytes = 1000
    r, d = intake.take_many(rows)
    assert isinstance(r, Rejection) and r.reason == "too_long" and isinstance(d, Detection)


def test_load_sorts_by_rx_then_seq_and_counts_rejects(tmp_path, intake):
    recs = [
        {"t": T0_S, "rx": T0_S + 9, "sensor": "A017"},
        {"t": T0_S + 1, "sensor": "A017"},
        {"t": T0_S, "rx": T0_S + 1, "sensor": "A018"},
        {"t": T0_S, "rx": T0_S + 9, "sensor": "public", "lat": 50, "lon": 36},
    ]
    lines = [json.dumps(r).encode() + b"\n" for r in recs]
    lines[2:2] = [b"\n", b"{bad\n", b"\xc3\x28\n"]
    dets, rejected = load_detections(_write(tmp_path, lines), intake, batch=2)
    assert [(d.rx_s - T0_S, d.seq) for d in dets] == [(1, 1), (1, 5), (9, 0), (9, 6)]
    assert rejected == {"empty": 1, "bad_json": 1, "bad_encoding": 1}
    assert intake.counts == rejected and intake.accepted == 4


def test_a_file_loads_the_same_in_any_batch_size(tmp_path, sensors, frame):
    lines = [ln.encode() + b"\n" for ln in good_lines(5, 500)]
    path = _write(tmp_path, lines)
    a, _ = load_detections(path, Intake(sensors, frame), batch=1)
    b, _ = load_detections(path, Intake(sensors, frame), batch=97)
    c, _ = load_detections(path, Intake(sensors, frame))
    assert a == b == c and len(a) == 500
    rx = np.array([d.rx_s for d in a])
    assert (np.diff(rx) >= 0).all()


def _junk(good: str) -> st.SearchStrategy:
    """Lines that must all be rejected, some of them built from the radar record ``good``."""
    rec = json.loads(good)
    assert rec["sensor"] == "R2" and "range_m" in rec
    return st.one_of(
        st.binary(max_size=120).filter(lambda b: b"\n" not in b),
        st.text(max_size=120).filter(lambda s: "\n" not in s).map(str.encode),
        st.just(b""),
        st.just(b"{" * 3 + b'"t":'),
        st.sampled_from([b"NaN", b"[]", b"null", b'"x"', b"17"]),
        st.just(b'{"pad": "' + b"z" * 70_000 + b'"}'),
        st.sampled_from(["range_m", "azimuth_deg", "elevation_deg", "sigma_range_m", "t", "sensor"])
        .flatmap(lambda key: st.sampled_from([True, "7", -1e9, [1]]).map(lambda v: (key, v)))
        .map(lambda kv: json.dumps({**rec, kv[0]: kv[1]}).encode()),
        st.just(json.dumps({**rec, "sensor": "ghost"}).encode()),
        st.just(json.dumps({**rec, "kind": "position"}).encode()),
        st.just(json.dumps(rec).replace("}", ', "snr": NaN}').encode()),
    )


def _strip_seq(d: Detection) -> Detection:
    return dataclasses.replace(d, seq=0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_junk_never_changes_what_the_good_records_give(sensors, frame, data):
    clean = Intake(sensors, frame).take_many(enumerate(GOOD))
    assert all(isinstance(d, Detection) for d in clean)
    inserts = data.draw(
        st.lists(st.tuples(st.integers(0, len(GOOD)), _junk(GOOD[3])), max_size=12), label="junk"
    )
    lines: list = [ln.encode() for ln in GOOD]
    for at, junk in sorted(inserts, key=lambda p: p[0], reverse=True):
        lines.insert(at, junk)
    intake = Intake(sensors, frame)
    batch = data.draw(st.sampled_from([1, 7, 4096]), label="batch")
    out = []
    for k in range(0, len(lines), batch):
        out += intake.take_many(list(enumerate(lines))[k : k + batch])
    good = [r for r in out if isinstance(r, Detection)]
    bad = [r for r in out if isinstance(r, Rejection)]
    assert [_strip_seq(d) for d in good] == [_strip_seq(d) for d in clean]
    assert len(bad) == len(inserts) and sum(intake.counts.values()) == len(inserts)
    assert intake.accepted == len(GOOD)
    assert all(r.reason != "internal" and r.message.startswith(f"record {r.seq}: ") for r in bad)
    for r in bad:  # each rejection is where a junk line was put
        assert not isinstance(out[r.seq], Detection)
