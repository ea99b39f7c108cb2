"""Invariants of the statistics on random alert rows over a small region (hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.geo import load_region
from tocsin.review import Run, spells_from_rows
from tocsin.review.stats import compute_stats

T0 = 1_795_550_000.0  # 2026-11-24T19:53:20Z: days and months turn within reach
DAY_S = 86_400.0


@pytest.fixture(scope="module")
def square(tmp_path_factory):
    """A square of 0.1° around (50, 36): a handful of zones."""
    ring = [[35.95, 49.95], [36.05, 49.95], [36.05, 50.05], [35.95, 50.05], [35.95, 49.95]]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Square"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]}  # fmt: skip
    path = tmp_path_factory.mktemp("sq") / "square.geojson"
    path.write_text(json.dumps(doc))
    return load_region(path)


def _rows(draw, zones) -> list[dict]:
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        zone = draw(st.sampled_from(zones))
        level = draw(st.sampled_from(["warning", "advisory"]))
        t = T0 + draw(st.floats(0, 40 * DAY_S))
        dur = draw(st.floats(1, 2 * DAY_S))
        rows.append({"t": t, "zone": zone, "event": "onset", "level": level})
        if draw(st.booleans()):
            rows.append({"t": t + dur, "zone": zone, "event": "clear", "level": level})
    return rows


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_days_add_up_to_months_and_the_region_never_exceeds_its_zones(square, data):
    zones = list(square.zones.ids[:4])
    runs = [
        Run(
            name=f"r{k}",
            spells=tuple(spells_from_rows(_rows(data.draw, zones))),
            drill=False,
            tracks_path=None,
        )  # fmt: skip
        for k in range(2)
    ]
    stats = compute_stats(square, runs, [], [])
    for scope in ("zone", "region"):
        for key in {r["id"] for r in stats if r["scope"] == scope}:
            mine = [r for r in stats if r["scope"] == scope and r["id"] == key]
            for col in ("warnings", "advisories", "warning_h", "advisory_h", "zone_warning_h"):
                days = sum(r[col] for r in mine if r["period"] == "day")
                months = sum(r[col] for r in mine if r["period"] == "month")
                assert days == pytest.approx(months, abs=1e-3)
            for r in mine:
                hours_in = 24.0 if r["period"] == "day" else 31 * 24.0
                assert 0 <= r["warning_h"] <= hours_in + 1e-6
    for r in stats:
        if r["scope"] == "region":
            zone_h = sum(z["warning_h"] for z in stats if z["scope"] == "zone"
                         and (z["period"], z["start"]) == (r["period"], r["start"]))  # fmt: skip
            assert r["warning_h"] <= zone_h + 1e-3
            assert r["zone_warning_h"] == pytest.approx(zone_h, abs=1e-3)
