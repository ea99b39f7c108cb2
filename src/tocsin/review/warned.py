"""Was it warned? Each incident linked to the alerts of its zone and the tracks near it.

An incident was *warned* when a ``warning`` spell of its zone was in force at
its time (as in spec §6: onset at or before, clear after); its *lead* is the
incident's time minus that spell's onset. It was warned *in time* when the
lead is at least ``timely_s``. Not warned, ``late_s`` says how long after the
incident a warning of its zone did begin (within ``late_window_s``), and
``level`` is ``advisory`` when only an advisory was in force. The tracks near
it are those that came within ``near_m`` of the place from ``before_s``
before to ``after_s`` after its time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tocsin.incident import Incident
from tocsin.review.spells import Run, Spell
from tocsin.times import parse_time
from tocsin.types import EARTH_RADIUS_M


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkSettings:
    timely_s: float = 60.0
    late_window_s: float = 900.0
    near_m: float = 5_000.0
    before_s: float = 900.0
    after_s: float = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class NearTrack:
    run: str
    track: str
    distance_m: float  # closest approach to the incident's place within the window
    t_s: float  # when


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    incident: str
    zone: str
    t_s: float
    level: str | None  # the highest level in force at the incident's time
    lead_s: float | None  # incident time − onset of the warning in force
    advisory_lead_s: float | None
    timely: bool
    late_s: float | None  # not warned: a warning began this long after the incident
    run: str | None
    cap: str | None  # the CAP message of the warning's onset
    tracks: tuple[NearTrack, ...]

    @property
    def warned(self) -> bool:
        return self.level == "warning"


def link_incidents(
    incidents: Sequence[Incident], runs: Sequence[Run], settings: LinkSettings | None = None
) -> list[Link]:
    """One Link per incident, in the incidents' order."""
    s = settings or LinkSettings()
    by_zone: dict[tuple[str, str], list[tuple[Spell, str]]] = {}
    for run in runs:
        for sp in run.spells:
            by_zone.setdefault((sp.zone, sp.level), []).append((sp, run.name))
    near = _near_tracks(incidents, runs, s)
    return [_link(inc, by_zone, near.get(inc.id, ()), s) for inc in incidents]


def _in_force(spells: list[tuple[Spell, str]], t_s: float) -> tuple[Spell, str] | None:
    """The earliest-begun spell in force at t_s (an uncleared one lasts to its run's end)."""
    hits = [
        (sp, r)
        for sp, r in spells
        if sp.start_s <= t_s and (t_s < sp.end_s or (not sp.cleared and t_s <= sp.end_s))
    ]
    return min(hits, key=lambda x: x[0].start_s, default=None)


def _link(inc: Incident, by_zone, tracks, s: LinkSettings) -> Link:
    warn = _in_force(by_zone.get((inc.zone, "warning"), []), inc.t_s)
    adv = _in_force(by_zone.get((inc.zone, "advisory"), []), inc.t_s)
    level = "warning" if warn else "advisory" if adv else None
    lead = inc.t_s - warn[0].start_s if warn else None
    late = None
    if warn is None:
        after = [
            sp.start_s - inc.t_s
            for sp, _ in by_zone.get((inc.zone, "warning"), [])
            if 0 < sp.start_s - inc.t_s <= s.late_window_s
        ]
        late = min(after, default=None)
    return Link(
        incident=inc.id,
        zone=inc.zone,
        t_s=inc.t_s,
        level=level,
        lead_s=lead,
        advisory_lead_s=inc.t_s - adv[0].start_s if adv else None,
        timely=lead is not None and lead >= s.timely_s,
        late_s=late,
        run=warn[1] if warn else None,
        cap=warn[0].cap if warn else None,
        tracks=tuple(sorted(tracks, key=lambda n: n.distance_m)),
    )


def _near_tracks(incidents, runs, s: LinkSettings) -> dict[str, list[NearTrack]]:
    """Closest approach of each run's tracks to each incident, within the window."""
    if not incidents:
        return {}
    t = np.array([i.t_s for i in incidents])
    lat = np.radians([i.lat_deg for i in incidents])
    lon = np.radians([i.lon_deg for i in incidents])
    out: dict[str, list[NearTrack]] = {}
    for run in runs:
        span = run.span_s
        if run.tracks_path is None or span is None:
            continue
        if not np.any((t + s.after_s >= span[0] - 3600) & (t - s.before_s <= span[1] + 3600)):
            continue
        best: dict[tuple[int, str], tuple[float, float]] = {}
        with run.tracks_path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row.get("status") == "deleted":
                    continue
                tr = parse_time(row["t"])
                near = np.flatnonzero((tr >= t - s.before_s) & (tr <= t + s.after_s))
                if near.size == 0:
                    continue
                d = _distance_m(
                    lat[near], lon[near], math.radians(row["lat"]), math.radians(row["lon"])
                )
                for k, dk in zip(
                    near[d <= s.near_m].tolist(), d[d <= s.near_m].tolist(), strict=True
                ):
                    key = (k, row["track"])
                    if key not in best or dk < best[key][0]:
                        best[key] = (dk, tr)
        for (k, track), (d, tr) in best.items():
            out.setdefault(incidents[k].id, []).append(
                NearTrack(run=run.name, track=track, distance_m=round(d, 1), t_s=tr)
            )
    return out


def _distance_m(lat1, lon1, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance (haversine) from points (N,) in radians to one point."""
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * math.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
