"""A simulated month: three small seeded raids replayed, and incidents where drones struck,
where their debris fell and where no drone came."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tocsin.geo import Region
from tocsin.incident import Casualties, Incident, IncidentRegistry
from tocsin.replay import replay
from tocsin.review import Run, load_run
from tocsin.review.spells import read_alert_rows
from tocsin.sim.preset import settings_for
from tocsin.sim.scenario import simulate, write_scenario
from tocsin.store import SqliteEventLog

# The second raid crosses midnight UTC, so its hours fall on two days.
STARTS = ("2026-11-03T21:00:00Z", "2026-11-10T23:40:00Z", "2026-11-17T02:00:00Z")
LATER_S = 1_800_000_000.0  # the registry's "now", after the month


@dataclass
class Month:
    region: Region
    root: Path
    runs: list[Run]
    rows: list[list[dict]]  # the raw alert rows of each run
    incidents: list[Incident]
    struck: set[str]  # ids of incidents placed on a drone's path
    quiet: set[str]  # ids of incidents where no zone was ever alerted


def build_month(root: Path) -> Month:
    rng = np.random.default_rng(2026)
    runs, rows, scns = [], [], []
    for k, start in enumerate(STARTS):
        s = settings_for("quiet", seed=40 + k, duration_min=35.0, drones=4, start=start)
        scn = simulate("belgorod", s)
        write_scenario(scn, root / f"scenario{k}")
        replay(scn.region, root / f"scenario{k}" / "sensors.json",
               root / f"scenario{k}" / "detections.jsonl", root / f"run{k}")  # fmt: skip
        runs.append(load_run(root / f"run{k}", drill=False))
        rows.append(read_alert_rows(root / f"run{k}" / "alerts.jsonl"))
        scns.append(scn)
    region = scns[0].region
    alerted = {sp.zone for run in runs for sp in run.spells}
    calm = [z for z in region.zones.ids if z not in alerted]
    log = SqliteEventLog(root / "data" / "events.sqlite") if _mk(root / "data") else None
    reg = IncidentRegistry(log, region)
    struck, quiet = set(), set()

    def add(kind, t_s, lat, lon, into):
        killed = int(rng.integers(0, 3))
        injured = int(rng.integers(0, 6))
        cas = Casualties(
            injured=injured,
            killed=killed,
            injured_children=int(rng.integers(0, injured + 1)),
            killed_children=int(rng.integers(0, killed + 1)),
        )
        try:
            inc = reg.make(kind=kind, t_s=t_s, lat_deg=lat, lon_deg=lon, source="sensor",
                           casualties=cas, now_s=LATER_S)  # fmt: skip
        except ValueError:  # a debris point outside the region
            return
        reg.add(inc, "test")
        into.add(inc.id)

    for scn in scns:
        tr = scn.truth
        for j in range(len(scn.raid)):
            if tr.count[j] < 2:
                continue
            last = tr.first[j] + tr.count[j] - 1
            if tr.impact[j]:
                add("impact", tr.t_s[last], tr.lat_deg[last], tr.lon_deg[last], struck)
            mid = tr.first[j] + int(tr.count[j] * 0.7)
            add("debris", tr.t_s[mid], tr.lat_deg[mid], tr.lon_deg[mid], struck)
        for z in rng.choice(len(calm), 3, replace=False):
            zi = int(np.flatnonzero(region.zones.ids == calm[z])[0])
            t = scn.start_s + float(rng.uniform(0, scn.settings.duration_s))
            add("damage", t, region.zones.lat_deg[zi], region.zones.lon_deg[zi], quiet)
    some = sorted(struck)[0]
    reg.retract(some, "test", "counted twice")
    log.close()
    return Month(region, root, runs, rows, reg.all(), struck - {some}, quiet)


def _mk(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return True


def drill_copy(run: Run) -> Run:
    return replace(run, drill=True)
