"""Signed envelopes of records sent through a message broker (MQTT or NATS).

A sensor publishes to ``tocsin/detections/<sensor-id>`` (NATS subject
``tocsin.detections.<sensor-id>``) a JSON object
``{"sensor", "ts", "nonce", "body", "sig"}``: ``body`` is the JSON Lines text
of its records, and ``sig`` the hex HMAC-SHA256 of ``ts + "\\n" + nonce +
"\\n" + body`` under the sensor's secret, exactly as the headers of an HTTP
request sign it. ``ts`` is Unix seconds, as a string or a whole number.
"""

from __future__ import annotations

import json

HEADERS = ("x-tocsin-sensor", "x-tocsin-timestamp", "x-tocsin-nonce", "x-tocsin-signature")


class EnvelopeError(ValueError):
    """A broker message that is not a signed envelope; the message names the field."""


def envelope_to_request(data: bytes) -> tuple[dict[str, str], bytes]:
    """The signature headers and the body an envelope carries, as an HTTP request has them.

    >>> h, body = envelope_to_request(b'{"sensor": "R1", "ts": 1700000000, "nonce": "n-000001",'
    ...                               b' "body": "{}\\\\n", "sig": "ab"}')
    >>> h["x-tocsin-timestamp"], body
    ('1700000000', b'{}\\n')
    """
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise EnvelopeError(f"not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise EnvelopeError("not a JSON object")
    ts = doc.get("ts")
    if isinstance(ts, int) and not isinstance(ts, bool):
        ts = str(ts)
    values = {}
    for header, key, value in zip(HEADERS, ("sensor", "ts", "nonce", "sig"),
                                  (doc.get("sensor"), ts, doc.get("nonce"), doc.get("sig")),
                                  strict=True):  # fmt: skip
        if not isinstance(value, str) or not value:
            raise EnvelopeError(f"'{key}' must be a non-empty string")
        values[header] = value
    body = doc.get("body")
    if not isinstance(body, str):
        raise EnvelopeError("'body' must be a string of JSON Lines")
    return values, body.encode("utf-8")


def request_to_envelope(sensor: str, ts: str, nonce: str, body: bytes, sig: str) -> bytes:
    """The envelope a sensor publishes (the inverse of ``envelope_to_request``)."""
    doc = {"sensor": sensor, "ts": ts, "nonce": nonce, "body": body.decode("utf-8"), "sig": sig}
    return json.dumps(doc).encode("utf-8")
