"""The tracker's settings: engineering constants measured in benchmarks/bench_track.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from tocsin.track import imm
from tocsin.types import SPEED_OF_SOUND_MPS


@dataclass(frozen=True, slots=True)
class TrackerSettings:
    q_h_m2ps3: float = 0.5  # horizontal acceleration noise: cruising drones fly straight legs
    # Motion model of updates: "cv" (constant velocity) or "imm" (constant velocity and
    # coordinated turns, track/imm.py). Predictions for gating, coasting and threat
    # assessment use the constant-velocity model either way. See docs/engine.md for
    # what each gives on the benchmark and on simulated nights.
    motion: str = "cv"
    models: imm.ImmModels = field(default_factory=imm.ImmModels)
    q_v_m2ps3: float = 0.5
    confirm_window_s: float = 60.0
    confirm_score: float = 3.0
    confirm_llr: float = 5.0  # track score (log-likelihood ratio) worth confirm_score
    clutter_per_km2: float = 0.01  # false plots per km² per scan that a radar may give
    radar_pd: float = 0.9  # a radar's chance of seeing a drone in its cover, each scan
    default_scan_period_s: float = 4.0  # for a radar registered without one
    confirm_min_hits: int = 3
    reporter_weight: float = 1.0  # per distinct reporter whose sighting the track took
    sighting_window_s: float = 300.0  # sightings are late: they count this long
    coast_min_hits: int = 8  # only a track with this many updates is coasted through gaps
    max_speed_mps: float = 130.0  # jets fly 90-120 m/s; a faster track is clutter strung together
    out_of_order_tolerance_s: float = 1.0
    # Silence after which a track is dropped: tentative tracks by what started them;
    # confirmed ones by whether sensors cover where the drone should now be.
    silence_tentative_s: dict = field(
        default_factory=lambda: {
            "radar": 12.0,  # three scans of a 4 s radar (of the radar's own period if known)
            "position": 60.0,
            "acoustic": 45.0,
            "sighting": 300.0,
        }
    )
    tentative_missed_scans: int = 3
    # Confirmed drones are coasted through gaps in coverage: a lost track is a missed warning.
    # Scans missed in a row where a radar should see the drone (of the covering radar
    # with the longest period; default_scan_period_s for one registered without):
    # 30 s of a 2-s radar, 60 s of a 4-s one.
    silence_radar_cover_scans: int = 15
    silence_acoustic_cover_s: float = 300.0
    # A node's silence ends a track only while the track's one-sigma position error is
    # within this share of the node's range: a node cannot be said to miss a drone the
    # track no longer places inside its hearing (track/lifetime.py).
    node_cover_sigma_share: float = 1.0
    silence_uncovered_s: float = 900.0
    radar_cover_share: float = 0.85  # of range_max, where detection is still likely
    max_sigma_m: float = 15000.0
    # A confirmed track silent this long is dropped when it is the same as one being updated
    # (updated within fresh_s): the drone has one track, not two (track/merge.py).
    shadowed_silence_s: float = 8.0
    # ... unless the updated one was started over this long before the silent one's last
    # update: both were fed at once, so they are two drones of a formation (track/merge.py).
    shadow_together_s: float = 0.0
    fresh_s: float = 5.0
    sound_mps: float = SPEED_OF_SOUND_MPS
    # A bearing that neither fits a track nor crosses another node's starts a track on
    # its own, where along the bearing the drone most likely is; it is confirmed only
    # by what follows.
    single_bearing_start: bool = True
    # A node that keeps hearing a track (this many of its reports, spaced, over 20 s, and
    # most of what it reported then: track/hearing.py) counts as a second node. 0: off.
    acoustic_persist_reports: int = 5
    # "Heard" says the drone is within the node's range, not at the node: it moves a
    # track predicted within that range not at all, and one predicted beyond it only
    # to its edge.
    heard_within_range: bool = True
    # Added to the cost (d² + ln|S|) of a tentative track's plots, where tracks compete
    # for them: -2 ln of the chance that a tentative track is a drone (about 0.14).
    tentative_cost: float = 4.0
    # A tentative track whose radar plot another track fits about as well (GnnAssociator.
    # contested_d2) is confirmed on it only once it has this many hits more than
    # confirm_min_hits: in a formation its first plots may be a neighbour's.
    contested_wait_hits: int = 2
    # A radar or external plot this far out (chi-square, 2 d.o.f.: 1% of a track's own
    # plots) adds surprise_var_v (m²/s²) to the variance of the track's velocity on
    # each axis, with the constant-velocity model: its velocity may be off. For a track
    # with fewer than coast_min_hits updates, surprise_var_v_young: (40 m/s)², what a
    # neighbour's plot among its first few puts in its velocity; with the IMM too, in
    # each of its models.
    surprise_d2: float = 9.21
    surprise_var_v: float = 100.0
    surprise_var_v_young: float = 1600.0
    # Young tracks fed by radar alone keep their last trail_plots plots; after each scan,
    # two within trail_radius_m of each other (one with trail_min_plots plots or more)
    # trade their plots from some scan on where the two histories that gives lie on
    # straight lines better by more than trail_exchange_cost (sum of chi-squares; 0:
    # off). See track/trails.py.
    trail_plots: int = 8
    trail_radius_m: float = 1500.0
    trail_exchange_cost: float = 6.0
    trail_min_plots: int = 4
