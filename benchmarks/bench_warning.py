"""Warning quality over many seeded nights (issue 5): Tocsin beside the oracle,
region-wide alerting and straight-line prediction with perfect tracking (the
`straight` policy of `tocsin.sim.policy`), per preset, against the issue's targets.

Each night is simulated (`simulate` + `write_scenario`), replayed through the
engine (`replay`, with the EngineSettings given by `--set`) and scored as
`score_run` does (spec §6, docs/metrics.md). Night i of a preset runs over
region i mod len(regions) with seed i + 1, so `--nights 3` over three regions
gives each region one night of every preset.

Output, JSON lines on stdout (progress on stderr):
- one `night` line per night: its §6 figures for Tocsin and the three reference
  policies;
- one `summary` line per preset (and per value of `--sweep`): the figures
  **pooled** over the preset's nights, never averaged per night: POD = sum of
  passes warned in time / sum of warnable passes, overwarn = sum of alerted
  zone-seconds / sum of the oracle's, false_zone_share = sum of false onsets /
  sum of onsets, and the medians (lead, lead ratio, stale clear) over all
  nights' passes or zones (`tocsin.sim.pool`); with each target of issue 5
  marked met or not.

    .venv/bin/python benchmarks/bench_warning.py --minutes 60 --nights 3 --jobs 2
    .venv/bin/python benchmarks/bench_warning.py --presets typical --sweep reach.k_cross=0.5,1,2.5
    .venv/bin/python benchmarks/bench_warning.py --set policy.hold_s=60 --set reach.k_cross=1.0
    .venv/bin/python benchmarks/bench_warning.py --table benchmarks/results/warning-DATE.jsonl

Cells of `--table` read Tocsin / oracle / region-wide / straight.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from bench_replay import geojson_only_region
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from tocsin.engine import EngineSettings
from tocsin.geo import load_region
from tocsin.replay import ReplaySettings, replay
from tocsin.sim.files import alerts_from_rows, read_alerts
from tocsin.sim.pool import night_samples, pool
from tocsin.sim.preset import PRESETS, settings_for
from tocsin.sim.scenario import simulate, write_scenario
from tocsin.sim.score import (
    WARNING_KEYS,
    load_scenario,
    policy_rows,
    run_zone_res,
    score_alerts,
)
from tocsin.sim.stages import STAGE_KEYS

PRESET_ORDER = tuple(PRESETS)
FIGURES = WARNING_KEYS + STAGE_KEYS
TARGETS = {  # issue 5, every preset: (figure, at least or at most, bound)
    "POD": (">=", 0.99),
    "lead_ratio": (">=", 0.9),
    "overwarn": ("<=", 1.5),
    "stale_clear_s": ("<=", 120.0),
    "false_zone_share": ("<=", 0.05),
}
PEERS = ("oracle", "region_wide", "straight")


def engine_settings(pairs: list[str]) -> EngineSettings:
    """EngineSettings with fields overridden by dotted path, `tracker.silence_radar_cover_scans=15`;
    a value is read as JSON when it can be (numbers, true, lists, objects), else as text.

    >>> engine_settings(["reach.k_cross=1", "policy.hold_s=60"]).reach.k_cross
    1.0
    """
    s = EngineSettings()
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set {pair!r}: expected key=value")
        s = _replace_path(s, key.strip().split("."), text.strip(), key)
    return s


def _replace_path(obj, path: list[str], text: str, key: str):
    names = [f.name for f in dataclasses.fields(obj)]
    if path[0] not in names:
        raise SystemExit(f"--set {key}: {type(obj).__name__} has no {path[0]!r} ({names})")
    old = getattr(obj, path[0])
    if len(path) > 1:
        if not dataclasses.is_dataclass(old):
            raise SystemExit(f"--set {key}: {path[0]!r} is not a group of settings")
        return replace(obj, **{path[0]: _replace_path(old, path[1:], text, key)})
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    if isinstance(old, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(old, tuple) and isinstance(value, list):
        value = tuple(value)
    if old is not None and type(value) is not type(old):
        raise SystemExit(f"--set {key}: {value!r} is not a {type(old).__name__}")
    return replace(obj, **{path[0]: value})


def run_night(job: dict) -> dict:
    """Simulate, replay and score one night; its line and its samples for pooling."""
    region, preset, seed, work = job["region"], job["preset"], job["seed"], Path(job["work"])
    settings = settings_for(preset, seed=seed, duration_min=job["minutes"])
    d = work / f"{Path(region).stem}-{preset}-{seed}-{job['tag']}"
    t0 = time.perf_counter()
    scn = simulate(region, settings)
    write_scenario(scn, d / "scenario")
    t1 = time.perf_counter()
    reg = load_region(d / "scenario" / "region.geojson")
    rs = ReplaySettings(engine=engine_settings(job["set"]))
    summary = replay(
        reg, d / "scenario" / "sensors.json", d / "scenario" / "detections.jsonl", d / "run", rs
    )
    t2 = time.perf_counter()
    alerts = read_alerts(d / "run" / "alerts.jsonl")
    scenario = load_scenario(d / "scenario", run_zone_res(alerts))
    policies = {"tocsin": alerts}
    for name in PEERS:
        rows = policy_rows(scenario, name.replace("_", "-"))
        policies[name] = alerts_from_rows(rows)
    line: dict = {
        "bench": "warning",
        "kind": "night",
        "tag": job["tag"],
        "preset": preset,
        "region": Path(region).stem,
        "seed": seed,
        "minutes": settings.duration_min,
        "drones": len(scn.raid),
        "records": summary["records_read"],
    }
    samples = {}
    for name, al in policies.items():
        sc = score_alerts(scenario, al)
        line[name] = {k: _round(sc[k]) for k in (*FIGURES, "passes", "warning_onsets")}
        samples[name] = night_samples(scenario, al)
    line["wall_s"] = {
        "simulate": round(t1 - t0, 1),
        "replay": round(t2 - t1, 1),
        "score": round(time.perf_counter() - t2, 1),
    }
    if not job["keep"]:
        _remove(d)
    return {"line": line, "samples": samples}


def summarise(tag: str, preset: str, nights: list[dict], set_pairs: list[str]) -> dict:
    """The pooled summary line of one preset (for one sweep value)."""
    out: dict = {"bench": "warning", "kind": "summary", "tag": tag, "preset": preset}
    out["set"] = set_pairs
    for name in ("tocsin", *PEERS):
        pooled = pool([n["samples"][name] for n in nights])
        out[name] = {k: _round(v) for k, v in pooled.items()}
    met = {}
    for k, (op, bound) in TARGETS.items():
        v = out["tocsin"][k]
        met[k] = v is not None and (v >= bound if op == ">=" else v <= bound)
    out["targets"] = {k: f"{op} {bound}" for k, (op, bound) in TARGETS.items()}
    out["met"] = met
    out["all_met"] = all(met.values())
    return out


def table(lines: list[dict]) -> str:
    """A Markdown table of summary lines: Tocsin / oracle / region-wide / straight per figure."""
    cols = ("POD", "lead_ratio", "overwarn", "stale_clear_s", "false_zone_share")
    head = "| preset | set | nights | " + " | ".join(cols) + " | met |"
    out = [head, "|" + "---|" * (len(cols) + 4)]
    for s in (x for x in lines if x.get("kind") == "summary"):
        cells = []
        for k in cols:
            vals = [s.get(name, {}).get(k) for name in ("tocsin", *PEERS)]  # older files: fewer
            cells.append(" / ".join("-" if v is None else f"{v:.3g}" for v in vals))
        met = sum(s["met"].values())
        setting = s["tag"] if s["tag"] != "base" else ",".join(s["set"]) or "defaults"
        row = [s["preset"], setting, str(s["tocsin"]["nights"]), *cells, f"{met}/{len(s['met'])}"]
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def _round(v):
    return round(v, 4) if isinstance(v, float) else v


def _remove(d: Path) -> None:
    for p in sorted(d.rglob("*"), key=lambda p: -len(p.parts)):
        p.rmdir() if p.is_dir() else p.unlink()
    d.rmdir()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nights", type=int, default=3, help="nights per preset")
    ap.add_argument("--presets", default=",".join(PRESET_ORDER))
    ap.add_argument("--regions", default="belgorod,smolensk,geojson", help="geojson: Testland")
    ap.add_argument(
        "--minutes", type=float, default=None, help="shorter nights (default: preset's)"
    )
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--sweep", default=None, metavar="KEY=V1,V2,...")
    ap.add_argument("--keep", default=None, help="keep the scenario and run directories here")
    ap.add_argument("--table", default=None, help="print a results file's summaries as Markdown")
    args = ap.parse_args()
    if args.table:
        text = Path(args.table).read_text("utf-8").splitlines()
        print(table([json.loads(line) for line in text if line.strip()]))
        return
    presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    for p in presets:
        settings_for(p)  # an unknown preset fails here, before any work
    variants = [("base", list(args.set))]
    if args.sweep:
        key, _, values = args.sweep.partition("=")
        variants = [(f"{key}={v}", [*args.set, f"{key}={v}"]) for v in values.split(",")]
    for _, pairs in variants:
        engine_settings(pairs)  # a bad --set fails here
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        regions = []
        for r in args.regions.split(","):
            r = r.strip()
            regions.append(
                str(geojson_only_region(work / "testland.geojson")) if r == "geojson" else r
            )
        jobs = [
            dict(
                region=regions[i % len(regions)],
                preset=p,
                seed=i + 1,
                minutes=args.minutes,
                set=pairs,
                tag=tag,
                work=str(work),
                keep=args.keep is not None,
            )
            for tag, pairs in variants
            for p in presets
            for i in range(args.nights)
        ]
        done: dict[tuple[str, str], list[dict]] = {}
        console = Console(stderr=True)
        bar = (MofNCompleteColumn(), BarColumn(), TimeElapsedColumn())
        with Progress(*Progress.get_default_columns()[:1], *bar, console=console) as prog:
            task = prog.add_task("nights", total=len(jobs))
            with ProcessPoolExecutor(max_workers=args.jobs) as pool_:
                futures = {pool_.submit(run_night, j): j for j in jobs}
                for fut in as_completed(futures):
                    res = fut.result()
                    line = res["line"]
                    print(json.dumps(line), flush=True)
                    done.setdefault((line["tag"], line["preset"]), []).append(res)
                    prog.update(task, advance=1, description=f"{line['preset']} {line['region']}")
        for tag, pairs in variants:
            for p in presets:
                print(json.dumps(summarise(tag, p, done[tag, p], pairs)), flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
