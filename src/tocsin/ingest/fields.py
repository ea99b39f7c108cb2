"""Checks of single fields of a JSON object, shared by the registry and records.

Each check returns the value (numbers as float) or the default when the field
is absent or null, and raises ``FieldError`` with a stable reason code and a
message naming the field otherwise. JSON ``true``/``false`` are never numbers.
"""

from __future__ import annotations

import math

from tocsin.times import parse_time

REQUIRED = object()  # default meaning "the field must be there"

# Sanity bounds of this implementation (the spec gives only the lower ones):
# beyond them the linearised conversions and the local frame mean nothing.
MAX_DISTANCE_M = 1_000_000.0  # ranges, range_max_m and sigma_m
MAX_SIGMA_DEG = 180.0
MAX_COUNT = 10_000
MIN_TIME_S = 0.0  # 1970-01-01
MAX_TIME_S = 4_102_444_800.0  # 2100-01-01


class FieldError(Exception):
    """One bad field: ``reason`` is a stable code, ``field`` its name."""

    def __init__(self, reason: str, field: str | None, text: str) -> None:
        super().__init__(text)
        self.reason = reason
        self.field = field
        self.text = text


def show(value: object) -> str:
    """A short, escaped rendering of an untrusted value for messages."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {str: "a string", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def number(rec: dict, key: str, default=None) -> float | None:
    """A finite number."""
    v = rec.get(key)
    if v is None:
        if default is REQUIRED:
            raise FieldError("missing_field", key, f"{key!r} is required")
        return default
    tv = type(v)
    if tv is float:
        if v - v != 0.0:  # NaN or ±inf (1e999 in JSON parses to inf)
            raise FieldError("not_finite", key, f"{key!r} must be a finite number, not {v!r}")
        return v
    if tv is int:
        try:
            return float(v)
        except OverflowError:
            raise FieldError("not_finite", key, f"{key!r} must be a finite number") from None
    raise FieldError("bad_type", key, f"{key!r} must be a number, not {_type_name(v)}")


def positive(rec: dict, key: str, default=None, hi: float = MAX_DISTANCE_M) -> float | None:
    """A finite number in (0, hi]."""
    v = number(rec, key, default)
    if v is not None and not 0.0 < v <= hi:
        raise FieldError(
            "out_of_range", key, f"{key!r} must be a finite number > 0 and <= {hi:g}, not {v!r}"
        )
    return v


def angle(rec: dict, key: str, default=None) -> float | None:
    """An angle in degrees in [0, 360)."""
    v = number(rec, key, default)
    if v is not None and not 0.0 <= v < 360.0:
        raise FieldError("out_of_range", key, f"{key!r} must be in [0, 360), not {v!r}")
    return v


def bounded(rec: dict, key: str, lo: float, hi: float, default=None) -> float | None:
    """A finite number in [lo, hi]."""
    v = number(rec, key, default)
    if v is not None and not lo <= v <= hi:
        raise FieldError("out_of_range", key, f"{key!r} must be in [{lo:g}, {hi:g}], not {v!r}")
    return v


def latlon(rec: dict, default=REQUIRED) -> tuple[float | None, float | None]:
    """``lat`` in [-90, 90] and ``lon`` in [-180, 180]; both or (when optional) neither."""
    lat = bounded(rec, "lat", -90.0, 90.0, default)
    lon = bounded(rec, "lon", -180.0, 180.0, REQUIRED if lat is not None else default)
    if lat is None and lon is not None:
        raise FieldError("missing_field", "lat", "'lat' is required with 'lon'")
    return lat, lon


def count(rec: dict, key: str, default: int = 1) -> int:
    """A whole number in [1, MAX_COUNT]."""
    v = rec.get(key)
    if v is None:
        return default
    if type(v) is not int:
        raise FieldError("bad_type", key, f"{key!r} must be a whole number, not {_type_name(v)}")
    if not 1 <= v <= MAX_COUNT:
        raise FieldError("out_of_range", key, f"{key!r} must be in [1, {MAX_COUNT}], not {show(v)}")
    return v


def text(rec: dict, key: str, default=None, *, allow_int: bool = False) -> str | None:
    """A non-empty string of valid Unicode (an int too, as its decimal text, if allowed)."""
    v = rec.get(key)
    if v is None:
        if default is REQUIRED:
            raise FieldError("missing_field", key, f"{key!r} is required")
        return default
    if allow_int and type(v) is int:
        return str(v)
    if type(v) is not str:
        raise FieldError("bad_type", key, f"{key!r} must be a string, not {_type_name(v)}")
    if not v:
        raise FieldError("out_of_range", key, f"{key!r} must not be empty")
    if not v.isascii():
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a \\ud800 escape
            raise FieldError("bad_encoding", key, f"{key!r} is not valid Unicode") from None
    return v


def time(rec: dict, key: str, default=None) -> float | None:
    """A time (ISO 8601 with a zone, or Unix seconds) as Unix seconds, within sane years."""
    v = rec.get(key)
    if v is None:
        if default is REQUIRED:
            raise FieldError("missing_field", key, f"{key!r} is required")
        return default
    if type(v) not in (str, int, float):
        raise FieldError(
            "bad_type", key, f"{key!r} must be an ISO 8601 string or a number, not {_type_name(v)}"
        )
    try:
        t = parse_time(v)
    except (ValueError, OverflowError):
        raise FieldError("bad_time", key, f"{key!r} is not a valid time: {show(v)}") from None
    if not MIN_TIME_S <= t < MAX_TIME_S:
        raise FieldError("bad_time", key, f"{key!r} must be between 1970 and 2100, not {show(v)}")
    return t


def finite_everywhere(value: object) -> bool:
    """Whether a parsed JSON value holds no NaN or infinite float, at any depth."""
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is dict:
        return all(finite_everywhere(v) for v in value.values())
    if type(value) is list:
        return all(finite_everywhere(v) for v in value)
    return True
