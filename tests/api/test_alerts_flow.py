"""A drone's plots posted live: its alerts reach SSE, /v1/alerts, GeoJSON, the feed and pushes."""

from __future__ import annotations

import feedparser
import httpx
import pytest
from servecase import LAT0, LON0, SseReader, fly, live_server, wait_for

from tocsin.alert.cap import validate_cap


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    yield from live_server(tmp_path_factory)


@pytest.fixture(scope="module")
def raid(live):
    town = httpx.post(
        f"{live.url}/v1/subscriptions",
        json={"point": {"lat": LAT0, "lon": LON0}, "target": {"kind": "push", "address": "tok-1"}},
    )
    assert town.status_code == 201, town.text
    sse = SseReader(live.url)
    fly(live.url, 6)
    wait_for(
        lambda: any(r["level"] == "warning" and r["event"] == "onset" for _, r in sse.rows),
        "a warning onset on the SSE stream",
    )
    sse.close()
    return sse.rows, town.json(), sse.ids


def test_the_warning_reaches_the_stream_and_the_alert_list(live, raid):
    rows, *_ = raid
    assert all(set(r) >= {"t", "zone", "event", "level", "cap"} for _, r in rows)
    onsets = {(r["zone"], r["level"]) for _, r in rows if r["event"] == "onset"}
    listed = httpx.get(f"{live.url}/v1/alerts").json()["alerts"]
    in_force = {(a["zone"], a["level"]) for a in listed}
    assert onsets <= in_force
    assert all(a["tracks"] and a["cap"].startswith("urn:tocsin:") for a in listed)
    assert "Town" in {a["name"] for a in listed}


def test_geojson_has_a_closed_hexagon_per_alert(live, raid):
    r = httpx.get(f"{live.url}/v1/alerts.geojson")
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    listed = httpx.get(f"{live.url}/v1/alerts").json()["alerts"]
    assert len(doc["features"]) >= len(listed) - 5  # alerts may change between the calls
    for f in doc["features"]:
        ring = f["geometry"]["coordinates"][0]
        assert len(ring) >= 7 and ring[0] == ring[-1]  # a hexagon (H3 may add a vertex)
        lon, lat = ring[0]
        assert abs(lat - LAT0) < 1 and abs(lon - LON0) < 1


def test_the_atom_feed_links_valid_cap_messages(live, raid):
    feed = feedparser.parse(httpx.get(f"{live.url}/v1/cap/feed.atom").content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries
    for entry in feed.entries[:10]:
        href = next(link.href for link in entry.links if link.type == "application/cap+xml")
        assert href.startswith(live.url + "/v1/cap/") and href.endswith(".xml")
        cap = httpx.get(href)
        assert cap.status_code == 200
        assert cap.headers["content-type"].startswith("application/cap+xml")
        validate_cap(cap.content)
        assert entry.id.encode() in cap.content
        assert "EXERCISE" in entry.title  # the default status is Exercise
    assert httpx.get(f"{live.url}/v1/cap/999999.xml").status_code == 404


def test_subscribers_of_an_alerted_zone_are_handed_to_the_gateway(live, raid):
    _, town, _ = raid
    wait_for(
        lambda: any(b.row["zone"] == town["zone"] for b in live.gateway.batches),
        "the fan-out to reach the town's subscriber",
    )
    batch = next(b for b in live.gateway.batches if b.row["zone"] == town["zone"])
    assert batch.subscribers.tolist() == [town["id"]]
    assert live.service.subscribers.targets[town["id"]]["address"] == "tok-1"


def test_subscriptions_outside_the_region_are_refused(live):
    r = httpx.post(
        f"{live.url}/v1/subscriptions",
        json={"point": {"lat": 10.0, "lon": 10.0}, "target": {"kind": "sms", "address": "+1"}},
    )
    assert r.status_code == 422
    r = httpx.post(f"{live.url}/v1/subscriptions", json={"target": {"kind": "sms", "address": "1"}})
    assert r.status_code == 422
    made = httpx.post(
        f"{live.url}/v1/subscriptions",
        json={"zone": live.service.region.zones.ids[0], "target": {"kind": "sms", "address": "2"}},
    ).json()
    assert httpx.delete(f"{live.url}/v1/subscriptions/{made['id']}").status_code == 204
    assert httpx.delete(f"{live.url}/v1/subscriptions/{made['id']}").status_code == 404


def test_metrics_show_tracks_alerts_and_latency(live, raid):
    text = httpx.get(f"{live.url}/metrics").text
    assert 'tocsin_tracks{status="confirmed"}' in text
    line = next(
        x for x in text.splitlines() if x.startswith('tocsin_alerts_active{level="warning"}')
    )
    assert float(line.split()[-1]) >= 1
    assert "tocsin_publish_latency_seconds_count" in text
    assert 'tocsin_queue_depth{queue="ingest"}' in text


def test_a_client_that_reconnects_gets_what_it_missed(live, raid):
    rows, _, ids = raid
    assert len(ids) == len(rows) >= 3
    headers = {"Last-Event-ID": ids[-3]}
    got = []
    with httpx.stream("GET", f"{live.url}/v1/stream", headers=headers, timeout=10) as r:
        for line in r.iter_lines():
            if line.startswith("id: "):
                got.append(line[4:])
            if len(got) == 2:
                break
    assert got == ids[-2:]
