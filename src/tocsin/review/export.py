"""Exports of alerts, incidents and statistics as CSV, JSON and GeoJSON.

Times are ISO 8601 UTC (``format_time``); GeoJSON coordinates are
``[lon, lat]``; zones are their H3 hexagons.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from tocsin.geo import Region
from tocsin.incident import Incident
from tocsin.review.spells import Run
from tocsin.review.stats import COLUMNS
from tocsin.review.warned import Link
from tocsin.times import format_time

ALERT_COLUMNS = ("run", "drill", "zone", "name", "level", "start", "end", "duration_s",
                 "cleared", "eta_s", "tracks", "cap")  # fmt: skip
INCIDENT_COLUMNS = ("id", "kind", "t", "lat", "lon", "zone", "source", "status", "damage",
                    "injured", "killed", "injured_children", "killed_children", "hospitals",
                    "notes", "level", "warned", "timely", "lead_s", "late_s", "warning_cap",
                    "tracks_near")  # fmt: skip


def write_csv(path: Path, rows: Iterable[dict], columns: Sequence[str]) -> int:
    """Rows as CSV with a header; lists joined with ';'. Returns the number of rows."""
    n = 0
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow(
                {k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
            )
            n += 1
    return n


def write_json(path: Path, doc: object) -> None:
    Path(path).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")


def alert_rows(region: Region, runs: Sequence[Run]) -> list[dict]:
    index = {z: k for k, z in enumerate(region.zones.ids)}
    rows = []
    for run in runs:
        for sp in run.spells:
            k = index.get(sp.zone)
            rows.append({
                "run": run.name, "drill": run.drill, "zone": sp.zone,
                "name": str(region.zones.names[k]) if k is not None else sp.zone,
                "level": sp.level, "start": format_time(sp.start_s), "end": format_time(sp.end_s),
                "duration_s": round(sp.duration_s, 3), "cleared": sp.cleared, "eta_s": sp.eta_s,
                "tracks": list(sp.tracks), "cap": sp.cap,
            })  # fmt: skip
    return rows


def incident_rows(incidents: Sequence[Incident], links: Sequence[Link]) -> list[dict]:
    link_of = {lk.incident: lk for lk in links}
    rows = []
    for inc in incidents:
        d = inc.to_dict()
        cas = d.pop("casualties")
        lk = link_of.get(inc.id)
        rows.append({
            **d, **cas,
            "level": lk.level if lk else None,
            "warned": lk.warned if lk else None,
            "timely": lk.timely if lk else None,
            "lead_s": None if lk is None or lk.lead_s is None else round(lk.lead_s, 1),
            "late_s": None if lk is None or lk.late_s is None else round(lk.late_s, 1),
            "warning_cap": lk.cap if lk else None,
            "tracks_near": [_near(n) for n in lk.tracks] if lk else [],
        })  # fmt: skip
    return rows


def _near(n) -> str:
    return f"{n.run}/{n.track}@{n.distance_m:.0f}m"


def _polygon(region: Region, zone: str) -> dict | None:
    k = region.zones.index([zone])[0]
    if k < 0:
        return None
    ring = [[lon, lat] for lat, lon in region.zones.boundary(int(k))]
    return {"type": "Polygon", "coordinates": [ring]}


def alerts_geojson(region: Region, runs: Sequence[Run]) -> dict:
    feats = [
        {"type": "Feature", "geometry": _polygon(region, r["zone"]), "properties": r}
        for r in alert_rows(region, runs)
    ]
    return {"type": "FeatureCollection", "features": feats}


def incidents_geojson(incidents: Sequence[Incident], links: Sequence[Link]) -> dict:
    feats = []
    for row in incident_rows(incidents, links):
        geom = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        feats.append({"type": "Feature", "geometry": geom, "properties": row})
    return {"type": "FeatureCollection", "features": feats}


def zones_geojson(region: Region, stats: Sequence[dict], period: str, start: str) -> dict:
    """Zone hexagons with their statistics for one period (zones without activity: zeros)."""
    by_zone = {
        r["id"]: r
        for r in stats
        if r["scope"] == "zone" and r["period"] == period and r["start"] == start
    }
    blank = {c: 0 for c in COLUMNS if c not in ("scope", "id", "name", "period", "start")}
    feats = []
    for k, zone in enumerate(region.zones.ids):
        props = {**blank, **by_zone.get(zone, {}), "id": zone, "name": str(region.zones.names[k])}
        props.update(period=period, start=start, scope="zone")
        feats.append({"type": "Feature", "geometry": _polygon(region, zone), "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def write_all(
    out: Path,
    region: Region,
    runs: Sequence[Run],
    incidents: Sequence[Incident],
    links: Sequence[Link],
    stats: Sequence[dict],
) -> list[Path]:
    """Every export into ``out``; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "statistics.csv", stats, COLUMNS)
    write_json(out / "statistics.json", {"columns": list(COLUMNS), "rows": list(stats)})
    write_csv(out / "alerts.csv", alert_rows(region, runs), ALERT_COLUMNS)
    write_json(out / "alerts.geojson", alerts_geojson(region, runs))
    write_csv(out / "incidents.csv", incident_rows(incidents, links), INCIDENT_COLUMNS)
    write_json(out / "incidents.geojson", incidents_geojson(incidents, links))
    months = sorted({r["start"] for r in stats if r["period"] == "month"})
    names = ("statistics.csv", "statistics.json", "alerts.csv", "alerts.geojson")
    written = [out / n for n in (*names, "incidents.csv", "incidents.geojson")]
    for m in months:
        path = out / f"zones-{m}.geojson"
        write_json(path, zones_geojson(region, stats, "month", m))
        written.append(path)
    return written
