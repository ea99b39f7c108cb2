"""Time stamps of the interchange formats: parse both forms, write one.

Tocsin keeps times as float Unix seconds (UTC) inside; files carry ISO 8601.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime


def parse_time(value: object) -> float:
    """Unix seconds from an ISO 8601 string with a zone, or a number of seconds.

    >>> parse_time("2026-11-24T21:00:00.250Z")
    1795554000.25
    >>> parse_time(1795554000)
    1795554000.0
    """
    if isinstance(value, bool):
        raise ValueError("a time must be an ISO 8601 string or a number, not a boolean")
    if isinstance(value, (int, float)):
        t = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as e:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from e
        if dt.tzinfo is None:
            raise ValueError(f"time has no zone offset: {value!r}")
        t = dt.timestamp()
    else:
        raise ValueError(
            f"a time must be an ISO 8601 string or a number, not {type(value).__name__}"
        )
    if not math.isfinite(t):
        raise ValueError(f"time is not finite: {value!r}")
    return t


def format_time(t_s: float) -> str:
    """ISO 8601 UTC with milliseconds and a Z, as Tocsin writes every time.

    >>> format_time(1795554000.25)
    '2026-11-24T21:00:00.250Z'
    """
    ms = round(t_s * 1000.0)
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def format_cap_time(t_s: float) -> str:
    """CAP 1.2 time: whole seconds with an explicit +00:00 offset, no fractions.

    >>> format_cap_time(1795554000.9)
    '2026-11-24T21:00:00+00:00'
    """
    dt = datetime.fromtimestamp(math.floor(t_s), tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
