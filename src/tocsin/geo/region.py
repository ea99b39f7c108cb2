"""Regions (spec §3): the protected area, its settlements and its zones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape

from tocsin.errors import GeoError
from tocsin.geo.frame import LocalFrame
from tocsin.geo.zones import Zones, area_to_cells
from tocsin.types import BoolArray, FloatArray, IntArray

DEFAULT_ZONE_RES = 7
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlements:
    """Settlements of a region as parallel arrays (S,)."""

    names: np.ndarray
    population: IntArray
    district: np.ndarray
    lat_deg: FloatArray
    lon_deg: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    zone: IntArray  # index into the region's zones, -1 outside every zone

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """A protected region: area (lon/lat shapely geometry), frame, zones, settlements."""

    name: str
    title: str
    area: shapely.Geometry
    area_km2: float
    frame: LocalFrame
    zones: Zones
    settlements: Settlements

    def contains(self, lat_deg, lon_deg) -> BoolArray:
        """Whether each point lies inside the protected area."""
        return shapely.contains_xy(
            self.area, np.asarray(lon_deg, float), np.asarray(lat_deg, float)
        )

    @property
    def population(self) -> int:
        return int(self.settlements.population.sum())

    def boundary_xy(self) -> list[tuple[FloatArray, FloatArray]]:
        """Exterior rings of the area in the local frame, for maps and simulation."""
        polys = getattr(self.area, "geoms", [self.area])
        rings = []
        for p in polys:
            lon, lat = np.asarray(p.exterior.coords).T
            rings.append(self.frame.latlng_to_xy(lat, lon))
        return rings


def builtin_names() -> list[str]:
    """Names of the regions shipped with Tocsin."""
    folder = resources.files("tocsin.geo") / "regions"
    return sorted(
        p.name.removesuffix(".geojson") for p in folder.iterdir() if p.name.endswith(".geojson")
    )


def load_region(source: str | Path, zone_res: int = DEFAULT_ZONE_RES) -> Region:
    """Load a built-in region by name, or any region from a GeoJSON path (spec §3)."""
    if not 0 <= zone_res <= 15:
        raise GeoError(f"zone resolution must be 0..15, not {zone_res}")
    src = str(source)
    if src in builtin_names():
        text = (resources.files("tocsin.geo") / "regions" / f"{src}.geojson").read_text("utf-8")
        name, where = src, f"built-in region {src!r}"
    else:
        path = Path(src)
        if not path.is_file():
            raise GeoError(
                f"no region {src!r}: not a built-in region ({', '.join(builtin_names())}) "
                "nor a GeoJSON file"
            )
        text, name, where = path.read_text("utf-8"), path.stem, str(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise GeoError(f"{where}: not JSON: {e}") from e
    return region_from_geojson(doc, name=name, where=where, zone_res=zone_res)


def region_from_geojson(doc: dict, *, name: str, where: str, zone_res: int) -> Region:
    """Build a Region from a parsed GeoJSON FeatureCollection."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise GeoError(f"{where}: expected a GeoJSON FeatureCollection")
    polys, title, places = [], None, []
    for k, feat in enumerate(doc.get("features") or []):
        geom = (feat or {}).get("geometry") or {}
        props = (feat or {}).get("properties") or {}
        gtype = geom.get("type")
        if gtype in ("Polygon", "MultiPolygon"):
            try:
                g = shape(geom)
            except Exception as e:  # shapely raises several types on bad coordinates
                raise GeoError(f"{where}: feature {k}: bad {gtype}: {e}") from e
            polys.append(g if g.is_valid else shapely.make_valid(g))
            title = title or props.get("name")
        elif gtype == "Point":
            places.append(_settlement(props, geom, where, k))
    if not polys:
        raise GeoError(f"{where}: no Polygon or MultiPolygon feature: the region has no area")
    area = shapely.union_all(polys)
    if area.is_empty:
        raise GeoError(f"{where}: the region's area is empty")
    c = area.centroid
    frame = LocalFrame(c.y, c.x)
    cells = area_to_cells(mapping(area), zone_res)
    if not cells:
        raise GeoError(f"{where}: the area holds no zone centre at resolution {zone_res}")
    zones = Zones(cells, zone_res, frame)
    settlements = _settlements(places, zones, frame)
    _name_zones(zones, settlements)
    area_m2 = abs(_GEOD.geometry_area_perimeter(area)[0])
    return Region(
        name=name,
        title=title or name,
        area=area,
        area_km2=area_m2 / 1e6,
        frame=frame,
        zones=zones,
        settlements=settlements,
    )


def _settlement(props: dict, geom: dict, where: str, k: int) -> tuple:
    name, pop = props.get("name"), props.get("population")
    if not isinstance(name, str) or not name:
        raise GeoError(f"{where}: feature {k}: settlement needs a string 'name'")
    if isinstance(pop, bool) or not isinstance(pop, int) or pop < 0:
        raise GeoError(f"{where}: feature {k} ({name}): 'population' must be a whole number >= 0")
    coords = geom.get("coordinates")
    if not (isinstance(coords, list) and len(coords) >= 2):
        raise GeoError(f"{where}: feature {k} ({name}): Point needs [lon, lat]")
    lon, lat = float(coords[0]), float(coords[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeoError(f"{where}: feature {k} ({name}): coordinates out of range")
    return name, pop, str(props.get("district") or ""), lat, lon


def _settlements(places: list[tuple], zones: Zones, frame: LocalFrame) -> Settlements:
    names = np.array([p[0] for p in places], dtype=object)
    pop = np.array([p[1] for p in places], np.int64)
    district = np.array([p[2] for p in places], dtype=object)
    lat = np.array([p[3] for p in places], float)
    lon = np.array([p[4] for p in places], float)
    x, y = frame.latlng_to_xy(lat, lon)
    zone = zones.locate(lat, lon) if places else np.zeros(0, np.int64)
    inside = zone >= 0
    np.add.at(zones.population, zone[inside], pop[inside])
    return Settlements(
        names=names,
        population=pop,
        district=district,
        lat_deg=lat,
        lon_deg=lon,
        x_m=x,
        y_m=y,
        zone=zone,
    )


def _name_zones(zones: Zones, s: Settlements) -> None:
    """Each zone is named after its largest settlement, else its district, else its id."""
    for k in np.argsort(s.population, kind="stable"):  # largest last, so it wins
        z = s.zone[k]
        if z >= 0:
            zones.names[z] = s.names[k] or s.district[k] or zones.ids[z]
