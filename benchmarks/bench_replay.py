"""Replay and warning quality on simulated nights (issue: the engine end to end).

For each region (both built-in ones and one given only as GeoJSON) and preset:
simulate a seeded night, replay it through the engine, score it (spec §6) and
print one JSON line with Tocsin's figures beside the oracle, region-wide
alerting and straight-line prediction with perfect tracking (the peers), with
the ratios, and the replay speed against real time.

    .venv/bin/python benchmarks/bench_replay.py [--preset typical] [--seeds 1] [--minutes M]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from tocsin.geo import load_region
from tocsin.replay import replay
from tocsin.sim.preset import settings_for
from tocsin.sim.scenario import simulate, write_scenario
from tocsin.sim.score import WARNING_KEYS, score_run

KEYS = (*WARNING_KEYS, "GOSPA")


def geojson_only_region(path: Path, seed: int = 11) -> Path:
    """A made-up region given only as a GeoJSON file: an irregular polygon of about
    20,000 km² east of Moscow with seeded settlements."""
    rng = np.random.default_rng(seed)
    lat0, lon0 = 55.6, 41.0
    ang = np.sort(rng.uniform(0, 2 * np.pi, 14))
    r_deg = rng.uniform(0.55, 0.85, len(ang))
    ring = [
        [round(lon0 + 1.7 * r * np.cos(a), 4), round(lat0 + r * np.sin(a), 4)]
        for a, r in zip(ang, r_deg, strict=True)
    ]
    ring.append(ring[0])
    feats = [
        {
            "type": "Feature",
            "properties": {"name": "Testland"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
    ]
    for k in range(30):
        a, r = rng.uniform(0, 2 * np.pi), 0.45 * np.sqrt(rng.uniform())
        pop = int(2000 * rng.pareto(1.2) + 500)
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": f"Town {k}", "population": pop},
                "geometry": {
                    "type": "Point",
                    "coordinates": [lon0 + 1.7 * r * np.cos(a), lat0 + r * np.sin(a)],
                },
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def run_one(region: str, preset: str, seed: int, minutes: float | None, work: Path) -> dict:
    settings = settings_for(preset, seed=seed)
    if minutes:
        settings = replace(settings, duration_min=minutes)
    scn = simulate(region, settings)
    d = work / f"{Path(region).stem}-{preset}-{seed}"
    write_scenario(scn, d / "scenario")
    reg = load_region(d / "scenario" / "region.geojson")
    t0 = time.perf_counter()
    summary = replay(
        reg, d / "scenario" / "sensors.json", d / "scenario" / "detections.jsonl", d / "run"
    )
    wall = time.perf_counter() - t0
    sc = score_run(d / "scenario", d / "run")
    ref = sc["reference"]
    out = {
        "bench": "replay",
        "region": Path(region).stem,
        "preset": preset,
        "seed": seed,
        "drones": len(scn.first_rx_s),
        "records": summary["records_read"],
        "scenario_s": summary["scenario_seconds"],
        "replay_wall_s": round(wall, 1),
        "speedup_vs_real_time": round(summary["scenario_seconds"] / wall, 1),
        "cap_messages": summary["cap_messages"],
    }
    for k in KEYS:
        out[k] = None if sc.get(k) is None else round(sc[k], 3)
    for name in ("oracle", "region_wide", "straight"):
        out[name] = {
            k: None if ref[name].get(k) is None else round(ref[name][k], 3)
            for k in ("POD", "overwarn", "overwarn_pop", "false_zone_share")
        }
    rw = ref["region_wide"]["overwarn"]
    out["overwarn_ratio_to_region_wide"] = round(sc["overwarn"] / rw, 3) if rw else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="typical")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        regions = ["belgorod", "smolensk", str(geojson_only_region(work / "testland.geojson"))]
        for seed in range(1, args.seeds + 1):
            for region in regions:
                print(
                    json.dumps(run_one(region, args.preset, seed, args.minutes, work)), flush=True
                )


if __name__ == "__main__":
    main()
