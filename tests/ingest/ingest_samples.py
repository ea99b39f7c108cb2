"""Seeded sample registries and detection records for the ingest tests and benchmark."""

from __future__ import annotations

import json

import numpy as np

from tocsin.times import format_time

T0_S = 1_795_554_000.0  # 2026-11-24T21:00:00Z

SENSORS_DOC = {
    "sensors": [
        {"id": "R1", "kind": "radar", "lat": 50.60, "lon": 36.58, "alt_m": 220,
         "range_max_m": 40000, "sigma_range_m": 40, "sigma_azimuth_deg": 0.4,
         "sigma_elevation_deg": 0.8, "scan_period_s": 2.0},
        {"id": "R2", "kind": "radar", "lat": 50.9, "lon": 38.0, "alt_m": 150},
        {"id": "A017", "kind": "acoustic", "lat": 50.71, "lon": 36.40, "alt_m": 180,
         "range_max_m": 3000, "sigma_bearing_deg": 7.0},
        {"id": "A018", "kind": "acoustic", "lat": 50.45, "lon": 37.40},
        {"id": "public", "kind": "sighting"},
        {"id": "NEIGHBOUR", "kind": "position"},
    ]
}  # fmt: skip


def _time(rng: np.random.Generator, t_s: float) -> object:
    """The same instant in one of the three accepted forms."""
    form = rng.integers(3)
    if form == 0:
        return format_time(t_s)
    if form == 1:  # +03:00, to the millisecond
        ms = round(t_s * 1000.0)
        return format_time((ms + 3 * 3_600_000) / 1000.0)[:-1] + "+03:00"
    return round(t_s, 3)


def good_record(rng: np.random.Generator, k: int) -> dict:
    """One valid record of a random kind, from a seeded generator."""
    t_s = T0_S + k * 0.05
    rec: dict = {"t": _time(rng, t_s)}
    if rng.random() < 0.5:
        rec["rx"] = _time(rng, t_s + float(rng.uniform(0.0, 30.0)))
    u = rng.random()
    if u < 0.40:
        rec.update(
            sensor=str(rng.choice(["R1", "R2"])),
            range_m=float(rng.uniform(500, 40_000)),
            azimuth_deg=float(rng.uniform(0, 360)),
            elevation_deg=float(rng.uniform(-1, 20)),
        )
        if rng.random() < 0.5:
            rec["radial_speed_mps"] = float(rng.normal(0, 30))
    elif u < 0.55:
        rec.update(
            sensor="R2",
            kind="radar",
            range_m=float(rng.uniform(500, 40_000)),
            azimuth_deg=float(rng.uniform(0, 360)),
        )
    elif u < 0.60:
        rec.update(
            sensor="R1",
            lat=float(rng.uniform(50.3, 50.9)),
            lon=float(rng.uniform(36.2, 37.0)),
            alt_m=float(rng.uniform(50, 3000)),
        )
    elif u < 0.80:
        rec.update(sensor=str(rng.choice(["A017", "A018"])), snr_db=float(rng.uniform(3, 30)))
        if rng.random() < 0.7:
            rec["bearing_deg"] = float(rng.uniform(0, 360))
    elif u < 0.90:
        rec.update(
            sensor="public",
            kind="sighting",
            lat=float(rng.uniform(50.3, 50.9)),
            lon=float(rng.uniform(36.2, 37.0)),
            count=int(rng.integers(1, 4)),
            reporter=f"u{int(rng.integers(1000))}",
            heading_deg=float(rng.uniform(0, 360)),
        )
    else:
        rec.update(
            sensor="NEIGHBOUR",
            lat=float(rng.uniform(50.0, 51.5)),
            lon=float(rng.uniform(35.5, 38.5)),
            alt_m=float(rng.uniform(50, 3000)),
            sigma_m=float(rng.uniform(50, 800)),
            ext_id=int(rng.integers(1, 4096)),
        )
        if rng.random() < 0.7:
            rec.update(v_east_mps=float(rng.normal(0, 40)), v_north_mps=float(rng.normal(0, 40)))
    return rec  # fmt: skip


def good_lines(seed: int, n: int) -> list[str]:
    """``n`` valid records as JSON lines."""
    rng = np.random.default_rng(seed)
    return [json.dumps(good_record(rng, k)) for k in range(n)]
