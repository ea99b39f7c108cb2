"""Shared fixtures: regions are loaded once per test session."""

from __future__ import annotations

import json

import pytest

from tocsin.geo import load_region


@pytest.fixture(scope="session")
def belgorod():
    return load_region("belgorod")


@pytest.fixture(scope="session")
def smolensk():
    return load_region("smolensk")


def square_region_doc(lat0=50.0, lon0=36.0, half_deg=0.2, settlements=()):
    """A small square region as a GeoJSON dict; settlements are (name, lat, lon, pop)."""
    ring = [
        [lon0 - half_deg, lat0 - half_deg],
        [lon0 + half_deg, lat0 - half_deg],
        [lon0 + half_deg, lat0 + half_deg],
        [lon0 - half_deg, lat0 + half_deg],
        [lon0 - half_deg, lat0 - half_deg],
    ]
    feats = [
        {
            "type": "Feature",
            "properties": {"name": "Square"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
    ]
    for name, lat, lon, pop in settlements:
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": name, "population": pop},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


@pytest.fixture()
def square_region_path(tmp_path):
    path = tmp_path / "square.geojson"
    doc = square_region_doc(settlements=[("Town", 50.0, 36.0, 20000), ("Village", 50.1, 36.1, 800)])
    path.write_text(json.dumps(doc))
    return path
