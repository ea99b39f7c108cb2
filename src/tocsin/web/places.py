"""The region and recent alert changes as GeoJSON, as the public map draws them."""

from __future__ import annotations

from tocsin.geo import Region


def _ring(region: Region, i: int) -> list[list[float]]:
    return [[round(lon, 6), round(lat, 6)] for lat, lon in region.zones.boundary(i)]


def region_to_geojson(region: Region) -> dict:
    """The area's outline and one Point per settlement with its zone's id.

    Settlements outside every zone keep ``zone: null``: they can be found but are not
    warned by this service.
    """
    polys = getattr(region.area, "geoms", [region.area])
    feats: list[dict] = []
    for p in polys:
        coords = [[[round(x, 6), round(y, 6)] for x, y in p.exterior.coords]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"kind": "area", "name": region.title},
                "geometry": {"type": "Polygon", "coordinates": coords},
            }
        )
    s, ids = region.settlements, region.zones.ids
    for k in range(len(s)):
        z = int(s.zone[k])
        props = {
            "kind": "settlement",
            "name": str(s.names[k]),
            "population": int(s.population[k]),
            "district": str(s.district[k] or ""),
            "zone": str(ids[z]) if z >= 0 else None,
        }
        point = [round(float(s.lon_deg[k]), 6), round(float(s.lat_deg[k]), 6)]
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": point},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def recent_to_geojson(region: Region, rows: list[dict]) -> dict:
    """Alert rows (spec §4), oldest first, each with its zone's name and hexagon."""
    idx = region.zones.index([r["zone"] for r in rows]) if rows else []
    feats = []
    for row, i in zip(rows, idx, strict=True):
        if i < 0:
            continue
        props = {**row, "name": str(region.zones.names[i])}
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [_ring(region, int(i))]},
            }
        )
    return {"type": "FeatureCollection", "features": feats}
