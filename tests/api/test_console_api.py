"""The console's HTTP API on a live service: accounts, sessions, CSRF, the two-person rule,
cancel, drills and the audit trail in the event log."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import httpx
import pytest
from servecase import ThreadServer, fly, settings_for, steps, wait_for, write_scene

from tocsin.api.accounts import add_account, check_password, load_accounts

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("console")
    paths = write_scene(root)
    data = root / "data"
    for name, role in (("ann", "operator"), ("bob", "operator"), ("vic", "viewer"),
                       ("sue", "supervisor")):  # fmt: skip
        add_account(data / "accounts.json", name, role, PASSWORD)
    srv = ThreadServer(settings_for(paths, data))
    srv.data = data
    yield srv
    srv.stop()


def login(url: str, name: str, password: str = PASSWORD) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=30)
    r = c.post("/v1/console/login", json={"name": name, "password": password})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf"]
    c.cookie_header = r.headers["set-cookie"]
    return c


def town_zone(live) -> str:
    geo = httpx.get(f"{live.url}/v1/region.geojson").json()
    return next(f["properties"]["zone"] for f in geo["features"]
                if f["properties"].get("name") == "Town")  # fmt: skip


def events(live, kind: str) -> list[str]:
    with sqlite3.connect(live.data / "events.sqlite") as db:
        return [r[0] for r in db.execute("SELECT payload FROM events WHERE kind = ?", (kind,))]


def test_passwords_are_scrypt_hashes_never_clear(live):
    doc = load_accounts(live.data / "accounts.json")
    assert PASSWORD not in (live.data / "accounts.json").read_text()
    assert doc["ann"]["password"].startswith("scrypt$16384$8$1$")
    assert check_password(PASSWORD, doc["ann"]["password"])
    assert not check_password("wrong password", doc["ann"]["password"])


def test_the_cli_adds_an_account_from_a_password_file(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("another long password\n")
    cmd = [sys.executable, "-m", "tocsin.cli", "operator", "add", "dan", "--role", "supervisor",
           "--data", str(tmp_path), "--password-file", str(pw)]  # fmt: skip
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    entry = load_accounts(tmp_path / "accounts.json")["dan"]
    assert entry["role"] == "supervisor"
    assert check_password("another long password", entry["password"])
    assert subprocess.run(cmd, capture_output=True).returncode == 2  # exists: --replace


def test_login_sets_a_strict_http_only_cookie_and_wrong_passwords_fail(live):
    r = httpx.post(f"{live.url}/v1/console/login", json={"name": "ann", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    bad = httpx.post(f"{live.url}/v1/console/login", json={"name": "ann", "password": "nope"})
    assert bad.status_code == 401
    assert httpx.get(f"{live.url}/v1/console/state").status_code == 401


def test_changes_need_the_csrf_token_and_the_role(live):
    ann, vic = login(live.url, "ann"), login(live.url, "vic")
    body = {"level": "warning", "settlements": ["Town"], "template": "attack_expected"}
    no_token = httpx.post(f"{live.url}/v1/console/drafts", json=body,
                          cookies=ann.cookies)  # fmt: skip
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    assert vic.post("/v1/console/drafts", json=body).status_code == 403
    assert vic.get("/v1/console/state").status_code == 200


def test_one_account_alone_cannot_issue_a_manual_alert_two_can(live):
    ann, bob = login(live.url, "ann"), login(live.url, "bob")
    body = {"level": "warning", "settlements": ["Town"], "template": "attack_expected",
            "hold_min": 30}  # fmt: skip
    r = ann.post("/v1/console/drafts", json=body)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["zones"] == [town_zone(live)]
    own = ann.post(f"/v1/console/drafts/{draft['id']}/approve")
    assert own.status_code == 409 and "cannot approve" in own.json()["detail"]
    assert httpx.get(f"{live.url}/v1/alerts").json()["alerts"] == []
    ok = bob.post(f"/v1/console/drafts/{draft['id']}/approve")
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == ["Exercise"]  # the service runs as a drill
    alerts = httpx.get(f"{live.url}/v1/alerts").json()["alerts"]
    assert [(a["zone"], a["level"]) for a in alerts] == [(town_zone(live), "warning")]
    st = ann.get("/v1/console/state").json()
    (m,) = st["alerts"]
    assert (m["drafted_by"], m["approved_by"]) == ("ann", "bob")

    cancel = ann.post(f"/v1/console/alerts/{m['id']}/cancel", json={"template": "cancel_error"})
    assert cancel.status_code == 200, cancel.text
    seq = cancel.json()["caps"][0].rpartition(":")[2]
    xml = httpx.get(f"{live.url}/v1/cap/{seq}.xml").text
    assert "<msgType>Cancel</msgType>" in xml and "<references>" in xml
    assert httpx.get(f"{live.url}/v1/alerts").json()["alerts"] == []
    actions = " ".join(events(live, "manual_action"))
    for word in ('"draft"', '"approval_refused"', '"issue"', '"approved"', '"cancel"'):
        assert word in actions


def test_an_automatic_alert_is_cancelled_and_its_zones_stand_down(live):
    ann, vic = login(live.url, "ann"), login(live.url, "vic")
    fly(live.url, 6)

    def warnings():
        auto = ann.get("/v1/console/state").json()["automatic"]
        return [a for a in auto if a["level"] == "warning"]

    wait_for(warnings, "an automatic warning on the console")
    warn = warnings()[0]
    assert warn["cap"].startswith("urn:tocsin:") and len(warn["names"]) == len(warn["zones"])
    body = {"level": "warning", "zones": warn["zones"], "template": "cancel_error",
            "hold_min": 10}  # fmt: skip
    assert vic.post("/v1/console/automatic/cancel", json=body).status_code == 403
    r = ann.post("/v1/console/automatic/cancel", json=body)
    assert r.status_code == 200, r.text
    (ident,) = r.json()["caps"]
    xml = httpx.get(f"{live.url}/v1/cap/{ident.rpartition(':')[2]}.xml").text
    assert "<msgType>Cancel</msgType>" in xml and warn["cap"] in xml

    def warned() -> set[str]:
        alerts = httpx.get(f"{live.url}/v1/alerts").json()["alerts"]
        return {a["zone"] for a in alerts if a["level"] == "warning"}

    assert not warned() & set(warn["zones"])
    before = steps(live.url)
    wait_for(lambda: steps(live.url) >= before + 3, "three more engine steps")
    assert not warned() & set(warn["zones"])  # the track is still there: no re-issue
    held = ann.get("/v1/console/state").json()["stood_down"]
    assert {h["zone"] for h in held} >= set(warn["zones"]) and {h["by"] for h in held} == {"ann"}
    again = ann.post("/v1/console/automatic/cancel", json=body)
    assert again.status_code == 422 and "no automatic warning" in again.json()["detail"]
    actions = " ".join(events(live, "manual_action"))
    assert '"stand_down"' in actions and '"stand_down_refused"' in actions


def test_drills_start_and_stop_and_logins_are_in_the_event_log(live):
    sue = login(live.url, "sue")
    assert sue.post("/v1/console/drill/start").json()["drill"]["by"] == "sue"
    assert sue.post("/v1/console/drill/start").status_code == 409
    assert sue.get("/v1/console/state").json()["drill"] is not None
    assert sue.post("/v1/console/drill/stop").status_code == 200
    assert sue.post("/v1/console/logout").status_code == 200
    assert sue.get("/v1/console/state").status_code == 401
    audit = " ".join(events(live, "operator_action"))
    for word in ('"login"', '"login_failed"', '"logout"'):
        assert word in audit
    assert PASSWORD not in audit
    wait_for(lambda: '"drill_stop"' in " ".join(events(live, "manual_action")), "the drill stop")


def test_sensor_health_names_silent_sensors_and_gaps(live):
    vic = login(live.url, "vic")
    doc = vic.get("/v1/console/health.geojson", params={"silent_s": 0}).json()
    states = {f["properties"]["sensor"]: f["properties"]["state"]
              for f in doc["features"] if "sensor" in f["properties"]}  # fmt: skip
    assert states == {"R1": "silent", "R2": "silent"}
    assert doc["gap_zones"] == doc["zones"] > 0  # no live sensor: every zone is a gap
