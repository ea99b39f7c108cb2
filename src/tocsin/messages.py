"""Frozen messages that cross stage boundaries.

ingest → track: ``Sensor``, ``Detection``; track → engine/store:
``TrackConfirmed``, ``TrackDeleted``; alert → publish/store: ``AlertChange``.
Batched states cross as arrays instead (``assess.ZoneThreats``,
``engine.TrackRows``): one object per track would cost a Python call each.
Positions are in the region's local frame (x east, y north, metres).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tocsin.types import ALERT_EVENTS, ALERT_LEVELS, SENSOR_KINDS


def _finite(name: str, value: float | None, *, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Sensor:
    """A registered sensor (spec §1) with its position in the local frame."""

    id: str
    kind: str
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_m: float = 0.0
    x_m: float | None = None
    y_m: float | None = None
    north_deg: float = 0.0  # grid azimuth of true north at the sensor (LocalFrame.north_deg)
    range_max_m: float | None = None
    sigma_range_m: float | None = None
    sigma_azimuth_deg: float | None = None
    sigma_elevation_deg: float | None = None
    scan_period_s: float | None = None
    sigma_bearing_deg: float | None = None
    sigma_m: float | None = None
    extra: dict = field(default_factory=dict)  # unknown registry fields, kept

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("sensor id must be a non-empty string")
        if self.kind not in SENSOR_KINDS:
            raise ValueError(f"sensor kind must be one of {SENSOR_KINDS}, not {self.kind!r}")
        if self.kind in ("radar", "acoustic") and (self.x_m is None or self.y_m is None):
            raise ValueError(f"a {self.kind} sensor needs a position")


@dataclass(frozen=True, slots=True, kw_only=True)
class Detection:
    """One good detection record, in the local frame.

    Every kind carries a ground position estimate ``x_m, y_m`` with covariance
    ``cov_xy = (var_x, cov_xy, var_y)`` in m². For an acoustic record that is
    the node's position with its audible disc as covariance; a bearing, when
    measured, is in ``bearing_deg`` (true) and ``bearing_grid_deg`` (local).
    Radar records keep their polar values (``range_m``, ``azimuth_deg``,
    ``elevation_deg``) and the radar's position in ``origin_*``.
    """

    seq: int  # position of the record in its input stream, from 0
    sensor: str
    kind: str
    t_s: float  # when the measurement was taken (Unix seconds)
    rx_s: float  # when it reached Tocsin
    x_m: float
    y_m: float
    cov_xy: tuple[float, float, float]
    alt_m: float | None = None  # None: altitude not measured
    sigma_alt_m: float | None = None
    v_east_mps: float | None = None
    v_north_mps: float | None = None
    sigma_v_mps: float | None = None
    origin_x_m: float | None = None
    origin_y_m: float | None = None
    origin_alt_m: float | None = None
    range_m: float | None = None
    azimuth_deg: float | None = None
    elevation_deg: float | None = None
    radial_speed_mps: float | None = None
    sigma_range_m: float | None = None
    sigma_azimuth_deg: float | None = None
    sigma_elevation_deg: float | None = None
    bearing_deg: float | None = None
    bearing_grid_deg: float | None = None
    sigma_bearing_deg: float | None = None
    range_max_m: float | None = None
    snr_db: float | None = None
    heading_deg: float | None = None
    count: int = 1
    reporter: str | None = None
    ext_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SENSOR_KINDS:
            raise ValueError(f"kind must be one of {SENSOR_KINDS}, not {self.kind!r}")
        for name in ("t_s", "rx_s", "x_m", "y_m"):
            _finite(name, getattr(self, name), optional=False)
        vx, cxy, vy = self.cov_xy
        if not (vx > 0 and vy > 0 and vx * vy - cxy * cxy > 0):
            raise ValueError(f"cov_xy must be positive definite, not {self.cov_xy}")
        if self.count < 1:
            raise ValueError("count must be at least 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertChange:
    """A change of one zone's alert state at one level (a row of alerts.jsonl)."""

    t_s: float
    zone: str  # zone id (H3)
    event: str  # onset | update | clear
    level: str  # advisory | warning
    eta_s: float | None = None
    tracks: tuple[str, ...] = ()
    cause: str = "tracks"  # what made the change: tracks | time | manual | cancel
    exercise: bool = True  # drills, simulations and replays are exercises

    def __post_init__(self) -> None:
        if self.event not in ALERT_EVENTS:
            raise ValueError(f"event must be one of {ALERT_EVENTS}, not {self.event!r}")
        if self.level not in ALERT_LEVELS:
            raise ValueError(f"level must be one of {ALERT_LEVELS}, not {self.level!r}")
        _finite("t_s", self.t_s, optional=False)
        _finite("eta_s", self.eta_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackConfirmed:
    """A track gathered enough evidence to be believed; t_s is when."""

    track: str
    t_s: float
    sensors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackDeleted:
    """A track was dropped after silence, growing uncertainty, or as the shadow of another
    track of the same drone; t_s is when."""

    track: str
    t_s: float
    reason: str = "silence"
    was_confirmed: bool = False
