"""Track-oriented scoring: what each hit says of a track, and when a tentative one is confirmed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tocsin.messages import Detection
from tocsin.track import kalman
from tocsin.track.hearing import NodeReports
from tocsin.track.table import Evidence
from tocsin.types import FloatArray, IntArray

if TYPE_CHECKING:
    from tocsin.track.settings import TrackerSettings

ACOUSTIC_NODE_WEIGHT = 1.5  # per distinct node that heard the track


def hit_llr(
    x, P, z, R, group: list[Detection], s: TrackerSettings
) -> tuple[FloatArray, FloatArray]:
    """Log-likelihood ratio (M,) that each plot is the track's drone rather than clutter,
    and each plot's squared Mahalanobis distance on the ground plane (NaN for a
    report that counts nothing here).

    ln(Pd · N(y; 0, S) / β) on the ground plane, with β the clutter density:
    a plot far out in a wide gate says little, one close to a sharp
    prediction says much. Reports other than radar plots and other
    systems' positions count nothing here.
    """
    y = z[:, :2] - x[:, :2]
    S = P[:, :2, :2] + R[:, :2, :2]
    d2, logdet = kalman.mahalanobis2(y, S)
    ln_beta = math.log(s.clutter_per_km2 * 1e-6)
    llr = math.log(s.radar_pd / (2 * math.pi)) - 0.5 * (d2 + logdet) - ln_beta
    kinds = {d.kind for d in group}  # a batch is one sensor's: mostly one kind
    if kinds <= {"radar", "position"}:
        return llr, d2
    counts = np.array([d.kind in ("radar", "position") for d in group])
    return np.where(counts, llr, 0.0), np.where(counts, d2, np.nan)


def surprise(
    d2: FloatArray, ks: IntArray, evidence: list[Evidence], s: TrackerSettings
) -> tuple[IntArray, FloatArray]:
    """Which of the tracks ks, just updated with plots at squared distances d2, are to
    be told that their velocity may be off, and by how much (m²/s² on each axis).

    A plot beyond ``surprise_d2`` (1 in 100 of a track's own) says the velocity may
    be off: a wingman's plot taken, a turn begun. A young track (fewer than
    ``coast_min_hits`` updates) is told ``surprise_var_v_young``: its velocity
    rests on a few plots, one of which may have been a neighbour's. An older one is
    told ``surprise_var_v`` with the constant-velocity model, nothing with the IMM,
    whose turning models are there for the turns.
    """
    off = np.flatnonzero(d2 > s.surprise_d2)
    young = np.array([len(evidence[k].hits) < s.coast_min_hits for k in ks[off].tolist()], bool)
    old = 0.0 if s.motion == "imm" else s.surprise_var_v
    return off, np.where(young, s.surprise_var_v_young, old)


def confirmed(ev: Evidence, t: float, speed_mps: float, s: TrackerSettings,
              periods: dict[str, float], hearing: NodeReports) -> bool:  # fmt: skip
    """Whether a tentative track's evidence up to t is strong enough to confirm it.

    The plots' log-likelihood ratios, less ln(1 - Pd) for each scan a radar
    (scan period from ``periods``) should have seen the drone and did not, on a
    scale where ``confirm_llr`` counts as much as the confirmation score; plus
    a fixed weight per distinct acoustic node that heard it (twice for one that
    kept hearing it, track/hearing.py) and per distinct person who reported it
    (track/trust.py). Sightings alone never confirm: at least one hit must come
    from a sensor.
    """
    window = [i for i, h in enumerate(ev.hits) if h[0] >= t - s.confirm_window_s]
    recent = [ev.hits[i] for i in window]
    llr = sum(ev.llr[i] for i in window)
    by_radar: dict[str, list[float]] = {}
    for h in recent:
        if h[2] == "radar":
            by_radar.setdefault(h[1], []).append(h[0])
    miss_llr = math.log(1.0 - s.radar_pd)
    for sensor, times in by_radar.items():
        period = periods.get(sensor, s.default_scan_period_s)
        expected = round((max(times) - min(times)) / period) + 1
        llr += miss_llr * max(expected - len(times), 0)
    nodes = {h[1] for h in recent if h[2] == "acoustic"}
    nodes_worth = len(nodes) + hearing.persistent(recent, ev.bearings) if nodes else 0
    people = {who for t_r, who in ev.reporters if t_r >= t - s.sighting_window_s}
    score = (
        s.confirm_score * llr / s.confirm_llr
        + ACOUSTIC_NODE_WEIGHT * nodes_worth
        + s.reporter_weight * len(people)
    )
    sensed = any(h[2] != "sighting" for h in recent)  # sightings alone never confirm
    return (
        sensed
        and score >= s.confirm_score
        and len(recent) >= s.confirm_min_hits
        and speed_mps <= s.max_speed_mps
    )
