"""Validation and canonical encoding of events, shared by every backend.

A payload is a JSON object: a dict with ``str`` keys whose values are None,
bool, int, finite float, str, list, tuple (stored as a list) or such a dict,
nested at most ``MAX_DEPTH`` deep. It is encoded compactly with sorted keys
and ASCII escapes, so identical input always gives identical bytes:

>>> payload_to_json({"b": [1, 2.5, None], "a": "é"})
'{"a":"\\\\u00e9","b":[1,2.5,null]}'
>>> payload_to_json({"zones": {"871f1d489ffffff"}})
Traceback (most recent call last):
...
tocsin.errors.StoreError: payload['zones'] is a set, which is not JSON-serialisable
"""

from __future__ import annotations

import json
import math
import numbers
import re
import reprlib

from tocsin.errors import StoreError
from tocsin.store.base import KIND_PATTERN

MAX_DEPTH = 32
_KIND_RE = re.compile(KIND_PATTERN)
# No circular check: _check_value bounds the depth, so a cycle is refused before encoding.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True, check_circular=False
)
_MAX_CACHED_KINDS = 1024
_valid_kinds: set[str] = set()


class _BadValue(Exception):
    """A payload value cannot be stored; ``path`` is filled in while unwinding."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def check_kind(kind: object) -> str:
    """Return ``kind`` if it is a valid event kind, else raise StoreError."""
    if type(kind) is str and kind in _valid_kinds:
        return kind
    if not isinstance(kind, str) or _KIND_RE.fullmatch(kind) is None:
        raise StoreError(
            f"invalid event kind {reprlib.repr(kind)}: a kind must match {KIND_PATTERN}"
        )
    if type(kind) is str and len(_valid_kinds) < _MAX_CACHED_KINDS:
        _valid_kinds.add(kind)
    return kind


def check_t_s(t_s: object) -> float:
    """Return ``t_s`` as a float if it is a finite number of seconds, else raise StoreError.

    ``-0.0`` becomes ``0.0`` (SQLite, for one, does not keep the sign of a zero).
    """
    if type(t_s) is float and t_s - t_s == 0.0:  # fast path; inf - inf and nan are not 0
        return t_s + 0.0
    if isinstance(t_s, numbers.Real) and not isinstance(t_s, bool):
        try:
            value = float(t_s)
        except OverflowError:
            value = math.inf
        if math.isfinite(value):
            return value + 0.0
    raise StoreError(f"invalid t_s {reprlib.repr(t_s)}: must be a finite number of seconds")


_PLAIN = frozenset((str, int, bool, type(None)))


def _check_value(value: object, depth: int) -> None:
    kind = type(value)
    if kind in _PLAIN:
        return
    if kind is float:
        if value - value != 0.0:  # NaN or an infinity
            raise _BadValue(f"is {value!r}; NaN and infinities are not JSON")
        return
    if isinstance(value, (str, int)):  # subclasses: StrEnum, IntEnum
        return
    if isinstance(value, float):  # subclasses, e.g. numpy.float64
        if not math.isfinite(value):
            raise _BadValue(f"is {value!r}; NaN and infinities are not JSON")
        return
    if depth >= MAX_DEPTH:
        raise _BadValue(f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        for key in value:
            if type(key) is not str and not isinstance(key, str):
                raise _BadValue(
                    f"has key {reprlib.repr(key)} of type {type(key).__name__}; keys must be str"
                )
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        items = None
    if items is not None:
        for key, item in items:
            kind = type(item)
            if kind in _PLAIN or (kind is float and item - item == 0.0):
                continue
            try:
                _check_value(item, depth + 1)
            except _BadValue as bad:  # the path is spelt out only for a bad value
                bad.path.append(repr(key) if isinstance(value, dict) else str(key))
                raise
        return
    raise _BadValue(f"is a {type(value).__name__}, which is not JSON-serialisable")


def payload_to_json(payload: object) -> str:
    """The canonical JSON text of a payload; StoreError names the first bad value."""
    if not isinstance(payload, dict):
        raise StoreError(f"payload must be a dict (a JSON object), not {type(payload).__name__}")
    try:
        _check_value(payload, 0)
    except _BadValue as bad:
        where = "".join(f"[{step}]" for step in reversed(bad.path))
        raise StoreError(f"payload{where} {bad.reason}") from None
    return _ENCODER.encode(payload)


def json_to_payload(text: str) -> dict:
    """Decode a stored payload (raises ``ValueError`` if the text is not a JSON object)."""
    payload = json.loads(text)
    if not isinstance(payload, dict):
        raise ValueError(f"stored payload is a {type(payload).__name__}, not a JSON object")
    return payload


def encode_event(kind: object, t_s: object, payload: object) -> tuple[float, str, str]:
    """Validate one event and return ``(t_s, kind, payload_json)`` ready to store."""
    return check_t_s(t_s), check_kind(kind), payload_to_json(payload)
