"""POST /v1/detections: signed requests in; forged, stale, replayed and foreign ones refused."""

from __future__ import annotations

import time

import httpx
import pytest
from servecase import Sensor, live_server, plot


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    yield from live_server(tmp_path_factory)


def _metric(url: str, name: str, label: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith(name) and f'"{label}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_signed_request_is_taken_with_counts_and_reasons(live):
    r = Sensor(live.url).post([plot(time.time())])
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 1 and r.json()["rejected"] == 0
    body = b'{"t": "yesterday", "sensor": "R1"}\n{not json\n'
    r = Sensor(live.url).post(body)
    doc = r.json()
    assert r.status_code == 202
    assert doc["accepted"] == 0 and doc["rejected"] == 2
    assert doc["reasons"] == {"bad_json": 1, "bad_time": 1}
    assert [x["seq"] for x in doc["rejections"]] == [0, 1]
    assert doc["rejections"][1]["message"].startswith("line 1:")
    assert _metric(live.url, "tocsin_records_rejected_total", "bad_json") >= 1


def test_forged_stale_replayed_and_foreign_requests_are_refused_and_counted(live):
    s = Sensor(live.url)
    body = b'{"t": 1, "sensor": "R1"}\n'
    now = str(int(time.time()))
    cases = {
        "bad_signature": (401, s.headers(body) | {"X-Tocsin-Signature": "0" * 64}),
        "missing_header": (401, {"X-Tocsin-Sensor": "R1"}),
        "unknown_sensor": (401, Sensor(live.url, "R9", "k" * 16).headers(body)),
        "stale_timestamp": (401, s.headers(body, ts=str(int(time.time()) - 31))),
        "bad_timestamp": (401, s.headers(body, ts="soon")),
        "bad_nonce": (401, s.headers(body, nonce="short")),
    }
    # Signed with R1's key but claiming R2: the signature is checked with R2's key.
    cases["impostor"] = (401, {**s.headers(body, ts=now), "X-Tocsin-Sensor": "R2"})
    for reason, (status, headers) in cases.items():
        r = httpx.post(f"{live.url}/v1/detections", content=body, headers=headers)
        assert r.status_code == status, (reason, r.text)
        expect = "bad_signature" if reason == "impostor" else reason
        assert r.json()["reason"] == expect
        assert _metric(live.url, "tocsin_requests_rejected_total", expect) >= 1
    # A replay: the same signed request twice.
    h = s.headers(body)
    first = httpx.post(f"{live.url}/v1/detections", content=body, headers=h)
    again = httpx.post(f"{live.url}/v1/detections", content=body, headers=h)
    assert first.status_code == 202 and again.status_code == 401
    assert again.json()["reason"] == "replayed_nonce"
    # A record naming another sensor: the whole request is refused.
    mixed = [plot(time.time()), plot(time.time(), sensor="R2")]
    r = s.post(mixed)
    assert r.status_code == 403 and r.json()["reason"] == "wrong_sensor"
    assert _metric(live.url, "tocsin_requests_rejected_total", "wrong_sensor") >= 1


def test_refused_requests_change_nothing(live):
    before = httpx.get(f"{live.url}/metrics").text
    accepted = _metric(live.url, "tocsin_records_total", "accepted")
    s = Sensor(live.url)
    body = b"".join(
        (b'{"t": %f, "sensor": "R1", "lat": 50.0, "lon": 36.2, "sigma_m": 50}\n' % time.time())
        for _ in range(3)
    )
    h = s.headers(body) | {"X-Tocsin-Signature": "f" * 64}
    assert httpx.post(f"{live.url}/v1/detections", content=body, headers=h).status_code == 401
    assert _metric(live.url, "tocsin_records_total", "accepted") == accepted
    assert "tocsin_records_total" in before


def test_oversized_bodies_are_refused(live):
    s = Sensor(live.url)
    big = b"x" * (live.service.settings.ingest.max_body_bytes + 1)
    r = s.post(big)
    assert r.status_code == 413 and r.json()["reason"] == "too_large"
