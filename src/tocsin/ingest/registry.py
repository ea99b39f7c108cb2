"""The sensor registry, ``sensors.json`` (interchange spec §1)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from tocsin.errors import InputError
from tocsin.geo.frame import LocalFrame
from tocsin.ingest import fields as f
from tocsin.messages import Sensor
from tocsin.types import SENSOR_KINDS

# Optional per-sensor defaults: (upper bound) of a finite number > 0.
_DEFAULTS = {
    "range_max_m": f.MAX_DISTANCE_M,
    "sigma_range_m": f.MAX_DISTANCE_M,
    "sigma_azimuth_deg": f.MAX_SIGMA_DEG,
    "sigma_elevation_deg": f.MAX_SIGMA_DEG,
    "scan_period_s": 86_400.0,
    "sigma_bearing_deg": f.MAX_SIGMA_DEG,
    "sigma_m": f.MAX_DISTANCE_M,
}
_KNOWN = {"id", "kind", "lat", "lon", "alt_m", *_DEFAULTS}
_POSITIONED = ("radar", "acoustic")  # kinds that must give lat/lon


def load_sensors(path_or_doc: str | Path | Mapping, frame: LocalFrame) -> dict[str, Sensor]:
    """Sensors by id, from a ``sensors.json`` path or its parsed document.

    Every entry is checked; the first bad one raises ``InputError`` naming the
    file, the entry (index and id) and the field. Sensors with a position get
    ``x_m, y_m`` and ``north_deg`` in ``frame``; unknown fields go to ``extra``.
    """
    if isinstance(path_or_doc, Mapping):
        doc, where = path_or_doc, "sensors document"
    else:
        doc, where = _read(Path(path_or_doc)), str(path_or_doc)
    entries = doc.get("sensors") if isinstance(doc, Mapping) else None
    if not isinstance(entries, list):
        raise InputError(f"{where}: expected an object with a 'sensors' list")
    checked: list[dict] = []
    seen: set[str] = set()
    for k, entry in enumerate(entries):
        item = _check_entry(entry, k, where)
        if item["id"] in seen:
            raise InputError(f"{where}: entry {k} (id {item['id']!r}): 'id' is not unique")
        seen.add(item["id"])
        checked.append(item)
    _place(checked, frame, where)
    return {item["id"]: Sensor(**item) for item in checked}


def _read(path: Path) -> object:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read the sensor registry: {e.strerror or e}") from e
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 ({e.reason} at byte {e.start})") from e
    except ValueError as e:  # JSONDecodeError, NaN/Infinity, giant integers
        raise InputError(f"{path}: not valid JSON: {e}") from e
    except RecursionError as e:
        raise InputError(f"{path}: not valid JSON: nested too deeply") from e


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _check_entry(entry: object, k: int, where: str) -> dict:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: entry {k}: expected an object, not {type(entry).__name__}")
    sid = entry.get("id")
    if not isinstance(sid, str) or not sid:
        raise InputError(f"{where}: entry {k}: 'id' must be a non-empty string, not {f.show(sid)}")
    at = f"{where}: entry {k} (id {sid!r})"
    kind = entry.get("kind")
    try:
        f.text(entry, "id", f.REQUIRED)
        if kind not in SENSOR_KINDS:
            raise f.FieldError(
                "out_of_range",
                "kind",
                f"'kind' must be one of {', '.join(SENSOR_KINDS)}, not {f.show(kind)}",
            )
        need = f.REQUIRED if kind in _POSITIONED else None
        lat, lon = f.latlon(entry, need)
        item = {
            "id": sid,
            "kind": kind,
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_m": f.number(entry, "alt_m", 0.0),
        }
        for key, hi in _DEFAULTS.items():
            item[key] = f.positive(entry, key, None, hi)
    except f.FieldError as e:
        hint = f" for a {kind} sensor" if e.reason == "missing_field" else ""
        raise InputError(f"{at}: {e.text}{hint}") from None
    item["extra"] = {key: v for key, v in entry.items() if key not in _KNOWN}
    return item


def _place(items: list[dict], frame: LocalFrame, where: str) -> None:
    """Fill x_m, y_m, north_deg of the sensors with a position (one vectorised call each)."""
    placed = [(k, item) for k, item in enumerate(items) if item["lat_deg"] is not None]
    if not placed:
        return
    lat = np.array([item["lat_deg"] for _, item in placed])
    lon = np.array([item["lon_deg"] for _, item in placed])
    x, y = frame.latlng_to_xy(lat, lon)
    north = frame.north_deg(lat, lon)
    for (k, item), xi, yi, ni in zip(placed, x.tolist(), y.tolist(), north.tolist(), strict=True):
        if not (math.isfinite(xi) and math.isfinite(yi) and math.isfinite(ni)):
            at = f"{where}: entry {k} (id {item['id']!r})"
            raise InputError(f"{at}: 'lat', 'lon' cannot be placed in the local frame")
        item["x_m"], item["y_m"], item["north_deg"] = xi, yi, ni
