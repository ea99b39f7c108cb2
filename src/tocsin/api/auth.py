"""Signed ingest requests: HMAC-SHA256 per sensor, a time window and single-use nonces.

A request carries ``X-Tocsin-Sensor``, ``X-Tocsin-Timestamp`` (Unix seconds),
``X-Tocsin-Nonce`` and ``X-Tocsin-Signature``, the hex HMAC-SHA256 of
``timestamp + "\\n" + nonce + "\\n" + body`` under that sensor's secret
(``keys.json``: ``{"R1": "secret", ...}``). A nonce is remembered for the
nonce window after its first good use, so a captured request cannot be played
again while its timestamp is still inside the allowed skew.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.errors import InputError

H_SENSOR = "x-tocsin-sensor"
H_TIMESTAMP = "x-tocsin-timestamp"
H_NONCE = "x-tocsin-nonce"
H_SIGNATURE = "x-tocsin-signature"
_NONCE = re.compile(r"[A-Za-z0-9._~+/=-]{8,128}")
_HEX = re.compile(r"[0-9a-fA-F]{64}")

# Reasons a whole request is refused, with the HTTP status for each.
REQUEST_REJECTIONS = {
    "missing_header": 401,
    "unknown_sensor": 401,
    "bad_timestamp": 401,
    "stale_timestamp": 401,
    "bad_nonce": 401,
    "bad_signature": 401,
    "replayed_nonce": 401,
    "wrong_sensor": 403,  # a record names a sensor other than the signer
}


class RequestRejected(Exception):
    """A request refused as a whole; ``reason`` is a key of REQUEST_REJECTIONS."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = REQUEST_REJECTIONS[reason]


def sign(secret: str | bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """The hex signature of a request, as a sensor computes it.

    >>> sign("k", "1700000000", "n0nce-0001", b'{"t": 1}')[:16]
    '6078e72f472c9905'
    """
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    msg = timestamp.encode("ascii") + b"\n" + nonce.encode("ascii") + b"\n" + body
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def load_keys(path: str | Path) -> dict[str, bytes]:
    """Sensor id -> secret from ``keys.json``; InputError names the file and the entry."""
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the sensor keys: {e.strerror or e}") from e
    except ValueError as e:
        raise InputError(f"{path}: not valid JSON: {e}") from e
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected an object mapping sensor ids to secrets")
    keys = {}
    for sid, secret in doc.items():
        if not isinstance(secret, str) or len(secret) < 16:
            raise InputError(f"{path}: sensor {sid!r}: the secret must be a string of 16+ chars")
        keys[sid] = secret.encode("utf-8")
    return keys


@dataclass
class NonceCache:
    """Nonces seen in the last ``window_s``, per sensor; oldest forgotten first."""

    window_s: float
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _order: deque = field(default_factory=deque)

    def add(self, sensor: str, nonce: str, now_s: float) -> bool:
        """Remember a nonce; False if it was already seen within the window."""
        while self._order and self._order[0][0] <= now_s - self.window_s:
            _, key = self._order.popleft()
            self._seen.discard(key)
        key = (sensor, nonce)
        if key in self._seen:
            return False
        self._seen.add(key)
        self._order.append((now_s, key))
        return True

    def __len__(self) -> int:
        return len(self._seen)


@dataclass
class Authenticator:
    """Checks a request's headers and signature; returns the signing sensor's id."""

    keys: Mapping[str, bytes]
    max_skew_s: float = 30.0
    nonce_window_s: float = 120.0
    clock: Callable[[], float] = time.time
    nonces: NonceCache = field(init=False)

    def __post_init__(self) -> None:
        self.nonces = NonceCache(self.nonce_window_s)

    def check(self, headers: Mapping[str, str], body: bytes, now_s: float | None = None) -> str:
        """The sensor id, or RequestRejected with the reason.

        ``now_s`` is when the request reached Tocsin or its broker (default: now).
        """
        got = {h: headers.get(h) for h in (H_SENSOR, H_TIMESTAMP, H_NONCE, H_SIGNATURE)}
        missing = [h for h, v in got.items() if not v]
        if missing:
            raise RequestRejected("missing_header", f"missing header {missing[0]}")
        sensor, stamp, nonce, sig = (got[h] for h in (H_SENSOR, H_TIMESTAMP, H_NONCE, H_SIGNATURE))
        secret = self.keys.get(sensor)
        if secret is None:
            raise RequestRejected("unknown_sensor", f"{H_SENSOR}: no key for sensor {sensor!r}")
        try:
            ts = float(stamp)
        except ValueError:
            ts = math.nan
        if not math.isfinite(ts) or not stamp.isascii():
            raise RequestRejected("bad_timestamp", f"{H_TIMESTAMP} must be Unix seconds")
        now = self.clock() if now_s is None else now_s
        if abs(now - ts) > self.max_skew_s:
            raise RequestRejected(
                "stale_timestamp", f"{H_TIMESTAMP} is {now - ts:+.0f} s off the server's clock"
            )
        if not _NONCE.fullmatch(nonce):
            raise RequestRejected("bad_nonce", f"{H_NONCE} must be 8-128 URL-safe characters")
        if not _HEX.fullmatch(sig) or not hmac.compare_digest(
            sign(secret, stamp, nonce, body), sig.lower()
        ):
            raise RequestRejected("bad_signature", f"{H_SIGNATURE} does not match the body")
        if not self.nonces.add(sensor, nonce, now):
            raise RequestRejected("replayed_nonce", f"{H_NONCE} was already used")
        return sensor
