"""Settings of a simulated raid and its sensor network, and the named presets.

>>> s = settings_for("quiet", seed=7)
>>> (s.drones, s.waves, s.seed)
(4, 1, 7)
>>> settings_for("typical", drones=0)
Traceback (most recent call last):
...
ValueError: drones must be 1..1000, not 0
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from tocsin.times import parse_time

DEFAULT_START = "2026-11-24T21:00:00Z"
MAX_DRONES = 1000
MAX_TURNS = 6


@dataclass(frozen=True, slots=True, kw_only=True)
class SimSettings:
    """Everything that shapes one simulated scenario; the same settings and seed give
    the same files.

    Times are seconds from the scenario start unless named `_min`.
    """

    preset: str = "typical"
    seed: int = 1
    start_s: float = parse_time(DEFAULT_START)
    duration_min: float = 150.0
    ground_alt_m: float = 150.0  # the region's terrain, flat (no elevation model)
    # the raid
    drones: int = 40
    waves: int = 3
    directions: int = 2
    wave_spread_min: float = 20.0  # how long one wave takes to cross its entry line
    launch_window: float = 0.55  # share of the duration over which waves start
    strike_share: float = 0.7
    jet_share: float = 0.05
    group_share: float = 0.5  # share of drones flying in groups of 2-6
    turn_p: tuple[float, ...] = (0.2, 0.4, 0.3, 0.1)  # chance of 0, 1, 2, ... turns a route
    turn_side: float = 0.12  # sigma of a turn's offset off the straight line, share of its length
    turn_side_max_m: float = 25_000.0  # the offset's bound (and at most 0.3 of the length)
    # sensors
    radars: int = 4
    acoustic_density: float = 1.0
    neighbour: bool = True
    neighbour_share: float = 0.5
    clutter_per_scan: float = 0.5
    acoustic_false_per_h: float = 0.3  # per node
    sighting_share: float = 0.6  # chance a pass over a large town is reported
    sighting_sigma_m: float = 1500.0
    mistaken_per_h_per_100k: float = 1.0
    outage_radar: int = 0  # index of the radar that falls silent; -1: none
    outage_start_min: float = 30.0
    outage_min: float = 15.0

    def __post_init__(self) -> None:
        _check(1 <= self.drones <= MAX_DRONES, f"drones must be 1..{MAX_DRONES}, not {self.drones}")
        _check(1 <= self.waves <= 50, f"waves must be 1..50, not {self.waves}")
        _check(1 <= self.directions <= 12, f"directions must be 1..12, not {self.directions}")
        _check(
            1.0 <= self.duration_min <= 24 * 60,
            f"duration must be 1..1440 minutes, not {self.duration_min}",
        )
        _check(0 <= self.radars <= 20, f"radars must be 0..20, not {self.radars}")
        _check(
            0.0 <= self.acoustic_density <= 10.0,
            f"acoustic density must be 0..10, not {self.acoustic_density}",
        )
        _check(self.wave_spread_min >= 0, "wave spread must be >= 0 minutes")
        _check(self.outage_min >= 0 and self.outage_start_min >= 0, "outage times must be >= 0")
        _check(self.outage_radar >= -1, "outage radar must be an index >= 0, or -1 for none")
        _check(
            1 <= len(self.turn_p) <= MAX_TURNS + 1
            and min(self.turn_p) >= 0.0
            and abs(sum(self.turn_p) - 1.0) < 1e-9,
            f"turn p must be 1..{MAX_TURNS + 1} chances >= 0 summing to 1, not {self.turn_p}",
        )
        _check(0.0 <= self.turn_side <= 1.0, f"turn side must be 0..1, not {self.turn_side}")
        for name in (
            "launch_window",
            "strike_share",
            "jet_share",
            "group_share",
            "neighbour_share",
            "sighting_share",
        ):
            v = getattr(self, name)
            _check(0.0 <= v <= 1.0, f"{name.replace('_', ' ')} must be 0..1, not {v}")
        for name in (
            "clutter_per_scan",
            "acoustic_false_per_h",
            "mistaken_per_h_per_100k",
            "sighting_sigma_m",
            "turn_side_max_m",
        ):
            v = getattr(self, name)
            _check(v >= 0.0, f"{name.replace('_', ' ')} must be >= 0, not {v}")

    @property
    def duration_s(self) -> float:
        return self.duration_min * 60.0

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def _check(ok: bool, msg: str) -> None:
    if not ok:
        raise ValueError(msg)


_TYPICAL = dict(drones=40, waves=3, directions=2, duration_min=150.0, wave_spread_min=20.0)
PRESETS: dict[str, dict] = {
    "quiet": dict(
        drones=4,
        waves=1,
        directions=1,
        duration_min=60.0,
        wave_spread_min=5.0,
        radars=3,
        outage_radar=-1,
    ),
    "typical": _TYPICAL,
    "mass-raid": dict(
        drones=700,
        waves=5,
        directions=4,
        duration_min=240.0,
        wave_spread_min=30.0,
        radars=5,
        strike_share=0.75,
    ),
    "sparse-sensors": dict(
        drones=40,
        waves=3,
        directions=2,
        duration_min=150.0,
        wave_spread_min=20.0,
        radars=2,
        acoustic_density=0.25,
        neighbour=False,
    ),
    # stress cases of the warning policy, on the typical raid
    "sharp-turns": dict(
        _TYPICAL,
        turn_p=(0.0, 0.0, 0.0, 0.2, 0.3, 0.3, 0.2),
        turn_side=0.3,
        turn_side_max_m=40_000.0,
    ),
    "groups": dict(_TYPICAL, group_share=0.9),
    "radar-outage": dict(_TYPICAL, outage_radar=0, outage_start_min=25.0, outage_min=75.0),
    "late-sightings": dict(
        _TYPICAL, radars=0, acoustic_density=0.02, neighbour=False, sighting_share=1.0
    ),
}


def settings_for(preset: str = "typical", **overrides) -> SimSettings:
    """The settings of a named preset, with some fields overridden (None: keep the preset's).

    `start` may be given as an ISO 8601 string (or Unix seconds) instead of `start_s`.
    """
    if preset not in PRESETS:
        raise ValueError(f"no preset {preset!r}: choose one of {', '.join(PRESETS)}")
    values = {k: v for k, v in overrides.items() if v is not None}
    if "start" in values:
        values["start_s"] = parse_time(values.pop("start"))
    known = {f.name for f in fields(SimSettings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown simulation settings: {', '.join(unknown)}")
    base = SimSettings(preset=preset, **PRESETS[preset])
    return replace(base, **values)
