"""Statistics per zone, settlement and region, per day and month.

For each group: ``warnings`` and ``advisories`` (onsets that began in the
period), ``warning_h`` and ``advisory_h`` (hours under that level in the
period; overlapping spells of one zone count once; for the region, hours in
which any zone was under it, and ``zone_warning_h`` the sum over zones),
``incidents`` (not retracted), how many were ``warned`` and warned in time
(``timely``), ``lead_median_s`` (median lead of the warned ones) and the
casualties. A settlement's figures are those of the zone it lies in.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, tzinfo

from tocsin.geo import Region
from tocsin.incident import Incident
from tocsin.review.periods import PERIODS, period_of, split, union
from tocsin.review.spells import Run
from tocsin.review.warned import Link

_ONSETS = {"warning": "warnings", "advisory": "advisories"}
COUNTS = ("warnings", "advisories", "incidents", "warned", "timely")
CASUALTIES = ("injured", "killed", "injured_children", "killed_children")
COLUMNS = (
    "scope", "id", "name", "period", "start",
    "warnings", "warning_h", "advisories", "advisory_h", "zone_warning_h",
    "incidents", "warned", "timely", "lead_median_s", *CASUALTIES,
)  # fmt: skip


def _blank() -> dict:
    return {
        **{k: 0 for k in COUNTS + CASUALTIES},
        "warning_h": 0.0,
        "advisory_h": 0.0,
        "zone_warning_h": 0.0,
        "leads": [],
    }


def compute_stats(
    region: Region,
    runs: Sequence[Run],
    incidents: Sequence[Incident],
    links: Sequence[Link],
    tz: tzinfo = UTC,
) -> list[dict]:
    """One row per (scope, id, period, start) with activity, in ``COLUMNS`` order."""
    acc: dict[tuple[str, str, str, str], dict] = defaultdict(_blank)
    zone_ivs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    region_ivs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for run in runs:
        for sp in run.spells:
            zone_ivs[(sp.zone, sp.level)].append((sp.start_s, sp.end_s))
            region_ivs[sp.level].append((sp.start_s, sp.end_s))
            for period in PERIODS:
                start = period_of(sp.start_s, period, tz)
                for scope, key in (("zone", sp.zone), ("region", region.name)):
                    acc[(scope, key, period, start)][_ONSETS[sp.level]] += 1
    for period in PERIODS:
        for (zone, level), ivs in zone_ivs.items():
            for a, b in union(ivs):
                for start, sec in split(a, b, period, tz):
                    acc[("zone", zone, period, start)][f"{level}_h"] += sec / 3600.0
                    if level == "warning":
                        acc[("region", region.name, period, start)]["zone_warning_h"] += sec / 3600
        for level, ivs in region_ivs.items():
            for a, b in union(ivs):
                for start, sec in split(a, b, period, tz):
                    acc[("region", region.name, period, start)][f"{level}_h"] += sec / 3600.0
    link_of = {lk.incident: lk for lk in links}
    for inc in incidents:
        if inc.status == "retracted":
            continue
        lk = link_of.get(inc.id)
        for period in PERIODS:
            start = period_of(inc.t_s, period, tz)
            for scope, key in (("zone", inc.zone), ("region", region.name)):
                a = acc[(scope, key, period, start)]
                a["incidents"] += 1
                for name in CASUALTIES:
                    a[name] += getattr(inc.casualties, name)
                if lk is not None and lk.warned:
                    a["warned"] += 1
                    a["timely"] += lk.timely
                    a["leads"].append(lk.lead_s)
    return _rows(region, acc)


def _rows(region: Region, acc: dict) -> list[dict]:
    zones = region.zones
    index = {z: k for k, z in enumerate(zones.ids)}
    settled: dict[str, list[str]] = defaultdict(list)
    for name, z in zip(region.settlements.names, region.settlements.zone, strict=True):
        if z >= 0:
            settled[zones.ids[z]].append(str(name))
    rows = []
    for (scope, key, period, start), a in sorted(acc.items()):
        leads = a.pop("leads")
        a["lead_median_s"] = round(statistics.median(leads), 1) if leads else None
        for h in ("warning_h", "advisory_h", "zone_warning_h"):
            a[h] = round(a[h], 4)
        if scope == "region":
            name = region.title
        else:
            name = str(zones.names[index[key]]) if key in index else key
        rows.append(
            {"scope": scope, "id": key, "name": name, "period": period, "start": start, **a}
        )
        if scope == "zone":
            for town in settled.get(key, ()):
                rows.append({**rows[-1], "scope": "settlement", "id": town, "name": town})
    order = {"region": 0, "settlement": 1, "zone": 2}
    rows.sort(key=lambda r: (order[r["scope"]], r["period"], r["start"], r["id"]))
    return [{c: r.get(c) for c in COLUMNS} for r in rows]
