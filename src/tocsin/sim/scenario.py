"""Simulate a raid over a region and write its scenario directory (spec §5).

>>> from tocsin.sim.preset import settings_for
>>> scn = simulate("belgorod", settings_for("quiet", drones=2, duration_min=10, seed=3))
>>> len(scn.raid), bool((scn.records.rx_s[1:] >= scn.records.rx_s[:-1]).all())
(2, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from tocsin.geo import DEFAULT_ZONE_RES, Region, builtin_names, load_region
from tocsin.sim.acoustic import observe_acoustic
from tocsin.sim.fly import Truth, fly
from tocsin.sim.neighbour import observe_neighbour
from tocsin.sim.network import Network, lay_out
from tocsin.sim.preset import SimSettings
from tocsin.sim.radar import observe_radars
from tocsin.sim.raid import Raid, plan_raid
from tocsin.sim.records import Records, concat, ms_of
from tocsin.sim.sighting import observe_public
from tocsin.sim.write import detection_bytes, truth_bytes, write_json
from tocsin.times import format_time
from tocsin.types import SENSOR_KINDS, FloatArray

Progress = Callable[[str, float], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A simulated raid: the truth, the network and the records it produced.

    `records` are sorted by rx; `records.cause` is the index of the target that
    caused each one (-1 for clutter and false alarms). `first_rx_s (N,)` is NaN
    for a target nothing reported.
    """

    settings: SimSettings
    region: Region
    region_geojson: str
    raid: Raid
    truth: Truth
    network: Network
    records: Records
    first_rx_s: FloatArray

    @property
    def start_s(self) -> float:
        return self.settings.start_s

    @property
    def end_s(self) -> float:
        return self.settings.end_s

    def summary(self) -> dict:
        """Counts of targets, sensors and records (real and false, by kind)."""
        rec, raid, net = self.records, self.raid, self.network
        by_kind = {k: int(np.sum(rec.kind == k)) for k in SENSOR_KINDS}
        false = {k: int(np.sum((rec.kind == k) & (rec.cause < 0))) for k in SENSOR_KINDS}
        return {
            "targets": len(raid),
            "strikers": int(raid.striker.sum()),
            "transits": int((~raid.striker).sum()),
            "jets": int(raid.jet.sum()),
            "groups": int(len(np.unique(raid.group))),
            "reported_targets": int(np.isfinite(self.first_rx_s).sum()),
            "impacts": int(self.truth.impact.sum()),
            "truth_rows": len(self.truth),
            "sensors": {"radar": len(net.radars), "acoustic": len(net.acoustic)},
            "records": by_kind,
            "false_records": false,
        }


def simulate(
    region: str | Path,
    settings: SimSettings,
    *,
    zone_res: int = DEFAULT_ZONE_RES,
    progress: Progress | None = None,
) -> Scenario:
    """Simulate a raid and its detections over a built-in region or a GeoJSON file."""

    def report(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    s = settings
    reg = load_region(region, zone_res)
    rng_raid, rng_net, rng_radar, rng_ac, rng_pub, rng_nb = np.random.default_rng(s.seed).spawn(6)
    report("planning the raid", 0.0)
    raid = plan_raid(reg, s, rng_raid)
    truth = fly(raid, reg, s.ground_alt_m, s.end_s, lambda f: report("flying", 0.02 + 0.4 * f))
    report("laying out sensors", 0.42)
    net = lay_out(reg, s, rng_net)
    report("radar plots", 0.45)
    parts = [observe_radars(net, truth, s.start_s, s.end_s, s.clutter_per_scan, rng_radar)]
    report("acoustic reports", 0.7)
    parts.append(
        observe_acoustic(net.acoustic, truth, s.start_s, s.end_s, s.acoustic_false_per_h, rng_ac)
    )
    report("public sightings", 0.85)
    parts.append(observe_public(reg, raid, truth, s, s.end_s, rng_pub))
    if s.neighbour:
        report("neighbour tracks", 0.92)
        parts.append(observe_neighbour(reg, truth, s.neighbour_share, s.start_s, s.end_s, rng_nb))
    records = _finish(concat(parts), s)
    first = np.full(len(raid), np.inf)
    real = records.cause >= 0
    np.minimum.at(first, records.cause[real], records.rx_s[real])
    report("done", 1.0)
    return Scenario(
        settings=s,
        region=reg,
        region_geojson=_region_text(region),
        raid=raid,
        truth=truth,
        network=net,
        records=records,
        first_rx_s=np.where(np.isfinite(first), first, np.nan),
    )


def _finish(rec: Records, s: SimSettings) -> Records:
    """Records within the scenario, times on whole milliseconds, rx >= t, sorted by rx."""
    rec = rec.take((rec.t_s >= s.start_s) & (rec.t_s <= s.end_s))
    t_ms = ms_of(rec.t_s)
    rx_ms = np.maximum(ms_of(rec.rx_s), t_ms)
    order = np.lexsort((t_ms, rx_ms))
    rec = rec.take(order)
    t_ms, rx_ms = t_ms[order], rx_ms[order]
    return replace(rec, t_s=t_ms / 1000.0, rx_s=rx_ms / 1000.0)


def _region_text(source: str | Path) -> str:
    src = str(source)
    if src in builtin_names():
        return (resources.files("tocsin.geo") / "regions" / f"{src}.geojson").read_text("utf-8")
    return Path(src).read_text("utf-8")


def write_scenario(scn: Scenario, out_dir: str | Path, progress: Progress | None = None) -> Path:
    """Write the scenario directory: region, sensors, detections, truth, targets and
    scenario.json (settings, times and counts). Returns the directory."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "region.geojson").write_text(scn.region_geojson, encoding="utf-8")
    write_json(out / "sensors.json", {"sensors": scn.network.registry()}, "sensors")
    if progress is not None:
        progress("writing detections", 0.0)
    (out / "detections.jsonl").write_bytes(detection_bytes(scn.records))
    if progress is not None:
        progress("writing truth", 0.4)
    tr = scn.truth
    order = np.lexsort((tr.target, tr.t_s))
    ids = scn.raid.ids.astype(np.bytes_)
    (out / "truth.jsonl").write_bytes(
        truth_bytes(
            tr.t_s[order],
            ids[tr.target[order]],
            tr.lat_deg[order],
            tr.lon_deg[order],
            tr.alt_m[order],
        )
    )
    write_json(out / "targets.json", {"targets": _targets(scn)}, "targets")
    write_json(out / "scenario.json", _about(scn))
    if progress is not None:
        progress("written", 1.0)
    return out


def _targets(scn: Scenario) -> list[dict]:
    raid, sett = scn.raid, scn.region.settlements
    out = []
    for i, tid in enumerate(raid.ids):
        rx = scn.first_rx_s[i]
        e = {
            "target": tid,
            "kind": "uav",
            "speed_mps": round(float(raid.speed_mps[i]), 2),
            "first_rx": None if np.isnan(rx) else format_time(float(rx)),
        }
        if raid.jet[i]:
            e["jet"] = True
        e["role"] = "strike" if raid.dest[i] >= 0 else "transit"
        if raid.dest[i] >= 0:
            e["destination"] = str(sett.names[raid.dest[i]])
        e["group"] = f"G{raid.group[i] + 1}"
        e["wave"] = int(raid.wave[i]) + 1
        out.append(e)
    return out


def _about(scn: Scenario) -> dict:
    s, net = scn.settings, scn.network
    outage = None
    if net.outage_radar >= 0:
        outage = {
            "sensor": str(net.radars.ids[net.outage_radar]),
            "start": format_time(net.outage_s[0]),
            "end": format_time(net.outage_s[1]),
        }
    settings = asdict(s)
    settings["start"] = format_time(settings.pop("start_s"))
    return {
        "format": "tocsin-scenario/1",
        "region": scn.region.name,
        "start": format_time(scn.start_s),
        "end": format_time(scn.end_s),
        "settings": settings,
        "outage": outage,
        "counts": scn.summary(),
    }
