"""Incidents over the API: operators by role, every change in the event log and the
transparent log, refusals naming the field."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from servecase import LAT0, LON0, live_server, wait_for

from tocsin.api.operators import token_hash
from tocsin.ledger import load_public_key, verify_lines
from tocsin.times import format_time

TOKENS = {"officer-a": "token-of-officer-a-0001", "desk-b": "token-of-desk-b-0002",
          "viewer": "token-of-a-viewer-0003"}  # fmt: skip
ROLES = {"officer-a": ["report", "confirm"], "desk-b": ["report"], "viewer": []}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    for srv in live_server(tmp_path_factory):
        doc = {o: {"token_sha256": token_hash(t), "roles": ROLES[o]} for o, t in TOKENS.items()}
        (srv.service.data_dir / "operators.json").write_text(json.dumps(doc))
        yield srv


def _as(op: str) -> dict:
    return {"Authorization": f"Bearer {TOKENS[op]}"}


def _post(live, path: str, body: dict, op: str | None = "officer-a") -> httpx.Response:
    headers = _as(op) if op else {}
    return httpx.post(f"{live.url}{path}", json=body, headers=headers, timeout=30)


def _new(**more) -> dict:
    return {"t": format_time(time.time() - 600), "lat": LAT0, "lon": LON0, **more}


def test_report_confirm_amend_retract_each_stored_with_who(live):
    r = _post(live, "/v1/incidents", _new(casualties={"injured": 2, "injured_children": 1},
                                          hospitals=["Town Hospital"]), op="desk-b")  # fmt: skip
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["status"] == "reported" and inc["casualties"]["injured"] == 2
    assert inc["history"][0]["by"] == "desk-b"
    iid = inc["id"]
    r = _post(live, f"/v1/incidents/{iid}/confirm", {"note": "fire service on site"})
    assert r.status_code == 200 and r.json()["status"] == "confirmed", r.text
    r = _post(live, f"/v1/incidents/{iid}/amend",
              {"note": "one more admitted", "casualties": {"injured": 3}}, op="desk-b")  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["casualties"]["injured"] == 3
    listed = httpx.get(f"{live.url}/v1/incidents", params={"status": "confirmed"}).json()
    mine = next(i for i in listed["incidents"] if i["id"] == iid)
    assert [(h["action"], h["by"]) for h in mine["history"]] == [
        ("reported", "desk-b"), ("confirmed", "officer-a"), ("amended", "desk-b")]  # fmt: skip
    r = _post(live, f"/v1/incidents/{iid}/retract", {"note": "duplicate of another report"})
    assert r.status_code == 200 and r.json()["status"] == "retracted"
    assert httpx.get(f"{live.url}/v1/incidents/{iid}").json()["status"] == "retracted"

    def chained():  # every change is in the transparent log, which verifies
        text = httpx.get(f"{live.url}/v1/log").content
        return text if text.count(f'"id":"{iid}"'.encode()) >= 4 else None

    text = wait_for(chained, "the incident's changes in the transparent log")
    pub = live.service.data_dir / "region.pub"
    assert verify_lines(text.splitlines(), load_public_key(pub)).ok
    kinds = [json.loads(ln).get("kind") for ln in text.splitlines() if f'"{iid}"'.encode() in ln]
    assert kinds == ["incident_reported"] + ["incident_changed"] * 3


def test_operators_need_a_token_and_the_role(live):
    assert _post(live, "/v1/incidents", _new(), op=None).status_code == 401
    bad = httpx.post(f"{live.url}/v1/incidents", json=_new(),
                     headers={"Authorization": "Bearer not-a-known-token-at-all"})  # fmt: skip
    assert bad.status_code == 401
    r = _post(live, "/v1/incidents", _new(), op="viewer")
    assert r.status_code == 403 and "report" in r.json()["detail"]
    iid = _post(live, "/v1/incidents", _new(), op="desk-b").json()["id"]
    r = _post(live, f"/v1/incidents/{iid}/confirm", {}, op="desk-b")
    assert r.status_code == 403 and "confirm" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (_new(lat=LAT0 + 1.0), "lat", "outside the region"),
        (_new(t=format_time(time.time() + 3600)), "t", "future"),
        (_new(casualties={"killed": 1, "killed_children": 2}), "killed_children", "exceed"),
        (_new(casualties={"injured": -1}), "injured", ">= 0"),
        (_new(kind="meteor"), "kind", "must be one of"),
        (_new(t="yesterday"), "t", "ISO 8601"),
    ],
)
def test_a_bad_incident_is_refused_naming_the_field(live, body, field, words):
    r = _post(live, "/v1/incidents", body)
    assert r.status_code == 422, r.text
    (d,) = r.json()["detail"]
    assert d["loc"][-1] == field and words in d["msg"], d


def test_changes_that_cannot_be_are_refused(live):
    assert _post(live, "/v1/incidents/I99999/confirm", {}).status_code == 404
    iid = _post(live, "/v1/incidents", _new()).json()["id"]
    r = _post(live, f"/v1/incidents/{iid}/retract", {"note": "  "})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "note"
    assert _post(live, f"/v1/incidents/{iid}/retract", {"note": "a hoax"}).status_code == 200
    r = _post(live, f"/v1/incidents/{iid}/confirm", {})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "status"
    assert "retracted" in r.json()["detail"][0]["msg"]
