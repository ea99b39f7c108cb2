"""The stages a person acts on, beyond §6: advisories in time, flicker, premature clears.

Issue 5 asks for an advisory at least 10 minutes ahead where the sensors
allow it, no zone flickering between states, and no all-clear while a threat
can still come. ``stage_parts`` keeps what these figures are made of (so
that many nights pool, ``sim/pool.py``) and ``stage_metrics`` computes them;
docs/metrics.md, "Stages", defines them.
"""

from __future__ import annotations

import numpy as np

from tocsin.sim.passes import WARNABLE_S, Passes
from tocsin.sim.policy import L_GOAL_S, Intervals, count_at_or_before, pass_leads

STAGE_KEYS = (  # beyond §6: the stages a person acts on (docs/metrics.md, "Stages")
    "advisory_POD",
    "advisory_lead_median_s",
    "reonset_share",
    "premature_clear_share",
)
A_GOAL_S = 600.0  # an advisory is wanted 10 minutes ahead where the sensors allow it
REONSET_S = 300.0  # a warning that starts again this soon after its clear is a flicker


def stage_parts(p: Passes, warning: Intervals, advisory: Intervals, end_s: float) -> dict:
    """What the stage figures are made of (`stage_metrics`), JSON-ready, to pool nights."""
    in_a, lead_a, _ = pass_leads(p, advisory)
    in_w, lead_w, _ = pass_leads(p, warning)
    lead = np.maximum(np.where(in_a, lead_a, 0.0), np.where(in_w, lead_w, 0.0))
    warnable = p.warnable
    with np.errstate(invalid="ignore"):
        advised = (in_a | in_w) & (lead >= np.minimum(A_GOAL_S, p.t_avail_s - WARNABLE_S))
    iv = warning  # sorted by zone, then start
    again = (iv.zone[1:] == iv.zone[:-1]) & (iv.start_s[1:] - iv.end_s[:-1] < REONSET_S)
    cleared = iv.end_s < end_s
    z, t_clear = iv.zone[cleared], iv.end_s[cleared]
    # passes of the zone with t_in in (clear, clear + L_goal], then by targets reported by then
    n_soon = count_at_or_before(p.zone, p.t_in_s, z, t_clear + L_GOAL_S, inclusive=True)
    n_now = count_at_or_before(p.zone, p.t_in_s, z, t_clear, inclusive=True)
    first = np.searchsorted(p.zone, z, "left")
    premature = 0
    for i in np.flatnonzero(n_soon > n_now):
        a, b = first[i] + n_now[i], first[i] + n_soon[i]
        premature += bool((p.first_rx_s[a:b] <= t_clear[i]).any())
    return {
        "advised": int(advised[warnable].sum()),
        "advisory_lead_s": lead[warnable].tolist(),
        "intervals": len(iv),
        "reonsets": int(again.sum()),
        "clears": int(cleared.sum()),
        "premature_clears": premature,
    }


def stage_metrics(parts: dict, warnable: int) -> dict:
    """The stages a person acts on, beyond §6 (docs/metrics.md, "Stages").

    ``advisory_POD``: share of warnable passes with an advisory or a warning in
    force at t_in since at least min(10 min, t_avail - 30 s) before it;
    ``advisory_lead_median_s``: the median of that lead over warnable passes (0
    when none). ``reonset_share``: share of warning intervals that start within
    5 min of the clear of the zone's previous one (flicker). ``premature_clear_share``:
    share of warning clears followed, within L_goal, by a pass of the zone by a
    target reported before the clear (a threat that was in the air and came).
    """
    leads = parts["advisory_lead_s"]
    return {
        "advisory_POD": parts["advised"] / warnable if warnable else None,
        "advisory_lead_median_s": float(np.median(leads)) if len(leads) else None,
        "reonset_share": _share(parts["reonsets"], parts["intervals"]),
        "premature_clear_share": _share(parts["premature_clears"], parts["clears"]),
    }


def _share(a: int, b: int) -> float | None:
    return a / b if b else None
