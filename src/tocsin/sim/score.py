"""Warning metrics of a run against a scenario's truth (spec §6; docs/metrics.md).

`score_run` reads a scenario directory and a run directory and returns the
§6 figures for the run and for the reference policies; `score_alerts` scores
alerts already in memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tocsin.errors import InputError
from tocsin.geo import DEFAULT_ZONE_RES, Region, load_region, zone_res_of
from tocsin.sim.files import (
    Alerts,
    Targets,
    Tracks,
    Truth,
    alerts_from_rows,
    read_alerts,
    read_targets,
    read_tracks,
    read_truth,
)
from tocsin.sim.passes import Passes, find_passes
from tocsin.sim.policy import (
    HOLD_S,
    L_GOAL_S,
    POLICIES,
    Intervals,
    count_at_or_before,
    intervals_to_rows,
    last_start_at_or_before,
    oracle_alerts,
    oracle_intervals,
    pass_leads,
    region_wide_alerts,
    straight_intervals,
    with_first_t_in,
)
from tocsin.sim.runs_gospa import run_gospa
from tocsin.sim.stages import stage_metrics, stage_parts
from tocsin.times import format_time
from tocsin.types import FloatArray, IntArray

WARNING_KEYS = (  # the warning figures of spec §6, in the order they are shown
    "POD",
    "POD_any",
    "unwarnable_share",
    "lead_median_s",
    "lead_ratio",
    "overwarn",
    "overwarn_pop",
    "stale_clear_s",
    "false_zone_share",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A scenario's region, truth (with local x, y and target index) and threat passes."""

    region: Region
    targets: Targets
    truth: Truth
    truth_target: IntArray
    truth_x_m: FloatArray
    truth_y_m: FloatArray
    passes: Passes

    @property
    def t_first_s(self) -> float:
        return float(self.truth.t_s.min()) if len(self.truth) else math.nan

    @property
    def t_last_s(self) -> float:
        return float(self.truth.t_s.max()) if len(self.truth) else math.nan


def load_scenario(scenario_dir: str | Path, zone_res: int = DEFAULT_ZONE_RES) -> Scenario:
    """Read region, targets and truth of a scenario directory; find its passes."""
    d = Path(scenario_dir)
    region_path = d / "region.geojson"
    if not region_path.is_file():
        raise InputError(f"missing file: {region_path}")
    region = load_region(region_path, zone_res)
    targets = read_targets(d / "targets.json")
    truth = read_truth(d / "truth.jsonl")
    index = {t: i for i, t in enumerate(targets.ids)}
    code = np.array([index.get(t, -1) for t in truth.target_ids], np.int64)
    if (code < 0).any():
        bad = int(np.flatnonzero(code < 0)[0])
        line = truth.line[int(np.argmax(truth.target == bad))]
        raise InputError(
            f"{d / 'truth.jsonl'} line {line}: 'target' {truth.target_ids[bad]!r} "
            "is not in targets.json"
        )
    target = code[truth.target] if len(truth) else np.zeros(0, np.int64)
    x, y = region.frame.latlng_to_xy(truth.lat_deg, truth.lon_deg)
    passes = find_passes(truth.t_s, target, x, y, targets.first_rx_s, region.zones)
    return Scenario(
        region=region,
        targets=targets,
        truth=truth,
        truth_target=target,
        truth_x_m=x,
        truth_y_m=y,
        passes=passes,
    )


def run_zone_res(alerts: Alerts, default: int = DEFAULT_ZONE_RES) -> int:
    """The zone resolution of a run, from its zone ids; `default` when it has no alert."""
    res = None
    for z, line in zip(np.unique(alerts.zone), _first_lines(alerts), strict=True):
        try:
            r = zone_res_of(z)
        except ValueError as e:
            raise InputError(f"{alerts.name} line {line}: 'zone' {e}") from e
        if res is not None and r != res:
            raise InputError(
                f"{alerts.name} line {line}: 'zone' {z!r} has resolution {r}, "
                f"other zones of the run have {res}"
            )
        res = r
    return default if res is None else res


def score_run(scenario_dir: str | Path, run_dir: str | Path, zone_res: int | None = None) -> dict:
    """Score a run directory against a scenario directory, with the reference policies."""
    run = Path(run_dir)
    alerts = read_alerts(run / "alerts.jsonl")
    res = run_zone_res(alerts)
    if zone_res is not None and len(alerts) and zone_res != res:
        raise InputError(f"{alerts.name}: zones have resolution {res}, not {zone_res}")
    scenario = load_scenario(scenario_dir, zone_res if zone_res is not None else res)
    tracks = read_tracks(run / "tracks.jsonl") if (run / "tracks.jsonl").exists() else None
    out = score_alerts(scenario, alerts, tracks)
    out["reference"] = reference_scores(scenario)
    return out


def reference_scores(scenario: Scenario) -> dict:
    """The §6 figures of the reference policies, keyed `oracle`, `region_wide`, `straight`."""
    return {
        name.replace("-", "_"): score_alerts(
            scenario, alerts_from_rows(policy_rows(scenario, name))
        )
        for name in POLICIES
    }


def policy_rows(scenario: Scenario, policy: str) -> list[dict]:
    """Alert rows of a reference policy (`POLICIES`) for a scenario."""
    ids = scenario.region.zones.ids
    if policy == "oracle":
        return oracle_alerts(scenario.passes, ids)
    if policy == "region-wide":
        return region_wide_alerts(scenario.passes, ids, scenario.targets.first_rx_s)
    if policy == "straight":
        iv = straight_intervals(
            scenario.truth_target,
            scenario.truth.t_s,
            scenario.truth_x_m,
            scenario.truth_y_m,
            scenario.targets.first_rx_s,
            scenario.region.zones,
        )
        return intervals_to_rows(with_first_t_in(iv, scenario.passes), ids)
    raise ValueError(f"unknown policy {policy!r}: expected {', '.join(POLICIES)}")


def score_alerts(scenario: Scenario, alerts: Alerts, tracks: Tracks | None = None) -> dict:
    """All §6 figures of one set of alerts (and tracks, for GOSPA) as a JSON-ready dict."""
    zones = scenario.region.zones
    end_s = scenario_end_s(scenario, alerts)
    iv, onset_t, onset_zone, onset_end = run_intervals(scenario, alerts)
    p = scenario.passes
    out: dict = {}
    out.update(_pass_metrics(p, iv))
    pop = zones.population.astype(float)
    oracle = oracle_intervals(p)
    out["overwarn"] = _ratio(iv.seconds(), oracle.seconds())
    out["overwarn_pop"] = _ratio(iv.seconds(pop), oracle.seconds(pop))
    out.update(_stale_clear(p, iv))
    out.update(false_zones(p, onset_t, onset_zone, onset_end))
    advisory = run_intervals(scenario, alerts, "advisory")[0]
    out.update(stage_metrics(stage_parts(p, iv, advisory, end_s), int(p.warnable.sum())))
    out.update(run_gospa(scenario, tracks))
    out.update(
        {
            "passes": len(p),
            "warnable_passes": int(p.warnable.sum()),
            "zones_threatened": int(np.unique(p.zone).size),
            "warning_onsets": int(onset_t.size),
            "targets": len(scenario.targets),
            "targets_reported": int((~np.isnan(scenario.targets.first_rx_s)).sum()),
            "zones": len(zones),
            "zone_res": int(zones.res),
            "alerted_zone_s": iv.seconds(),
            "oracle_zone_s": oracle.seconds(),
            "scenario_start": format_time(scenario.t_first_s) if len(scenario.truth) else None,
            "scenario_end": format_time(end_s) if math.isfinite(end_s) else None,
        }
    )
    return {k: _clean(v) for k, v in out.items()}


def scenario_end_s(scenario: Scenario, alerts: Alerts) -> float:
    """max(last truth second + 60 s, the run's last alert); -inf with neither."""
    end_s = float(alerts.t_s.max()) if len(alerts) else -math.inf
    if len(scenario.truth):
        end_s = max(end_s, scenario.t_last_s + HOLD_S)
    return end_s


def run_intervals(
    scenario: Scenario, alerts: Alerts, level: str = "warning"
) -> tuple[Intervals, FloatArray, IntArray, FloatArray]:
    """`warning_intervals` of a run's alerts over the scenario's zones, to its end."""
    zone = _zone_index(alerts, scenario.region.zones)
    return warning_intervals(alerts, zone, scenario_end_s(scenario, alerts), level)


def warning_intervals(
    alerts: Alerts, zone: IntArray, end_s: float, level: str = "warning"
) -> tuple[Intervals, FloatArray, IntArray, FloatArray]:
    """Per zone, the [onset, clear) intervals of ``level`` (`warning`), and every onset.

    A second onset while one is in force continues it; a clear with none in
    force is ignored; an onset never cleared ends at `end_s`. Returns the
    intervals and, per warning onset row (O,), its time, zone and the end of
    the interval it belongs to.
    """
    w = np.flatnonzero((alerts.level == level) & (alerts.event != "update"))
    w = w[np.argsort(alerts.t_s[w], kind="stable")]
    open_: dict[int, int] = {}
    ivz, ivs, ive, on_t, on_z, on_iv = [], [], [], [], [], []
    for i, t, ev in zip(zone[w].tolist(), alerts.t_s[w].tolist(), alerts.event[w], strict=True):
        if ev == "onset":
            k = open_.get(i)
            if k is None:
                k = open_[i] = len(ivs)
                ivz.append(i), ivs.append(t), ive.append(end_s)
            on_t.append(t), on_z.append(i), on_iv.append(k)
        else:
            k = open_.pop(i, None)
            if k is not None:
                ive[k] = t
    ivz, ivs, ive = np.array(ivz, np.int64), np.array(ivs, float), np.array(ive, float)
    order = np.lexsort((ivs, ivz))
    iv = Intervals(
        zone=ivz[order],
        start_s=ivs[order],
        end_s=ive[order],
        first_t_in_s=np.full(len(ivs), np.nan),
    )
    on_end = ive[np.array(on_iv, np.int64)] if on_iv else np.zeros(0)
    return iv, np.array(on_t, float), np.array(on_z, np.int64), on_end


def _pass_metrics(p: Passes, iv: Intervals) -> dict:
    """POD, POD_any, unwarnable_share and the lead figures."""
    in_force, lead, in_time = pass_leads(p, iv)
    warnable, t_avail = p.warnable, p.t_avail_s
    lw = lead[warnable]
    n, nw = len(p), int(warnable.sum())
    return {
        "POD": in_time[warnable].mean() if nw else None,
        "POD_any": in_force.mean() if n else None,
        "unwarnable_share": (~warnable).mean() if n else None,
        "lead_median_s": np.median(lw) if nw else None,
        "lead_p10_s": np.percentile(lw, 10) if nw else None,
        "lead_ratio": np.median(lw / np.minimum(L_GOAL_S, t_avail[warnable])) if nw else None,
        "passes_warned": int(in_force.sum()),
        "passes_warned_in_time": int(in_time[warnable].sum()),
    }


def stale_clears(p: Passes, iv: Intervals) -> FloatArray:
    """Seconds from each counted zone's last t_out to its warning's clear (docs/metrics.md)."""
    if not len(p) or not len(iv):
        return np.zeros(0)
    zs, first = np.unique(p.zone, return_index=True)
    last_out = np.maximum.reduceat(p.t_out_s, first)  # passes are sorted by zone
    j = last_start_at_or_before(iv, zs, last_out)
    ok = j >= 0
    ok[ok] = iv.end_s[j[ok]] >= last_out[ok]
    return iv.end_s[j[ok]] - last_out[ok]


def _stale_clear(p: Passes, iv: Intervals) -> dict:
    """Median seconds from each threatened zone's last t_out to its warning's clear."""
    stale = stale_clears(p, iv)
    return {
        "stale_clear_s": np.median(stale) if stale.size else None,
        "stale_clear_zones": int(stale.size),
    }


def false_zones(
    p: Passes, onset_t: FloatArray, onset_zone: IntArray, onset_end: FloatArray
) -> dict:
    """Share of warning onsets whose zone has no pass within [onset, clear]."""
    if onset_t.size == 0:
        return {"false_zone_share": None, "false_onsets": 0}
    # passes overlapping [a, b] = those with t_in <= b, less those with t_out < a
    n_in = count_at_or_before(p.zone, p.t_in_s, onset_zone, onset_end, inclusive=True)
    n_out = count_at_or_before(p.zone, p.t_out_s, onset_zone, onset_t, inclusive=False)
    false = (n_in - n_out) <= 0
    return {"false_zone_share": false.mean(), "false_onsets": int(false.sum())}


def _zone_index(alerts: Alerts, zones) -> IntArray:
    idx = zones.index(alerts.zone) if len(alerts) else np.zeros(0, np.int64)
    if (idx < 0).any():
        i = int(np.argmax(idx < 0))
        raise InputError(
            f"{alerts.name} line {alerts.line[i]}: 'zone' {alerts.zone[i]!r} "
            f"is not a zone of the region at resolution {zones.res}"
        )
    return idx


def _first_lines(alerts: Alerts) -> IntArray:
    _, first = np.unique(alerts.zone, return_index=True)
    return alerts.line[first]


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def _clean(v):
    """JSON-ready: numpy scalars to Python, NaN to None."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
