"""Bulk import of incidents from CSV and GeoJSON, row by row.

A bad row (malformed, outside the region, in the future, negative
casualties…) is rejected with an error naming its row and field, counted,
and the other rows are imported as if it were not there.

CSV columns (header row required; ``kind, time, lat, lon, source`` are
required, the rest optional): ``id, kind, time, lat, lon, source, injured,
killed, injured_children, killed_children, damage, hospitals`` (separated by
``;``), ``notes, status``. GeoJSON: a FeatureCollection of ``Point``
features whose properties carry the same names (but ``lat``/``lon``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.incident.model import Casualties
from tocsin.incident.registry import IncidentRegistry
from tocsin.times import parse_time

REQUIRED = ("kind", "time", "lat", "lon", "source")
COUNTS = ("injured", "killed", "injured_children", "killed_children")
_WHOLE = re.compile(r"\s*\d+\s*")


@dataclass(frozen=True, slots=True)
class RowError:
    row: str  # "line 4" of a CSV file, "feature 3" of a GeoJSON file
    message: str

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"


@dataclass(slots=True)
class ImportResult:
    added: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class _RowFault(ValueError):
    pass


def csv_rows(path: Path) -> Iterator[tuple[str, dict | None]]:
    """(where, fields) per data row; fields is None for a row that cannot be read."""
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: the header lacks the column(s) {', '.join(missing)}")
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row or any(v is None for v in row.values()):
                yield where, None  # too many or too few cells
            else:
                yield where, row


def geojson_rows(path: Path) -> Iterator[tuple[str, dict | None]]:
    """(where, fields) per feature, its Point's coordinates as lat and lon."""
    doc = json.loads(Path(path).read_text("utf-8"))
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    for k, feat in enumerate(doc.get("features") or [], 1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        props = feat.get("properties") if isinstance(feat, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if (
            not isinstance(props, dict)
            or geom.get("type") != "Point"
            or not isinstance(coords, list)
            or len(coords) < 2
        ):
            yield f"feature {k}", None
            continue
        yield f"feature {k}", {**props, "lon": coords[0], "lat": coords[1]}


def rows_of(path: Path) -> Iterator[tuple[str, dict | None]]:
    """Rows of a CSV or GeoJSON file, by its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return csv_rows(path)
    if suffix in (".geojson", ".json"):
        return geojson_rows(path)
    raise ValueError(f"{path}: import takes .csv or .geojson files")


def import_file(registry: IncidentRegistry, path: Path, by: str) -> ImportResult:
    """Register every good row of a file; errors for the others."""
    result = ImportResult()
    for where, row in rows_of(path):
        try:
            if row is None:
                raise _RowFault("malformed row (wrong number of cells or not a Point feature)")
            inc = registry.make(**_fields(row))
            registry.add(inc, by, note=f"imported from {Path(path).name} {where}", flush=False)
        except ValueError as e:
            result.errors.append(RowError(where, str(e)))
            continue
        result.added.append(inc.id)
    registry.log.flush()
    return result


def _fields(row: dict) -> dict:
    for name in REQUIRED:
        if row.get(name) in (None, ""):
            raise _RowFault(f"field {name!r} is missing")
    out = {
        "kind": str(row["kind"]).strip(),
        "source": str(row["source"]).strip(),
        "t_s": _time(row["time"]),
        "lat_deg": _number(row["lat"], "lat"),
        "lon_deg": _number(row["lon"], "lon"),
        "casualties": Casualties(**{n: _whole(row.get(n), n) for n in COUNTS}),
        "damage": str(row.get("damage") or "none").strip(),
        "hospitals": _names(row.get("hospitals")),
        "notes": str(row.get("notes") or ""),
        "status": str(row.get("status") or "reported").strip(),
    }
    if row.get("id"):
        out["id"] = str(row["id"]).strip()
    return out


def _time(value: object) -> float:
    try:
        if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d*)?\s*", value):
            return parse_time(float(value))
        return parse_time(value)
    except ValueError as e:
        raise _RowFault(f"field 'time': {e}") from None


def _number(value: object, name: str) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    except (TypeError, ValueError):
        raise _RowFault(f"field {name!r} must be a number, not {value!r}") from None


def _whole(value: object, name: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    raise _RowFault(f"field {name!r} must be a whole number >= 0, not {value!r}")


def _names(value: object) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list) else str(value).split(";")
    return tuple(str(h).strip() for h in items if str(h).strip())
