"""Incidents: where a drone or its debris struck, who was hurt, what was damaged.

>>> Casualties(injured=3, injured_children=1).total
3
>>> Casualties(killed=1, killed_children=2)
Traceback (most recent call last):
...
ValueError: casualties: 'killed_children' (2) cannot exceed 'killed' (1)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from tocsin.times import format_time

KINDS = ("impact", "debris", "damage")
SOURCES = ("emergency_services", "police", "public", "sensor")
DAMAGE = ("none", "light", "moderate", "severe", "destroyed")
STATUSES = ("reported", "confirmed", "retracted")
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _count(value: object, name: str, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}: {name!r} must be a whole number >= 0, not {value!r}")


def _choice(value: object, name: str, options: tuple[str, ...], where: str) -> None:
    if value not in options:
        raise ValueError(f"{where}: {name!r} must be one of {', '.join(options)}, not {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Casualties:
    """People hurt: totals, and how many of them were children."""

    injured: int = 0
    killed: int = 0
    injured_children: int = 0
    killed_children: int = 0

    def __post_init__(self) -> None:
        for name in ("injured", "killed", "injured_children", "killed_children"):
            _count(getattr(self, name), name, "casualties")
        for part, whole in (("injured_children", "injured"), ("killed_children", "killed")):
            a, b = getattr(self, part), getattr(self, whole)
            if a > b:
                raise ValueError(f"casualties: {part!r} ({a}) cannot exceed {whole!r} ({b})")

    @property
    def total(self) -> int:
        return self.injured + self.killed

    def to_dict(self) -> dict:
        return {
            "injured": self.injured,
            "killed": self.killed,
            "injured_children": self.injured_children,
            "killed_children": self.killed_children,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """One incident as it stands now; ``zone`` is the H3 zone holding its place."""

    id: str
    kind: str
    t_s: float
    lat_deg: float
    lon_deg: float
    zone: str
    source: str
    casualties: Casualties = field(default_factory=Casualties)
    damage: str = "none"
    hospitals: tuple[str, ...] = ()
    notes: str = ""
    status: str = "reported"

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or ID_RE.fullmatch(self.id) is None:
            raise ValueError(
                f"incident: 'id' must be 1-64 letters, digits, '.', '_' or '-'; {self.id!r}"
            )
        where = f"incident {self.id}"
        _choice(self.kind, "kind", KINDS, where)
        _choice(self.source, "source", SOURCES, where)
        _choice(self.damage, "damage", DAMAGE, where)
        _choice(self.status, "status", STATUSES, where)
        for name, lim in (("t_s", None), ("lat_deg", 90.0), ("lon_deg", 180.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"{where}: {name!r} must be a finite number, not {v!r}")
            if lim is not None and abs(v) > lim:
                raise ValueError(f"{where}: {name!r} must be within ±{lim:g}, not {v!r}")
        if not isinstance(self.zone, str) or not self.zone:
            raise ValueError(f"{where}: 'zone' must be a zone id, not {self.zone!r}")
        if not isinstance(self.casualties, Casualties):
            raise ValueError(f"{where}: 'casualties' must be a Casualties")
        if not isinstance(self.hospitals, tuple) or not all(
            isinstance(h, str) and h.strip() for h in self.hospitals
        ):
            raise ValueError(
                f"{where}: 'hospitals' must be a tuple of names, not {self.hospitals!r}"
            )
        if not isinstance(self.notes, str) or len(self.notes) > 4000:
            raise ValueError(f"{where}: 'notes' must be text of at most 4000 characters")

    def to_dict(self) -> dict:
        """The incident as a JSON object (times as ISO 8601), as stored and exported."""
        return {
            "id": self.id,
            "kind": self.kind,
            "t": format_time(self.t_s),
            "lat": self.lat_deg,
            "lon": self.lon_deg,
            "zone": self.zone,
            "source": self.source,
            "casualties": self.casualties.to_dict(),
            "damage": self.damage,
            "hospitals": list(self.hospitals),
            "notes": self.notes,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One entry of an incident's history: what happened to it, when and by whom."""

    incident: str
    action: str  # reported, confirmed, retracted, amended
    by: str
    t_s: float
    note: str = ""

    def __post_init__(self) -> None:
        where = f"change of incident {self.incident}"
        _choice(self.action, "action", (*STATUSES, "amended"), where)
        if not isinstance(self.by, str) or not self.by.strip():
            raise ValueError(f"{where}: 'by' must name who made the change")


def incident_from_dict(d: dict) -> Incident:
    """An Incident from its JSON object (``to_dict``); ValueError names a bad field."""
    from tocsin.times import parse_time

    try:
        cas = d.get("casualties") or {}
        return Incident(
            id=d["id"],
            kind=d["kind"],
            t_s=parse_time(d["t"]),
            lat_deg=d["lat"],
            lon_deg=d["lon"],
            zone=d["zone"],
            source=d["source"],
            casualties=Casualties(**cas),
            damage=d.get("damage", "none"),
            hospitals=tuple(d.get("hospitals") or ()),
            notes=d.get("notes", ""),
            status=d.get("status", "reported"),
        )
    except KeyError as e:
        raise ValueError(f"incident: field {e.args[0]!r} is missing") from None
    except TypeError as e:
        raise ValueError(f"incident: {e}") from None
