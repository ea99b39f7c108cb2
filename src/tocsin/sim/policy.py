"""Reference warning policies computed from the truth, as `alerts.jsonl` rows (spec §4).

- `oracle`: exactly the threatened zones, each over the union of
  [max(t_in - L_goal, first_rx), t_out + 60 s] over its passes (t_in when the
  target was never reported), leaving out a pass whose target was first
  reported after it ended. It is the denominator of `overwarn`, and scores
  POD 1, overwarn 1 and false_zone_share 0 by construction.
- `region-wide`: every zone of the region from the first record of any
  drone until the last threat pass ends + 60 s.
- `straight`: what prediction along straight lines could give with perfect
  tracking. From its first report on, each drone's true position and velocity
  are known every second; each second warns the zones within D_hit of its
  straight path over the next L_goal + 30 s (the margin any policy needs for
  a drone that speeds up), and a warning is held 45 s after the
  last second that called for it (Tocsin's own hold). It needs no sensor and
  no estimate, so what it misses are the passes that come after a turn or a
  change of speed the drone had not yet begun, and its false onsets are the
  zones ahead of a drone that then turned or struck short of them: the part
  of the score that no tracker, however good, can mend by predicting straight.

With the interval queries every score uses: which interval is in force at a
time, how many keys came before, and each pass's lead (`pass_leads`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tocsin.geo import Zones
from tocsin.sim.passes import WARNABLE_S, Passes
from tocsin.times import format_time
from tocsin.types import D_HIT_M, BoolArray, FloatArray, IntArray

L_GOAL_S = 300.0  # spec §6: the lead time a warning aims for
HOLD_S = 60.0  # spec §6: the oracle keeps a zone warned this long after a pass
STRAIGHT_HOLD_S = 45.0  # the straight policy's hold: Tocsin's `policy.hold_s`
STRAIGHT_MARGIN_S = 30.0  # it looks this much beyond L_goal, so a pass slightly early still counts
STRAIGHT_CHUNK = 100_000  # truth samples whose straight paths are searched at a time
POLICIES = ("oracle", "region-wide", "straight")


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


def straight_intervals(
    target: IntArray,
    t_s: FloatArray,
    x_m: FloatArray,
    y_m: FloatArray,
    first_rx_s: FloatArray,
    zones: Zones,
    look_s: float = L_GOAL_S + STRAIGHT_MARGIN_S,
    hold_s: float = STRAIGHT_HOLD_S,
    radius_m: float = D_HIT_M,
) -> Intervals:
    """The `straight` policy's warning intervals (module text) from truth samples (N,)
    in the local frame; `first_rx_s (T,)` per target (NaN: never reported). A wider
    `radius_m` than D_hit trades false onsets for the passes after small turns."""
    target = np.asarray(target, np.int64)
    t_s, x_m, y_m = (np.asarray(a, float) for a in (t_s, x_m, y_m))
    order = np.lexsort((t_s, target))
    tg, t, x, y = target[order], t_s[order], x_m[order], y_m[order]
    with np.errstate(invalid="ignore"):
        known = t >= np.asarray(first_rx_s, float)[tg] if len(tg) else np.zeros(0, bool)
    # Velocity towards the next sample of the same target (from the one before at the last).
    nxt = np.r_[tg[1:] == tg[:-1], False]
    dt = np.r_[np.diff(t), 0.0]
    ok = nxt & (dt > 0)
    vx = np.where(ok, np.r_[np.diff(x), 0.0] / np.where(ok, dt, 1.0), np.nan)
    vy = np.where(ok, np.r_[np.diff(y), 0.0] / np.where(ok, dt, 1.0), np.nan)
    back = ~ok & np.r_[False, ok[:-1]]
    vx[back], vy[back] = vx[np.flatnonzero(back) - 1], vy[np.flatnonzero(back) - 1]
    vx, vy = np.nan_to_num(vx), np.nan_to_num(vy)
    speed = np.hypot(vx, vy)
    ux, uy = vx / np.maximum(speed, 1e-9), vy / np.maximum(speed, 1e-9)
    rows = np.flatnonzero(known)
    parts: list[Intervals] = []
    for c in range(0, len(rows), STRAIGHT_CHUNK):  # rows are by target: chunks merge well
        r = rows[c : c + STRAIGHT_CHUNK]
        seg, zone = zones.near_segments(
            x[r], y[r], ux[r], uy[r], speed[r] * look_s, np.full(len(r), radius_m)
        )
        ts = t[r][seg]
        parts.append(merge_intervals(zone, ts, ts + 1.0 + hold_s, np.full(len(ts), np.nan)))
    if not parts:
        return merge_intervals(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0))
    return merge_intervals(
        np.concatenate([p.zone for p in parts]),
        np.concatenate([p.start_s for p in parts]),
        np.concatenate([p.end_s for p in parts]),
        np.concatenate([p.first_t_in_s for p in parts]),
    )


def with_first_t_in(iv: Intervals, passes: Passes) -> Intervals:
    """The intervals with `first_t_in_s` set: the earliest t_in of a pass of the zone
    within [start, end] (NaN for none)."""
    first = np.full(len(iv), np.nan)
    if len(passes):
        n_before = count_at_or_before(
            passes.zone, passes.t_in_s, iv.zone, iv.start_s, inclusive=False
        )
        j = np.searchsorted(passes.zone, iv.zone, "left") + n_before  # first t_in >= start
        jj = np.minimum(j, len(passes) - 1)
        ok = (j < len(passes)) & (passes.zone[jj] == iv.zone) & (passes.t_in_s[jj] <= iv.end_s)
        first[ok] = passes.t_in_s[jj[ok]]
    return Intervals(zone=iv.zone, start_s=iv.start_s, end_s=iv.end_s, first_t_in_s=first)


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
