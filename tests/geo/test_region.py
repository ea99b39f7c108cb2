import json

import numpy as np
import pytest

from tocsin.errors import GeoError
from tocsin.geo import builtin_names, load_region, zone_res_of


def test_builtin_regions_are_listed():
    assert {"belgorod", "smolensk"} <= set(builtin_names())


@pytest.mark.parametrize(
    "name,km2,city", [("belgorod", 27_100, "Belgorod"), ("smolensk", 49_800, "Smolensk")]
)
def test_builtin_region_area_zones_population(request, name, km2, city):
    r = request.getfixturevalue(name)
    # Official areas: Belgorod Oblast 27,134 km², Smolensk Oblast 49,779 km²;
    # Natural Earth boundaries are coarser.
    assert r.area_km2 == pytest.approx(km2, rel=0.05)
    # Zones (about 5 km² each at resolution 7) tile the area.
    assert r.zones.area_km2().sum() == pytest.approx(r.area_km2, rel=0.02)
    assert r.zones.population.sum() == r.settlements.population[r.settlements.zone >= 0].sum()
    assert r.zones.names[int(np.argmax(r.zones.population))] == city
    assert r.contains(r.zones.lat_deg, r.zones.lon_deg).all()


def test_zone_centres_locate_to_themselves(belgorod):
    z = belgorod.zones
    idx = np.arange(0, len(z), 97)
    assert (z.locate(z.lat_deg[idx], z.lon_deg[idx]) == idx).all()
    assert (z.index(list(z.ids[idx])) == idx).all()
    assert z.index(["871f1d489ffffff"])[0] == -1  # a valid cell elsewhere on Earth
    assert z.locate([0.0], [0.0])[0] == -1


def test_zone_boundary_is_a_closed_hexagon_around_its_centre(belgorod):
    z = belgorod.zones
    ring = z.boundary(10)
    assert len(ring) == 7 and ring[0] == ring[-1]
    lat, lon = np.array(ring).T
    assert lat.min() < z.lat_deg[10] < lat.max() and lon.min() < z.lon_deg[10] < lon.max()


def test_within_finds_zone_centres_in_radius(belgorod):
    z = belgorod.zones
    pts, zs = z.within(z.x_m[:3], z.y_m[:3], 3000.0)
    for p in range(3):
        d = np.hypot(z.x_m[zs[pts == p]] - z.x_m[p], z.y_m[zs[pts == p]] - z.y_m[p])
        assert (d <= 3000.0).all() and p in zs[pts == p]
        brute = np.flatnonzero(np.hypot(z.x_m - z.x_m[p], z.y_m - z.y_m[p]) <= 3000.0)
        assert sorted(zs[pts == p]) == list(brute)


def test_region_from_path_and_resolution(square_region_path):
    r = load_region(square_region_path, zone_res=6)
    assert r.name == "square" and r.title == "Square"
    assert zone_res_of(r.zones.ids[0]) == 6
    assert r.zones.population.sum() == 20800
    r8 = load_region(square_region_path, zone_res=8)
    assert len(r8.zones) > 40 * len(r.zones)


def test_bad_region_files_name_the_problem(tmp_path):
    with pytest.raises(GeoError, match="not a built-in region"):
        load_region("atlantis")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(GeoError, match="bad.geojson: not JSON"):
        load_region(bad)
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(GeoError, match="no Polygon"):
        load_region(bad)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "X"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[36, 50], [36.2, 50], [36.2, 50.2], [36, 50]]],
                },
            },
            {
                "type": "Feature",
                "properties": {"name": "Town", "population": "many"},
                "geometry": {"type": "Point", "coordinates": [36.1, 50.05]},
            },
        ],
    }
    bad.write_text(json.dumps(doc))
    with pytest.raises(GeoError, match=r"feature 1 \(Town\): 'population'"):
        load_region(bad)
