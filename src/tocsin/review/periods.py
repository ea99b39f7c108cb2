"""Calendar periods (days, months) in a time zone, and intervals split across them.

>>> from zoneinfo import ZoneInfo
>>> msk = ZoneInfo("Europe/Moscow")
>>> period_of(1795554000.0, "day", msk)  # 2026-11-24T21:00Z is past midnight in Moscow
'2026-11-25'
>>> list(split(1795554000.0 - 60, 1795554000.0 + 90, "day", msk))
[('2026-11-24', 60.0), ('2026-11-25', 90.0)]
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo

PERIODS = ("day", "month")


def period_of(t_s: float, period: str, tz: tzinfo = UTC) -> str:
    """The day (YYYY-MM-DD) or month (YYYY-MM) holding t_s in the time zone."""
    dt = datetime.fromtimestamp(t_s, tz)
    return dt.strftime("%Y-%m-%d" if period == "day" else "%Y-%m")


def next_boundary(t_s: float, period: str, tz: tzinfo = UTC) -> float:
    """The start of the next day or month after t_s, in Unix seconds."""
    dt = datetime.fromtimestamp(t_s, tz)
    if period == "day":
        nxt = datetime.combine(dt.date() + timedelta(days=1), datetime.min.time(), tz)
    elif period == "month":
        year, month = (dt.year + 1, 1) if dt.month == 12 else (dt.year, dt.month + 1)
        nxt = datetime(year, month, 1, tzinfo=tz)
    else:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    return nxt.timestamp()


def split(
    start_s: float, end_s: float, period: str, tz: tzinfo = UTC
) -> Iterator[tuple[str, float]]:
    """(period, seconds) of the interval [start_s, end_s) falling in each period."""
    a = start_s
    while a < end_s:
        b = min(end_s, next_boundary(a, period, tz))
        yield period_of(a, period, tz), b - a
        a = b


def union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merge overlapping intervals.

    >>> union([(5, 8), (0, 2), (1, 3), (8, 9)])
    [(0, 3), (5, 9)]
    """
    out: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
