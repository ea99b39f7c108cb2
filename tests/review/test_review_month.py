"""A simulated month: links and statistics checked against figures computed here, another way."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime

import numpy as np
import pytest

from tocsin.review import link_incidents
from tocsin.review.stats import compute_stats
from tocsin.times import parse_time


def _day(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, UTC).strftime("%Y-%m-%d")


def _replayed_state(rows: list[dict], zone: str, level: str, t_s: float) -> float | None:
    """Onset time of the spell in force at t_s, replaying the rows one by one (None: none)."""
    onset = None
    for r in sorted(rows, key=lambda r: parse_time(r["t"])):
        if parse_time(r["t"]) > t_s:
            break
        if r["zone"] == zone and r["level"] == level:
            if r["event"] == "onset" and onset is None:
                onset = parse_time(r["t"])
            elif r["event"] == "clear":
                onset = None
    return onset


@pytest.fixture(scope="module")
def links(month):
    return link_incidents(month.incidents, month.runs)


@pytest.fixture(scope="module")
def stats(month, links):
    return compute_stats(month.region, month.runs, month.incidents, links)


def test_links_agree_with_the_rows_replayed_one_by_one(month, links):
    assert len(links) == len(month.incidents) >= 10
    for inc, lk in zip(month.incidents, links, strict=True):
        onsets = [_replayed_state(rows, inc.zone, "warning", inc.t_s) for rows in month.rows]
        onsets = [t for t in onsets if t is not None]
        assert lk.warned == bool(onsets), inc
        if onsets:
            assert lk.lead_s == pytest.approx(inc.t_s - min(onsets), abs=1e-6)
        if inc.id in month.quiet:
            assert lk.level is None and lk.late_s is None
    on_path = [lk for lk in links if lk.incident in month.struck]
    assert any(lk.warned for lk in on_path)
    # A drone's own path: its track came near (within 5 km) for most of them.
    assert sum(bool(lk.tracks) for lk in on_path) >= len(on_path) // 2


def _occupancy(month, level: str):
    """Seconds under the level per (zone, day), and per day for the region, by 1-s sampling."""
    per_zone: dict[tuple[str, str], int] = defaultdict(int)
    region_secs: dict[str, set[int]] = defaultdict(set)
    for rows in month.rows:
        last = math.ceil(max(parse_time(r["t"]) for r in rows))
        spans: dict[str, list[list[float]]] = defaultdict(list)
        for r in sorted(rows, key=lambda r: parse_time(r["t"])):
            if r["level"] != level:
                continue
            if r["event"] == "onset" and not (spans[r["zone"]] and spans[r["zone"]][-1][1] is None):
                spans[r["zone"]].append([parse_time(r["t"]), None])
            elif r["event"] == "clear" and spans[r["zone"]]:
                spans[r["zone"]][-1][1] = parse_time(r["t"])
        for zone, ivs in spans.items():
            secs = set()
            for a, b in ivs:
                secs.update(range(math.ceil(a), math.ceil(last if b is None else b)))
            for s in secs:
                per_zone[(zone, _day(s))] += 1
                region_secs[_day(s)].add(s)
    return per_zone, {d: len(s) for d, s in region_secs.items()}


def test_hours_under_warning_match_a_count_of_seconds(month, stats):
    per_zone, per_day = _occupancy(month, "warning")
    got = {(r["id"], r["start"]): r["warning_h"] for r in stats if r["scope"] == "zone"
           and r["period"] == "day"}  # fmt: skip
    n_spells = defaultdict(int)
    for run in month.runs:
        for sp in run.spells:
            if sp.level == "warning":
                n_spells[(sp.zone, _day(sp.start_s))] += 1
    for key, secs in per_zone.items():
        assert got[key] * 3600 == pytest.approx(secs, abs=2 * n_spells[key] + 2)
    region = {r["start"]: r for r in stats if r["scope"] == "region" and r["period"] == "day"}
    assert len([d for d in per_day if per_day[d]]) >= 4  # the midnight raid spans two days
    for day, secs in per_day.items():
        assert region[day]["warning_h"] * 3600 == pytest.approx(secs, rel=1e-3, abs=10)
    months = [r for r in stats if r["scope"] == "region" and r["period"] == "month"]
    assert len(months) == 1
    # Hours are given to 4 decimals: the days' sum may differ by half a unit per day.
    day_sum = sum(r["warning_h"] for r in region.values())
    assert months[0]["warning_h"] == pytest.approx(day_sum, abs=5e-5 * len(region))
    assert months[0]["zone_warning_h"] * 3600 == pytest.approx(sum(per_zone.values()), rel=1e-3)


def test_onsets_incidents_casualties_and_lead_match(month, stats, links):
    month_row = next(r for r in stats if r["scope"] == "region" and r["period"] == "month")
    all_rows = [r for rows in month.rows for r in rows]
    assert month_row["warnings"] == sum(
        r["event"] == "onset" and r["level"] == "warning" for r in all_rows
    )
    assert month_row["advisories"] == sum(
        r["event"] == "onset" and r["level"] == "advisory" for r in all_rows
    )
    live = [i for i in month.incidents if i.status != "retracted"]
    assert len(live) == len(month.incidents) - 1
    assert month_row["incidents"] == len(live)
    for name in ("injured", "killed", "injured_children", "killed_children"):
        assert month_row[name] == sum(getattr(i.casualties, name) for i in live)
    leads = [lk.lead_s for lk, i in zip(links, month.incidents, strict=True)
             if lk.warned and i.status != "retracted"]  # fmt: skip
    assert month_row["warned"] == len(leads) >= 1
    assert month_row["lead_median_s"] == pytest.approx(float(np.median(leads)), abs=0.05)


def test_settlements_carry_the_figures_of_their_zone(month, stats):
    zone_rows = {(r["id"], r["period"], r["start"]): r for r in stats if r["scope"] == "zone"}
    towns = [r for r in stats if r["scope"] == "settlement"]
    assert towns
    names = list(month.region.settlements.names)
    for r in towns:
        z = month.region.zones.ids[month.region.settlements.zone[names.index(r["id"])]]
        zr = zone_rows[(z, r["period"], r["start"])]
        assert {k: v for k, v in r.items() if k not in ("scope", "id", "name")} == {
            k: v for k, v in zr.items() if k not in ("scope", "id", "name")
        }
