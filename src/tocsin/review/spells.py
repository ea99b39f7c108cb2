"""Alert spells: the intervals each zone spent at each level, from a run's alert rows.

A *spell* runs from a zone's ``onset`` at a level to its ``clear`` at that
level (spec §4, ``alerts.jsonl``); updates in between add their tracks. A
spell still open when the rows end is closed at the run's last row, and
marked so. Alert rows come from a run directory or from the event log's
``alert_decided`` events; whether a run was a drill is read from its CAP
messages (``Exercise``) unless the caller says.

>>> rows = [{"t": 10.0, "zone": "z", "event": "onset", "level": "warning", "tracks": ["T1"]},
...         {"t": 70.0, "zone": "z", "event": "clear", "level": "warning"}]
>>> [(s.start_s, s.end_s, s.tracks) for s in spells_from_rows(rows)]
[(10.0, 70.0, ('T1',))]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tocsin.errors import InputError
from tocsin.store.base import EventLog
from tocsin.times import parse_time

_STATUS = re.compile(rb"<status>(\w+)</status>")


@dataclass(frozen=True, slots=True, kw_only=True)
class Spell:
    """A zone at one alert level from ``start_s`` (onset) to ``end_s`` (clear)."""

    zone: str
    level: str
    start_s: float
    end_s: float
    eta_s: float | None  # the ETA announced at onset
    tracks: tuple[str, ...]  # every track named while the spell lasted
    cap: str | None  # the onset's CAP message
    cleared: bool  # False: still in force when the rows ended

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    """The alerts of one run (a replay, a drill, a night of the live service)."""

    name: str
    spells: tuple[Spell, ...]
    drill: bool
    tracks_path: Path | None  # tracks.jsonl, for the tracks near an incident

    @property
    def span_s(self) -> tuple[float, float] | None:
        if not self.spells:
            return None
        return min(s.start_s for s in self.spells), max(s.end_s for s in self.spells)


def spells_from_rows(rows: Iterable[dict]) -> list[Spell]:
    """Spells from alert rows (``t`` as ISO 8601 or Unix seconds), sorted by start."""
    ordered = sorted(
        ((parse_time(r["t"]), k, r) for k, r in enumerate(rows)), key=lambda x: (x[0], x[1])
    )
    last_t = ordered[-1][0] if ordered else 0.0
    open_: dict[tuple[str, str], tuple[float, dict, list[str]]] = {}
    out: list[Spell] = []
    for t, _, r in ordered:
        key = (r["zone"], r["level"])
        if r["event"] == "onset":
            if key not in open_:
                open_[key] = (t, r, list(r.get("tracks") or ()))
        elif key in open_:
            open_[key][2].extend(r.get("tracks") or ())
            if r["event"] == "clear":
                out.append(_spell(key, open_.pop(key), t, cleared=True))
    out += [_spell(key, v, last_t, cleared=False) for key, v in open_.items()]
    return sorted(out, key=lambda s: (s.start_s, s.zone, s.level))


def _spell(key: tuple[str, str], opened: tuple[float, dict, list[str]], end_s, cleared) -> Spell:
    t0, row, tracks = opened
    return Spell(
        zone=key[0],
        level=key[1],
        start_s=t0,
        end_s=end_s,
        eta_s=row.get("eta_s"),
        tracks=tuple(dict.fromkeys(tracks)),
        cap=row.get("cap"),
        cleared=cleared,
    )


def read_alert_rows(path: Path) -> list[dict]:
    """The rows of an ``alerts.jsonl``; InputError names a bad line."""
    rows = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                for name in ("t", "zone", "event", "level"):
                    if name not in row:
                        raise ValueError(f"field {name!r} is missing")
            except ValueError as e:
                raise InputError(f"{path} line {number}: {e}") from e
            rows.append(row)
    return rows


def alert_rows_from_log(log: EventLog) -> list[dict]:
    """Alert rows from the event log's ``alert_decided`` events."""
    return [{**e.payload, "t": e.t_s} for e in log.read(("alert_decided",))]


def run_from_log(log: EventLog, name: str = "events") -> Run:
    """The alerts stored in an event log (the live service's), drill or not by its CAP status."""
    rows = alert_rows_from_log(log)
    first = next(iter(log.read(("cap_issued",), limit=1)), None)
    xml = (first.payload.get("xml") or "").encode() if first else b""
    m = _STATUS.search(xml[:4096])
    return Run(
        name=name,
        spells=tuple(spells_from_rows(rows)),
        drill=m is not None and m.group(1) != b"Actual",
        tracks_path=None,
    )


def load_run(run_dir: Path, drill: bool | None = None) -> Run:
    """A run directory's alerts; ``drill`` None: read from its first CAP message's status."""
    run_dir = Path(run_dir)
    rows = read_alert_rows(run_dir / "alerts.jsonl")
    if drill is None:
        drill = _is_drill(run_dir / "cap")
    tracks = run_dir / "tracks.jsonl"
    return Run(
        name=run_dir.name,
        spells=tuple(spells_from_rows(rows)),
        drill=drill,
        tracks_path=tracks if tracks.is_file() else None,
    )


def _is_drill(cap_dir: Path) -> bool:
    for path in sorted(cap_dir.glob("*.xml"))[:1]:
        m = _STATUS.search(path.read_bytes()[:4096])
        return m is None or m.group(1) != b"Actual"
    return False
