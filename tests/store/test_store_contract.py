"""The event-log contract: every backend must pass every test here."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.errors import StoreError
from tocsin.store import ENGINE_KINDS, Event, EventLog


def fill(log: EventLog, n: int, kinds=("record_taken", "track_confirmed", "alert_decided")):
    """Append n events cycling through kinds; return their seqs."""
    return [log.append(kinds[i % len(kinds)], 100.0 + i, {"i": i}) for i in range(n)]


def test_every_backend_is_an_event_log(log):
    assert isinstance(log, EventLog)
    assert log.last_seq() == 0 and log.count() == 0
    assert list(log.read()) == []


def test_sequence_starts_at_one_and_has_no_gaps(log):
    first = fill(log, 5)
    more = log.append_many([("run_finished", 9.0, {}), ("manual_action", 9.5, {"who": "a"})])
    assert first + more == [1, 2, 3, 4, 5, 6, 7]
    assert log.last_seq() == 7 and log.count() == 7
    assert [e.seq for e in log.read()] == list(range(1, 8))
    assert log.append_many([]) == []
    assert log.last_seq() == 7


def test_events_come_back_as_appended(log):
    before = time.time()
    seq = log.append("alert_decided", 1700000000.25, {"zone": "871f1d489ffffff", "eta_s": 93.5})
    after = time.time()
    (event,) = log.read()
    assert event.seq == seq == 1
    assert event.kind == "alert_decided"
    assert event.t_s == 1700000000.25
    assert event.payload == {"zone": "871f1d489ffffff", "eta_s": 93.5}
    assert before <= event.wall_s <= after
    with pytest.raises(AttributeError):
        event.seq = 2  # frozen


def test_sequence_continues_after_reopen(shared):
    log = shared.open()
    fill(log, 3)
    log.close()
    log = shared.open()
    assert log.last_seq() == 3
    assert log.append("run_started", 5.0, {}) == 4
    assert [e.seq for e in log.read()] == [1, 2, 3, 4]


def test_read_filters_by_kind_since_seq_and_limit(log):
    fill(log, 9)  # kinds cycle: taken 1,4,7; confirmed 2,5,8; decided 3,6,9
    assert [e.seq for e in log.read(kinds={"alert_decided"})] == [3, 6, 9]
    assert [e.seq for e in log.read(kinds=["record_taken", "alert_decided"])] == [1, 3, 4, 6, 7, 9]
    assert [e.seq for e in log.read(since_seq=6)] == [7, 8, 9]
    assert [e.seq for e in log.read(kinds=("record_taken",), since_seq=4)] == [7]
    assert [e.seq for e in log.read(limit=4)] == [1, 2, 3, 4]
    assert [e.seq for e in log.read(kinds={"track_confirmed"}, since_seq=1, limit=2)] == [2, 5]
    assert list(log.read(kinds=["track_deleted"])) == []
    assert list(log.read(kinds=[])) == []
    assert list(log.read(since_seq=9)) == []
    assert list(log.read(limit=0)) == []
    assert log.count("track_confirmed") == 3 and log.count("track_deleted") == 0


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"kinds": "alert_decided"}, "not the str"),
        ({"kinds": ["Alert"]}, "invalid event kind"),
        ({"since_seq": -1}, "since_seq"),
        ({"since_seq": 1.5}, "since_seq"),
        ({"limit": -1}, "limit"),
    ],
)
def test_read_refuses_bad_arguments(log, kwargs, problem):
    fill(log, 2)
    with pytest.raises(StoreError, match=problem):
        log.read(**kwargs)


def test_read_is_fixed_at_the_call(log):
    fill(log, 3)
    events = log.read()
    assert next(events).seq == 1
    log.append("run_finished", 10.0, {})
    assert [e.seq for e in events] == [2, 3]
    assert [e.seq for e in log.read(since_seq=3)] == [4]


def test_flush_makes_events_visible_to_a_second_connection(shared):
    writer = shared.open()
    fill(writer, 4)
    reader = shared.open()
    assert reader.last_seq() == 0 and list(reader.read()) == []
    writer.flush()
    seen = list(reader.read())
    assert [e.seq for e in seen] == [1, 2, 3, 4]
    assert seen == list(writer.read())


def test_closing_and_reopening_keeps_everything_flushed(shared):
    log = shared.open()
    seqs = fill(log, 5)
    log.flush()
    kept = list(log.read())
    log.append("run_finished", 99.0, {"clean": True})  # close() flushes this one too
    log.close()
    with pytest.raises(StoreError, match="closed"):
        log.append("run_started", 1.0, {})
    log.close()  # idempotent
    with shared.open() as again:
        assert list(again.read(limit=len(seqs))) == kept
        assert again.last_seq() == 6
        assert next(again.read(since_seq=5)).payload == {"clean": True}


def test_context_manager_closes_the_log(backend):
    with backend.open() as log:
        log.append("run_started", 0.0, {})
    with pytest.raises(StoreError, match="closed"):
        log.count()


def test_raw_update_and_delete_are_refused(backend, log):
    fill(log, 3)
    log.flush()
    raw = backend.raw(log)
    for sql in (
        "UPDATE events SET kind = 'track_deleted' WHERE seq = 2",
        "UPDATE events SET payload = '{}'",
        "DELETE FROM events WHERE seq = 3",
        "DELETE FROM events",
        "INSERT OR REPLACE INTO events VALUES (2, 0.0, 'record_taken', '{}', 0.0)",
        "INSERT INTO events VALUES (9, 0.0, 'record_taken', '{}', 0.0)",
    ):
        with pytest.raises(backend.refused):
            raw.execute(sql)
    assert [(e.seq, e.payload) for e in log.read()] == [(1, {"i": 0}), (2, {"i": 1}), (3, {"i": 2})]


def test_payload_is_stored_as_compact_sorted_json(backend, log):
    log.append("cap_issued", 1.0, {"b": [1, 2.5, None], "a": "é", "c": {"z": True, "y": 1}})
    log.flush()
    (text,) = backend.raw(log).execute("SELECT payload FROM events WHERE seq = 1").fetchone()
    assert text == '{"a":"\\u00e9","b":[1,2.5,null],"c":{"y":1,"z":true}}'


@pytest.mark.parametrize("kind", ENGINE_KINDS + ("incident_registered", "x", "_" * 40))
def test_any_lowercase_kind_is_accepted(log, kind):
    assert log.append(kind, 0.0, {}) == 1
    assert log.count(kind) == 1


@pytest.mark.parametrize(
    "kind", ["", "Alert", "alert-decided", "alert decided", "kind1", "é", "a" * 41, "x\n", None, 3]
)
def test_an_invalid_kind_is_refused_and_nothing_is_stored(log, kind):
    log.append("run_started", 0.0, {})
    with pytest.raises(StoreError, match="invalid event kind"):
        log.append(kind, 1.0, {})
    with pytest.raises(StoreError, match="invalid event kind"):
        log.append_many([("record_taken", 1.0, {}), (kind, 2.0, {})])
    assert log.last_seq() == 1 and log.count() == 1
    assert log.append("run_finished", 2.0, {}) == 2


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"zones": {"a", "b"}}, r"payload\['zones'\] is a set"),
        ({"eta_s": math.nan}, r"payload\['eta_s'\] is nan"),
        ({"track": {"v": [1.0, math.inf]}}, r"payload\['track'\]\['v'\]\[1\] is inf"),
        ({"x": -math.inf}, r"payload\['x'\] is -inf"),
        ({"by_zone": {1: "warning"}}, r"payload\['by_zone'\] has key 1 of type int"),
        ({"raw": b"\x00"}, r"payload\['raw'\] is a bytes"),
        ({"when": object()}, r"payload\['when'\] is a object"),
        (["not", "a", "dict"], "payload must be a dict"),
        (None, "payload must be a dict"),
    ],
)
def test_a_payload_that_is_not_json_is_refused_and_nothing_is_stored(log, payload, problem):
    with pytest.raises(StoreError, match=problem):
        log.append("record_taken", 1.0, payload)
    with pytest.raises(StoreError, match=problem):
        log.append_many([("record_taken", 1.0, {"ok": 1}), ("record_taken", 2.0, payload)])
    assert log.last_seq() == 0 and log.count() == 0 and list(log.read()) == []
    assert log.append("record_taken", 3.0, {"ok": 1}) == 1


def test_a_cyclic_or_too_deep_payload_is_refused(log):
    cyclic: dict = {}
    cyclic["self"] = cyclic
    deep: list = []
    for _ in range(40):
        deep = [deep]
    for payload in (cyclic, {"deep": deep}):
        with pytest.raises(StoreError, match="nested more than"):
            log.append("record_taken", 1.0, payload)
    assert log.count() == 0


@pytest.mark.parametrize(
    "t_s", [math.nan, math.inf, "12.0", None, True, pytest.param(10**400, id="huge-int")]
)
def test_an_invalid_time_is_refused(log, t_s):
    with pytest.raises(StoreError, match="invalid t_s"):
        log.append("record_taken", t_s, {})
    assert log.count() == 0


def test_append_many_refuses_a_malformed_item(log):
    with pytest.raises(StoreError, match="item 1"):
        log.append_many([("record_taken", 1.0, {}), ("record_taken", 1.0)])
    assert log.last_seq() == 0


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=()), max_size=12)  # with lone surrogates
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
PAYLOADS = st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6)


def same(a, b) -> bool:
    """Equal, with equal types all the way down (1 is not 1.0 is not True; -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=PAYLOADS, t_s=st.floats(allow_nan=False, allow_infinity=False))
def test_payload_and_time_round_trip_exactly(log, payload, t_s):
    seq = log.append("record_taken", t_s, payload)
    if seq % 7 == 0:
        log.flush()
    (event,) = log.read(since_seq=seq - 1)
    assert isinstance(event, Event) and event.seq == seq
    assert same(event.payload, payload)
    assert same(event.t_s, float(t_s) + 0.0)  # a time of -0.0 is stored as 0.0


def test_last_of_finds_the_newest_event_of_a_kind_before_a_seq(log):
    assert log.last_of("snapshot_taken") is None
    fill(log, 6)  # kinds cycle: record_taken, track_confirmed, alert_decided
    newest = log.last_of("alert_decided")
    assert (newest.seq, newest.payload) == (6, {"i": 5})
    assert log.last_of("alert_decided", before_seq=6).seq == 3
    assert log.last_of("alert_decided", before_seq=3) is None
    assert log.last_of("record_taken", before_seq=100).seq == 4
    assert log.last_of("run_finished") is None
    log.flush()
    log.append("alert_decided", 1.0, {"i": 99})  # not flushed yet: still found
    assert log.last_of("alert_decided").payload == {"i": 99}


@pytest.mark.parametrize("kwargs", [{"kind": "Bad"}, {"kind": "x", "before_seq": -1},
                                    {"kind": "x", "before_seq": True}])  # fmt: skip
def test_last_of_refuses_bad_arguments(log, kwargs):
    with pytest.raises(StoreError):
        log.last_of(**kwargs)


def test_reading_several_kinds_across_many_pages_keeps_seq_order(log):
    kinds = ["record_taken"] * 7 + ["alert_decided", "record_taken", "cap_issued"] * 2
    log.append_many([(kinds[i % len(kinds)], float(i), {"i": i}) for i in range(5000)])
    every = list(log.read())
    cases = [
        ({"alert_decided", "cap_issued"}, 0, None),
        ({"alert_decided", "record_taken"}, 1234, None),
        ({"cap_issued", "alert_decided", "run_started"}, 10, 1500),
    ]
    for wanted, since, limit in cases:
        expect = [e for e in every if e.kind in wanted and e.seq > since][:limit]
        assert list(log.read(wanted, since_seq=since, limit=limit)) == expect
