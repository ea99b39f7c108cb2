"""Time to reach shelter, per zone: a warning comes at least this long before the threat.

A zone's warning horizon is max(the policy's warning horizon, its shelter
time). The default shelter time follows how people live there, from the
zone's population density: in villages people go down to their own cellar;
in towns to the basement of their building or a shelter in the street; in
cities of apartment blocks many have stairs to go down and further to walk.
A region sets its own times per zone or per settlement in a JSON file::

    {"zones": {"871196426ffffff": 600}, "settlements": {"Belgorod": 360}}

(a settlement's time applies to the zone it lies in; a zone's own entry wins).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tocsin.errors import InputError
from tocsin.geo import Region
from tocsin.types import FloatArray


@dataclass(frozen=True, slots=True, kw_only=True)
class ShelterSettings:
    village_s: float = 60.0  # below town_per_km2
    town_s: float = 120.0
    city_s: float = 240.0  # at or above city_per_km2
    town_per_km2: float = 300.0
    city_per_km2: float = 3000.0
    file: Path | None = None  # per zone or settlement: {"zones": {...}, "settlements": {...}}


def shelter_times(region: Region, s: ShelterSettings) -> FloatArray:
    """Seconds to reach shelter in each zone of the region (Z,)."""
    zones = region.zones
    density = zones.population / np.maximum(zones.area_km2(), 1e-9)
    out = np.where(
        density >= s.city_per_km2,
        s.city_s,
        np.where(density >= s.town_per_km2, s.town_s, s.village_s),
    ).astype(float)
    if s.file is not None:
        by_zone, by_place = read_shelter_file(s.file)
        places = region.settlements
        names = {str(n): int(z) for n, z in zip(places.names, places.zone, strict=True)}
        for name, sec in by_place.items():
            z = names.get(name, -1)
            if z < 0:
                raise InputError(f"{s.file}: settlements: {name!r} is not a place of the region")
            out[z] = sec
        for zid, sec in by_zone.items():
            z = int(zones.index([zid])[0])
            if z < 0:
                raise InputError(f"{s.file}: zones: {zid!r} is not a zone of the region")
            out[z] = sec
    return out


def read_shelter_file(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """The per-zone and per-settlement shelter times of a JSON file, checked."""
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the shelter times: {e.strerror or e}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid JSON: {e}") from e
    if not isinstance(doc, dict) or set(doc) - {"zones", "settlements"}:
        raise InputError(f"{path}: expected an object with 'zones' and/or 'settlements'")
    out = []
    for part in ("zones", "settlements"):
        table = doc.get(part, {})
        if not isinstance(table, dict):
            raise InputError(f"{path}: {part!r} must be an object of name: seconds")
        for key, sec in table.items():
            ok = isinstance(sec, int | float) and not isinstance(sec, bool)
            if not ok or not math.isfinite(sec) or not 0 <= sec <= 3600:
                raise InputError(f"{path}: {part}: {key!r}: seconds must be a number in 0..3600")
        out.append({str(k): float(v) for k, v in table.items()})
    return out[0], out[1]
