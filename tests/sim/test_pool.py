"""Pooled figures: one night pooled is that night's score; nights pool by sums, not means."""

from __future__ import annotations

import numpy as np
import pytest
from simcase import small_scenario

from tocsin.sim.files import alerts_from_rows
from tocsin.sim.pool import night_samples, pool
from tocsin.sim.scenario import write_scenario
from tocsin.sim.score import WARNING_KEYS, load_scenario, policy_rows, score_alerts
from tocsin.times import format_time, parse_time

FIGURES = WARNING_KEYS


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """(score, samples) of two policies on two seeded nights."""
    out = {}
    for seed in (5, 6):
        d = write_scenario(small_scenario(seed), tmp_path_factory.mktemp("scn"))
        scenario = load_scenario(d)
        for policy in ("oracle", "region-wide"):
            rows = policy_rows(scenario, policy)
            if policy == "oracle":  # an imperfect policy: every other onset 200 s late
                for k, r in enumerate(rows):
                    if r["event"] == "onset" and k % 2:
                        r["t"] = format_time(parse_time(r["t"]) + 200.0)
            alerts = alerts_from_rows(sorted(rows, key=lambda r: r["t"]))
            out[seed, policy] = (score_alerts(scenario, alerts), night_samples(scenario, alerts))
    return out


def test_one_night_pooled_is_its_score(scored):
    for policy, (score, samples) in scored.items():
        pooled = pool([samples])
        assert score["passes"] > 20 and score["warning_onsets"] > 0
        for k in FIGURES:
            assert pooled[k] == pytest.approx(score[k]), (policy, k)


def test_nights_pool_by_sums_not_by_averaging_ratios(scored):
    (a, na), (b, nb) = scored[5, "oracle"], scored[6, "region-wide"]
    both = pool([na, nb])
    alerted = a["alerted_zone_s"] + b["alerted_zone_s"]
    assert both["overwarn"] == pytest.approx(alerted / (a["oracle_zone_s"] + b["oracle_zone_s"]))
    assert both["overwarn"] != pytest.approx((a["overwarn"] + b["overwarn"]) / 2)
    onsets = a["warning_onsets"] + b["warning_onsets"]
    false = a["false_onsets"] + b["false_onsets"]
    assert both["false_zone_share"] == pytest.approx(false / onsets)
    assert both["lead_median_s"] == pytest.approx(np.median(na["lead_s"] + nb["lead_s"]))
    assert both["nights"] == 2 and both["passes"] == a["passes"] + b["passes"]
