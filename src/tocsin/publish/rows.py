"""Alert changes as rows of ``alerts.jsonl`` (spec §4): one shape for files and live streams."""

from __future__ import annotations

from tocsin.messages import AlertChange
from tocsin.times import format_time


def change_to_row(c: AlertChange, cap: str | None) -> dict:
    """The alerts.jsonl row of one change; ``cap`` is the announcing message's identifier.

    >>> change_to_row(AlertChange(t_s=0.0, zone="z", event="clear", level="warning"), "urn:x:1")
    {'t': '1970-01-01T00:00:00.000Z', 'zone': 'z', 'event': 'clear', 'level': 'warning', \
'cap': 'urn:x:1'}
    """
    row: dict = {"t": format_time(c.t_s), "zone": c.zone, "event": c.event, "level": c.level}
    if c.event != "clear":
        row["eta_s"] = round(c.eta_s, 1) if c.eta_s is not None else None
        row["tracks"] = list(c.tracks)
    row["cap"] = cap
    return row
