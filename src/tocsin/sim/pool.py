"""Warning figures of many nights pooled into one (benchmarks/bench_warning.py).

A night's `night_samples` keeps what its §6 figures are made of: counts of
passes, per-pass leads, per-zone stale clears, alerted and oracle
zone-seconds (plain and population-weighted), onsets. `pool` adds nights up
and computes every figure once over the lot, exactly as `score_alerts` does
for one night: POD is the sum of passes warned in time over the sum of
warnable passes, `overwarn` the sum of alerted zone-seconds over the sum of
the oracle's, the medians are taken over all nights' passes or zones. Ratios
are never averaged, so a night with many passes weighs as much as its passes.

>>> empty = {k: 0 for k in COUNT_KEYS} | {k: 0.0 for k in SUM_KEYS}
>>> empty |= {k: [] for k in LIST_KEYS}
>>> pool([empty, empty])["POD"] is None
True
"""

from __future__ import annotations

import numpy as np

from tocsin.sim.files import Alerts
from tocsin.sim.policy import L_GOAL_S, oracle_intervals, pass_leads
from tocsin.sim.score import Scenario, false_zones, run_intervals, scenario_end_s, stale_clears
from tocsin.sim.stages import stage_metrics, stage_parts

COUNT_KEYS = ("passes", "warnable", "warned", "warned_in_time", "onsets", "false_onsets",
              "advised", "intervals", "reonsets", "clears", "premature_clears")  # fmt: skip
SUM_KEYS = ("alerted_zone_s", "oracle_zone_s", "alerted_pop_s", "oracle_pop_s")
LIST_KEYS = ("lead_s", "lead_ratio", "stale_s", "advisory_lead_s")


def night_samples(scenario: Scenario, alerts: Alerts) -> dict:
    """What one night's §6 figures of `alerts` are made of, JSON-ready."""
    iv, onset_t, onset_zone, onset_end = run_intervals(scenario, alerts)
    p = scenario.passes
    in_force, lead, in_time = pass_leads(p, iv)
    warnable = p.warnable
    ratio = lead[warnable] / np.minimum(L_GOAL_S, p.t_avail_s[warnable])
    pop = scenario.region.zones.population.astype(float)
    oracle = oracle_intervals(p)
    n_false = false_zones(p, onset_t, onset_zone, onset_end)["false_onsets"]
    advisory = run_intervals(scenario, alerts, "advisory")[0]
    stages = stage_parts(p, iv, advisory, scenario_end_s(scenario, alerts))
    return stages | {
        "passes": len(p),
        "warnable": int(warnable.sum()),
        "warned": int(in_force.sum()),
        "warned_in_time": int(in_time[warnable].sum()),
        "onsets": int(onset_t.size),
        "false_onsets": n_false,
        "alerted_zone_s": iv.seconds(),
        "oracle_zone_s": oracle.seconds(),
        "alerted_pop_s": iv.seconds(pop),
        "oracle_pop_s": oracle.seconds(pop),
        "lead_s": lead[warnable].tolist(),
        "lead_ratio": ratio.tolist(),
        "stale_s": stale_clears(p, iv).tolist(),
    }


def pool(nights: list[dict]) -> dict:
    """The §6 figures of nights' samples pooled (see the module's docstring)."""
    c = {k: sum(n[k] for n in nights) for k in COUNT_KEYS}
    s = {k: sum(n[k] for n in nights) for k in SUM_KEYS}
    lists = {k: np.array([v for n in nights for v in n[k]], float) for k in LIST_KEYS}
    return {
        "POD": _share(c["warned_in_time"], c["warnable"]),
        "POD_any": _share(c["warned"], c["passes"]),
        "unwarnable_share": _share(c["passes"] - c["warnable"], c["passes"]),
        "lead_median_s": _median(lists["lead_s"]),
        "lead_ratio": _median(lists["lead_ratio"]),
        "overwarn": _share(s["alerted_zone_s"], s["oracle_zone_s"]),
        "overwarn_pop": _share(s["alerted_pop_s"], s["oracle_pop_s"]),
        "stale_clear_s": _median(lists["stale_s"]),
        "false_zone_share": _share(c["false_onsets"], c["onsets"]),
        **stage_metrics(c | {"advisory_lead_s": lists["advisory_lead_s"]}, c["warnable"]),
        "nights": len(nights),
        "passes": c["passes"],
        "warnable_passes": c["warnable"],
        "warning_onsets": c["onsets"],
    }


def _share(a: float, b: float) -> float | None:
    return float(a / b) if b > 0 else None


def _median(v: np.ndarray) -> float | None:
    return float(np.median(v)) if v.size else None
