"""Reference warning policies computed from the truth, as `alerts.jsonl` rows (spec §4).

- `oracle`: exactly the threatened zones, each over the union of
  [max(t_in - L_goal, first_rx), t_out + 60 s] over its passes (t_in when the
  target was never reported), leaving out a pass whose target was first
  reported after it ended. It is the denominator of `overwarn`, and scores
  POD 1, overwarn 1 and false_zone_share 0 by construction.
- `region-wide`: every zone of the region from the first record of any
  drone until the last threat pass ends + 60 s.

With the interval queries every score uses: which interval is in force at a
time, how many keys came before, and each pass's lead (`pass_leads`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tocsin.sim.passes import WARNABLE_S, Passes
from tocsin.times import format_time
from tocsin.types import BoolArray, FloatArray, IntArray

L_GOAL_S = 300.0  # spec §6: the lead time a warning aims for
HOLD_S = 60.0  # spec §6: the oracle keeps a zone warned this long after a pass
POLICIES = ("oracle", "region-wide")


@dataclass(frozen=True, slots=True, kw_only=True)
class Intervals:
    """Warning intervals [start, end] per zone (K,), sorted by zone then start.

    `first_t_in_s` is the earliest t_in of the passes an interval covers
    (NaN when it covers none).
    """

    zone: IntArray
    start_s: FloatArray
    end_s: FloatArray
    first_t_in_s: FloatArray

    def __len__(self) -> int:
        return len(self.zone)

    def seconds(self, weight: np.ndarray | None = None) -> float:
        """Total length, optionally weighted per zone by `weight (Z,)`."""
        length = self.end_s - self.start_s
        return float(length.sum() if weight is None else (length * weight[self.zone]).sum())


def oracle_intervals(passes: Passes, l_goal_s: float = L_GOAL_S) -> Intervals:
    """The oracle's warning intervals: per zone, the union over its passes."""
    reported = np.where(np.isnan(passes.first_rx_s), passes.t_in_s, passes.first_rx_s)
    start = np.maximum(passes.t_in_s - l_goal_s, reported)
    end = passes.t_out_s + HOLD_S
    keep = start <= passes.t_out_s  # a target first reported after it left warns nothing
    return merge_intervals(passes.zone[keep], start[keep], end[keep], passes.t_in_s[keep])


def merge_intervals(
    zone: IntArray, start_s: FloatArray, end_s: FloatArray, t_in_s: FloatArray
) -> Intervals:
    """Union per zone of closed intervals (N,); touching intervals merge.

    Vectorised: a segmented running maximum of the ends, on integer
    millisecond keys so that zones never mix.
    """
    if len(zone) == 0:
        e = np.zeros(0)
        return Intervals(
            zone=np.zeros(0, np.int64), start_s=e, end_s=e.copy(), first_t_in_s=e.copy()
        )
    order = np.lexsort((start_s, zone))
    z, s, e, t_in = zone[order], start_s[order], end_s[order], t_in_s[order]
    base = s.min()
    span = int(np.ceil((max(e.max(), s.max()) - base) * 1000.0)) + 2
    skey = z * span + np.round((s - base) * 1000.0).astype(np.int64)
    run = np.maximum.accumulate(z * span + np.round((e - base) * 1000.0).astype(np.int64))
    new = np.ones(len(z), bool)
    new[1:] = (z[1:] != z[:-1]) | (skey[1:] > run[:-1])
    first = np.flatnonzero(new)
    return Intervals(
        zone=z[first],
        start_s=s[first],
        end_s=np.maximum.reduceat(e, first),
        first_t_in_s=np.minimum.reduceat(t_in, first),
    )


def oracle_alerts(passes: Passes, zone_ids: np.ndarray) -> list[dict]:
    """The oracle policy as alert rows, in time order."""
    iv = oracle_intervals(passes)
    return intervals_to_rows(iv, zone_ids)


def region_wide_alerts(passes: Passes, zone_ids: np.ndarray, first_rx_s: FloatArray) -> list[dict]:
    """Every zone warned from the first report of any target to the last t_out + 60 s.

    `first_rx_s (T,)` holds every target's first report (NaN if never). No
    rows when no target was reported or no zone was threatened.
    """
    reported = np.asarray(first_rx_s, float)
    reported = reported[~np.isnan(reported)]
    if reported.size == 0 or len(passes) == 0:
        return []
    onset = float(reported.min())
    clear = float(passes.t_out_s.max()) + HOLD_S
    if clear <= onset:
        return []
    nz = len(zone_ids)
    first_in = np.full(nz, float(passes.t_in_s.min()))  # unthreatened: the region's first
    own = np.full(nz, np.inf)
    np.minimum.at(own, passes.zone, passes.t_in_s)
    first_in = np.where(np.isfinite(own), own, first_in)
    iv = Intervals(
        zone=np.arange(nz, dtype=np.int64),
        start_s=np.full(nz, onset),
        end_s=np.full(nz, clear),
        first_t_in_s=first_in,
    )
    return intervals_to_rows(iv, zone_ids)


def intervals_to_rows(iv: Intervals, zone_ids: np.ndarray) -> list[dict]:
    """Warning onset/clear rows for intervals, sorted by time, then zone, clears first."""
    rows = []
    for z, s, e, t_in in zip(iv.zone, iv.start_s, iv.end_s, iv.first_t_in_s, strict=True):
        zid = str(zone_ids[z])
        eta = 0.0 if np.isnan(t_in) else max(0.0, float(t_in - s))
        rows.append(
            (
                float(s),
                zid,
                1,
                {
                    "t": format_time(s),
                    "zone": zid,
                    "event": "onset",
                    "level": "warning",
                    "eta_s": round(eta, 3),
                    "tracks": [],
                    "cap": None,
                },
            )
        )
        rows.append(
            (
                float(e),
                zid,
                0,
                {
                    "t": format_time(e),
                    "zone": zid,
                    "event": "clear",
                    "level": "warning",
                    "cap": None,
                },
            )
        )
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def last_start_at_or_before(iv: Intervals, q_zone: IntArray, q_t: FloatArray) -> IntArray:
    """Per query, index of the zone's last interval starting at or before q_t, else -1."""
    n = count_at_or_before(iv.zone, iv.start_s, q_zone, q_t, inclusive=True)
    return np.where(n > 0, np.searchsorted(iv.zone, q_zone, "left") + n - 1, -1)


def count_at_or_before(
    k_zone: IntArray, k_t: FloatArray, q_zone: IntArray, q_t: FloatArray, *, inclusive: bool
) -> IntArray:
    """Per query (Q,): how many keys (K,) share its zone with t <= q_t (< q_t if not inclusive).

    Exact and vectorised: keys and queries are sorted together by (zone,
    time, kind), and the keys before each query are counted.
    """
    nk, nq = len(k_t), len(q_t)
    zone = np.r_[np.asarray(k_zone, np.int64), np.asarray(q_zone, np.int64)]
    t = np.r_[np.asarray(k_t, float), np.asarray(q_t, float)]
    kind = np.r_[np.full(nk, 0 if inclusive else 1), np.full(nq, 1 if inclusive else 0)]
    order = np.lexsort((kind, t, zone))
    is_key = order < nk
    before = np.cumsum(is_key)
    counts = np.empty(nq, np.int64)
    counts[order[~is_key] - nk] = before[~is_key]
    return counts - np.searchsorted(np.sort(np.asarray(k_zone, np.int64)), q_zone, "left")


def pass_leads(p: Passes, iv: Intervals) -> tuple[BoolArray, FloatArray, BoolArray]:
    """Per pass (P,): a warning in force at t_in, its lead (0 when missed), and
    warned in time (lead >= min(L_goal, t_avail - 30 s))."""
    j = last_start_at_or_before(iv, p.zone, p.t_in_s)
    ok = j >= 0
    in_force = np.zeros(len(p), bool)
    in_force[ok] = iv.end_s[j[ok]] > p.t_in_s[ok]
    lead = np.zeros(len(p))  # a missed pass counts as lead 0
    lead[in_force] = p.t_in_s[in_force] - iv.start_s[j[in_force]]
    with np.errstate(invalid="ignore"):
        in_time = in_force & (lead >= np.minimum(L_GOAL_S, p.t_avail_s - WARNABLE_S))
    return in_force, lead, in_time
