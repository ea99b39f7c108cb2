"""The demo: a simulated typical night over each built-in region, end to end.

For every region: simulate the raid and its sensor network, replay it through
the engine, score the warnings against the truth beside the reference
policies, and draw a map. Regions run in parallel worker processes.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from tocsin.replay import replay
from tocsin.sim.chart import draw_night
from tocsin.sim.files import read_alerts, read_tracks
from tocsin.sim.preset import settings_for
from tocsin.sim.scenario import simulate, write_scenario
from tocsin.sim.score import load_scenario, reference_scores, score_alerts
from tocsin.times import format_time, parse_time

DEMO_REGIONS = ("belgorod", "smolensk")


def run_region(name: str, out_root: Path, seed: int, duration_min: float, queue=None) -> dict:
    """Simulate, replay, score and draw one region's night; returns what an officer reads."""

    def tell(share: float) -> None:
        if queue is not None:
            queue.put((name, share))

    base = out_root / name
    settings = replace(settings_for("typical", seed=seed), duration_min=duration_min)
    scn = simulate(name, settings, progress=lambda _stage, share: tell(0.05 * share))
    write_scenario(scn, base / "scenario")
    tell(0.1)
    summary = replay(
        scn.region,
        base / "scenario" / "sensors.json",
        base / "scenario" / "detections.jsonl",
        base / "run",
        progress=lambda share: tell(0.1 + 0.75 * share),
    )
    scenario = load_scenario(base / "scenario")
    alerts = read_alerts(base / "run" / "alerts.jsonl")
    scores = score_alerts(scenario, alerts, read_tracks(base / "run" / "tracks.jsonl"))
    scores["reference"] = reference_scores(scenario)
    tell(0.95)
    end_s = parse_time(scores["scenario_end"])
    png = draw_night(
        scn.region,
        base / "scenario",
        base / "run",
        base / "map.png",
        end_s,
        f"{scn.region.title}: simulated night (drill), seed {seed}",
    )
    tell(1.0)
    return {
        "region": name,
        "title": scn.region.title,
        "dir": str(base),
        "map": str(png),
        "drones": int(len(scn.first_rx_s)),
        "drones_reported": int(np.isfinite(scn.first_rx_s).sum()),
        "summary": summary,
        "scores": scores,
        "settlements": settlement_leads(scenario, base / "run" / "alerts.jsonl"),
    }


def settlement_leads(scenario, alerts_path: Path, min_population: int = 5000) -> list[dict]:
    """For each settlement of min_population or more that a drone came within D_hit of:
    how often, whether a warning was in force when it first came, and how long before."""
    region, passes = scenario.region, scenario.passes
    s = region.settlements
    onsets: dict[str, list[tuple[str, float]]] = {}
    with open(alerts_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["level"] == "warning" and r["event"] in ("onset", "clear"):
                onsets.setdefault(r["zone"], []).append((r["event"], parse_time(r["t"])))
    rows = []
    for k in np.argsort(-s.population):
        z = int(s.zone[k])
        if s.population[k] < min_population or z < 0:
            continue
        mine = passes.zone == z
        if not mine.any():
            continue
        t_in = float(passes.t_in_s[mine].min())
        onset = None
        for event, t in onsets.get(str(region.zones.ids[z]), []):
            if t > t_in:
                break
            if event == "clear":
                onset = None
            elif onset is None:
                onset = t
        rows.append(
            {
                "settlement": str(s.names[k]),
                "population": int(s.population[k]),
                "passes": int(mine.sum()),
                "first_threat": format_time(t_in),
                "lead_s": None if onset is None else round(t_in - onset, 1),
            }
        )
    return rows


def run_demo(
    out_root: Path,
    seed: int = 1,
    duration_min: float = 60.0,
    progress=None,
    regions: tuple[str, ...] = DEMO_REGIONS,
    workers: int = 2,
) -> list[dict]:
    """Every demo region, in parallel; progress(region, share) is called as they go."""
    out_root.mkdir(parents=True, exist_ok=True)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        queue = manager.Queue()
        futures = [pool.submit(run_region, r, out_root, seed, duration_min, queue) for r in regions]
        while not all(f.done() for f in futures):
            try:
                name, share = queue.get(timeout=0.2)
            except Exception:  # queue.Empty through the manager proxy
                continue
            if progress is not None:
                progress(name, share)
        return [f.result() for f in futures]
