"""Webhook delivery: retries with backoff, a dead-letter file, other target kinds left alone."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from tocsin.publish.base import PushBatch
from tocsin.publish.webhook import WebhookGateway


class Receiver:
    """A webhook endpoint on loopback that fails its first ``fail`` requests with 503."""

    def __init__(self, fail: int = 0) -> None:
        self.got: list[dict] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(503)
                else:
                    cap = self.headers["Content-Type"] == "application/cap+xml"
                    outer.got.append(body if cap else json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _wait(check, deadline_s=20.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.fixture()
def receiver():
    r = Receiver(fail=2)
    yield r
    r.close()


def test_a_webhook_is_retried_until_it_is_taken(tmp_path, receiver):
    targets = {0: {"kind": "webhook", "address": receiver.url}, 1: {"kind": "sms", "address": "1"}}
    gw = WebhookGateway(targets.get, tmp_path / "dead.jsonl", attempts=4, backoff_s=0.01)
    row = {"zone": "z", "event": "onset", "level": "warning"}
    gw.deliver(PushBatch(row=row, subscribers=np.array([0, 1, 7])))
    _wait(lambda: gw.delivered == 1)
    gw.stop()
    assert receiver.got == [row] and gw.dead == 0
    assert not (tmp_path / "dead.jsonl").exists()


def test_what_cannot_be_delivered_goes_to_the_dead_letter_file(tmp_path, receiver):
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens there any more
    gw = WebhookGateway({0: {"kind": "webhook", "address": url}}.get, tmp_path / "dead.jsonl",
                        attempts=3, backoff_s=0.01, timeout_s=1.0)  # fmt: skip
    gw.deliver(PushBatch(row={"zone": "z"}, subscribers=np.array([0])))
    _wait(lambda: gw.dead == 1)
    gw.stop()
    (line,) = (tmp_path / "dead.jsonl").read_text().splitlines()
    doc = json.loads(line)
    assert doc["url"] == url and doc["row"] == {"zone": "z"} and doc["error"]


def test_a_cap_webhook_gets_the_cap_message(tmp_path):
    r = Receiver()
    try:
        targets = {0: {"kind": "webhook", "address": r.url, "format": "cap"}}
        caps = {"urn:tocsin:x:7": b"<alert>7</alert>"}
        gw = WebhookGateway(targets.get, tmp_path / "dead.jsonl", cap_xml=caps.get)
        gw.deliver(PushBatch(row={"zone": "z", "cap": "urn:tocsin:x:7"}, subscribers=np.array([0])))
        _wait(lambda: gw.delivered == 1)
        gw.stop()
        assert r.got == [b"<alert>7</alert>"]
    finally:
        r.close()
