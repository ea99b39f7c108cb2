"""Request signatures, the time window and nonces, without a server."""

from __future__ import annotations

import json

import pytest

from tocsin.api.auth import Authenticator, NonceCache, RequestRejected, load_keys, sign
from tocsin.errors import InputError

KEY = b"0123456789abcdef"


def _headers(body: bytes, ts="1000", nonce="nonce-0001", sensor="R1", key=KEY) -> dict:
    return {
        "x-tocsin-sensor": sensor,
        "x-tocsin-timestamp": ts,
        "x-tocsin-nonce": nonce,
        "x-tocsin-signature": sign(key, ts, nonce, body),
    }


def _auth(now=1000.0) -> Authenticator:
    return Authenticator({"R1": KEY}, 30.0, 120.0, clock=lambda: now)


def test_a_good_signature_names_the_sensor():
    assert _auth().check(_headers(b"x"), b"x") == "R1"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"x-tocsin-signature": "a" * 64}, "bad_signature"),
        ({"x-tocsin-signature": "not hex"}, "bad_signature"),
        ({"x-tocsin-nonce": ""}, "missing_header"),
        ({"x-tocsin-sensor": "R2"}, "unknown_sensor"),
        ({"x-tocsin-timestamp": "nan"}, "bad_timestamp"),
        ({"x-tocsin-nonce": "a b"}, "bad_nonce"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(change, reason):
    with pytest.raises(RequestRejected) as e:
        _auth().check(_headers(b"x") | change, b"x")
    assert e.value.reason == reason and e.value.status == 401


def test_the_body_is_signed():
    with pytest.raises(RequestRejected, match="does not match"):
        _auth().check(_headers(b"x"), b"y")


def test_timestamps_more_than_30_s_off_are_stale():
    auth = _auth(now=1000.0)
    assert auth.check(_headers(b"", ts="970", nonce="nonce-a-01"), b"") == "R1"
    with pytest.raises(RequestRejected, match="off the server's clock"):
        auth.check(_headers(b"", ts="969", nonce="nonce-a-02"), b"")
    with pytest.raises(RequestRejected):
        auth.check(_headers(b"", ts="1031", nonce="nonce-a-03"), b"")


def test_a_nonce_is_single_use_within_its_window():
    auth = _auth()
    auth.check(_headers(b"a"), b"a")
    with pytest.raises(RequestRejected) as e:
        auth.check(_headers(b"a"), b"a")
    assert e.value.reason == "replayed_nonce"


def test_a_forged_request_does_not_burn_the_nonce():
    auth = _auth()
    with pytest.raises(RequestRejected):
        auth.check(_headers(b"a") | {"x-tocsin-signature": "b" * 64}, b"a")
    assert auth.check(_headers(b"a"), b"a") == "R1"


def test_nonces_are_forgotten_after_the_window():
    cache = NonceCache(window_s=10.0)
    assert cache.add("R1", "n", 0.0) and not cache.add("R1", "n", 9.0)
    assert cache.add("R2", "n", 9.0)  # per sensor
    assert cache.add("R1", "n", 10.0) and len(cache) == 2


def test_keys_files_are_checked(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"R1": "long-enough-secret"}))
    assert load_keys(path) == {"R1": b"long-enough-secret"}
    path.write_text(json.dumps({"R1": "short"}))
    with pytest.raises(InputError, match="sensor 'R1'"):
        load_keys(path)
    path.write_text("[1]")
    with pytest.raises(InputError, match="expected an object"):
        load_keys(path)
