"""Detection records (interchange spec §2) to ``Detection``s, or ``Rejection``s.

``Intake.take`` handles one record (the live path); ``Intake.take_many`` a
batch, with the geodesic conversions vectorised: both give the same result for
each record. A record is decoded, checked field by field and converted before
anything shared is touched, so a bad record changes nothing but the reject
counts; no record ever makes ``take`` raise.

Conventions beyond the spec: positions, covariances and the velocities of
external tracks are in the local grid frame (x east, y north of the frame);
``azimuth_deg``, ``bearing_deg`` and ``heading_deg`` stay true, and
``bearing_grid_deg`` is the grid bearing. See ``convert`` for the models.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from tocsin.geo.frame import LocalFrame
from tocsin.ingest import convert
from tocsin.ingest import fields as f
from tocsin.ingest.decode import line_to_record
from tocsin.ingest.kinds import NODE, POINT, POLAR2, POLAR3, Plan, Profile, parse_fields
from tocsin.messages import Detection, Sensor

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 65_536  # a record is a few hundred bytes; longer ones are rejected unread
CLOCK_SKEW_S = 5.0  # rx may precede t by this much (clocks of sensor and Tocsin differ)

REASONS = (
    "bad_encoding",  # not UTF-8, or a string field holding a lone surrogate
    "too_long",  # longer than max_line_bytes
    "empty",  # an empty or blank line
    "bad_json",  # not JSON
    "not_finite",  # NaN, Infinity, or a number too large for a float
    "not_object",  # JSON, but not an object
    "missing_field",  # a required field is absent or null
    "bad_type",  # e.g. a string or a boolean where a number belongs
    "out_of_range",  # a value outside its range, or a position outside the local frame
    "unknown_sensor",  # 'sensor' is not in the registry
    "kind_mismatch",  # 'kind' differs from the sensor's kind
    "bad_time",  # 't' or 'rx' is not a valid time, or outside 1970..2100
    "rx_before_t",  # received more than CLOCK_SKEW_S before it was measured
    "internal",  # a bug in Tocsin: the record is dropped, the stream goes on
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """A record that was not taken in: its seq, a reason code (``REASONS``) and a message."""

    seq: int
    reason: str
    message: str  # names the record and the field, e.g. "record 17: 'range_m' must be ..."
    field: str | None = None


_CONVERTED = (POLAR3, POLAR2, POINT)


@dataclass(eq=False)
class Intake:
    """Turns detection records into Detections in ``frame``, counting rejects by reason.

    The registry is read once, when the intake is made.
    """

    sensors: Mapping[str, Sensor]
    frame: LocalFrame
    max_line_bytes: int = MAX_LINE_BYTES
    clock_skew_s: float = CLOCK_SKEW_S
    counts: Counter = field(default_factory=Counter, init=False)  # rejects by reason
    accepted: int = field(default=0, init=False)
    _profiles: dict = field(init=False, repr=False)
    _logged: set = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        self._profiles = {sid: Profile(s) for sid, s in self.sensors.items()}

    def take(
        self, line: str | bytes, seq: int, rx_override: float | None = None
    ) -> Detection | Rejection:
        """One record. ``rx_override`` (live use: the arrival time) replaces the record's rx."""
        return self.take_many(((seq, line),), rx_override)[0]

    def take_many(
        self, items: Iterable[tuple[int, str | bytes]], rx_override: float | None = None
    ) -> list[Detection | Rejection]:
        """A batch of ``(seq, line)``: one Detection or Rejection each, in order."""
        out: list = []
        groups: dict[str, list[tuple[int, Plan]]] = {g: [] for g in _CONVERTED}
        for seq, line in items:
            try:
                plan = self._check(line, seq, rx_override)
            except f.FieldError as e:
                out.append(
                    Rejection(
                        seq=seq, reason=e.reason, message=f"record {seq}: {e.text}", field=e.field
                    )
                )
                continue
            except Exception as e:  # a bug must not stop the stream
                out.append(_internal(seq, e))
                continue
            if plan.group == NODE:
                out.append(_build(plan.kw))
            else:
                groups[plan.group].append((len(out), plan))
                out.append(None)
        for group, members in groups.items():
            if members:
                try:
                    self._convert(group, members, out)
                except Exception as e:  # a bug must not stop the stream
                    for i, plan in members:
                        out[i] = _internal(plan.kw["seq"], e)
        self._tally(out)
        return out

    @property
    def rejected(self) -> int:
        return sum(self.counts.values())

    def _check(self, line: str | bytes, seq: int, rx_override: float | None) -> Plan:
        rec = line_to_record(line, self.max_line_bytes)
        sid = rec.get("sensor")
        if type(sid) is not str:
            if sid is None:
                raise f.FieldError("missing_field", "sensor", "'sensor' is required")
            raise f.FieldError(
                "bad_type", "sensor", f"'sensor' must be a string, not {f.show(sid)}"
            )
        p = self._profiles.get(sid)
        if p is None:
            raise f.FieldError(
                "unknown_sensor", "sensor", f"'sensor' {f.show(sid)} is not in the registry"
            )
        kind = p.sensor.kind
        given = rec.get("kind")
        if given is not None and given != kind:
            if type(given) is not str:
                msg = f"'kind' must be a string, not {f.show(given)}"
                raise f.FieldError("bad_type", "kind", msg)
            msg = f"'kind' is {f.show(given)} but sensor {sid!r} is of kind {kind!r}"
            raise f.FieldError("kind_mismatch", "kind", msg)
        t = f.time(rec, "t", f.REQUIRED)
        rx = f.time(rec, "rx", t)
        if rx_override is not None:
            rx = float(rx_override)
        if rx < t - self.clock_skew_s:
            raise f.FieldError("rx_before_t", "rx", f"'rx' is {t - rx:.3f} s before 't'")
        kw = {"seq": seq, "sensor": sid, "kind": kind, "t_s": t, "rx_s": rx}
        return parse_fields(rec, p, kw)

    def _convert(self, group: str, members: list[tuple[int, Plan]], out: list) -> None:
        a = np.array([plan.args for _, plan in members], float)
        extra: dict[str, list] = {}
        if group == POLAR3:
            x, y, cov, alt, s_alt = convert.polar3_to_xy(
                self.frame, lat_deg=a[:, 0], lon_deg=a[:, 1], alt_m=a[:, 2], north_deg=a[:, 3],
                range_m=a[:, 4], azimuth_deg=a[:, 5], elevation_deg=a[:, 6],
                sigma_range_m=a[:, 7], sigma_azimuth_deg=a[:, 8], sigma_elevation_deg=a[:, 9],
            )  # fmt: skip
            extra = {"alt_m": alt.tolist(), "sigma_alt_m": s_alt.tolist()}
        elif group == POLAR2:
            x, y, cov = convert.polar2_to_xy(
                self.frame, lat_deg=a[:, 0], lon_deg=a[:, 1], north_deg=a[:, 2], range_m=a[:, 3],
                azimuth_deg=a[:, 4], sigma_range_m=a[:, 5], sigma_azimuth_deg=a[:, 6],
            )  # fmt: skip
        else:
            x, y, cov = convert.points_to_xy(self.frame, a[:, 0], a[:, 1], a[:, 2])
            moving = ~np.isnan(a[:, 3])
            if moving.any():
                north = self.frame.north_deg(a[moving, 0], a[moving, 1])
                ve, vn = np.full(len(a), np.nan), np.full(len(a), np.nan)
                ve[moving], vn[moving] = convert.velocity_to_grid(a[moving, 3], a[moving, 4], north)
                extra = {"v_east_mps": ve.tolist(), "v_north_mps": vn.tolist()}
        xs, ys, covs = x.tolist(), y.tolist(), cov.tolist()
        for j, (i, plan) in enumerate(members):
            kw = plan.kw
            if not (math.isfinite(xs[j]) and math.isfinite(ys[j])):
                key = "lat" if group == POINT else "range_m"
                msg = f"record {kw['seq']}: {key!r}: the position is outside the local frame"
                out[i] = Rejection(seq=kw["seq"], reason="out_of_range", message=msg, field=key)
                continue
            kw["x_m"], kw["y_m"], kw["cov_xy"] = xs[j], ys[j], tuple(covs[j])
            for name, values in extra.items():
                v = values[j]
                kw[name] = None if v != v else v  # NaN: not moving
            out[i] = _build(kw)

    def _tally(self, out: list) -> None:
        for r in out:
            if type(r) is Detection:
                self.accepted += 1
                continue
            self.counts[r.reason] += 1
            if r.reason not in self._logged:
                self._logged.add(r.reason)
                log.warning(
                    "rejected a record (%s): %s; further '%s' rejects are counted, not logged",
                    r.reason, r.message, r.reason,
                    extra={"reason": r.reason, "seq": r.seq, "field": r.field},
                )  # fmt: skip


def _build(kw: dict) -> Detection | Rejection:
    try:
        return Detection(**kw)
    except Exception as e:  # every check passed, so this is a bug: drop the record, go on
        return _internal(kw["seq"], e)


def _internal(seq: int, e: Exception) -> Rejection:
    log.debug("internal error on record %s", seq, exc_info=e)  # _tally warns once
    return Rejection(
        seq=seq,
        reason="internal",
        message=f"record {seq}: internal error: {type(e).__name__}: {f.show(str(e))}",
    )
