"""Simulated detection records as columns, with the cause of each kept beside them.

`cause` (the index of the target that caused a record, -1 for clutter and false
alarms) and the `true_*` columns (the noiseless value of what was measured) are
ground truth: they stay in memory for scoring and tests and are never written.

>>> r = make_records(t_s=[2.0, 1.0], rx_s=[2.5, 1.5], sensor=["R1", "R1"], kind="radar",
...                  cause=[0, -1], range_m=[1000.0, 2000.0])
>>> r2 = concat([r, make_records(t_s=[0.0], rx_s=[3.0], sensor=["public"], kind="sighting",
...                              cause=[-1], count=[2])])
>>> r2.by_rx().cause.tolist(), r2.by_rx().count.tolist()
([-1, 0, -1], [0, 0, 2])
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from tocsin.types import FloatArray, IntArray

_INT_FIELDS = {"cause": 0, "count": 0, "reporter": -1, "ext_id": -1}  # absent: 0, -1, -1


@dataclass(frozen=True, slots=True, kw_only=True)
class Records:
    """Detection records, parallel arrays (M,). Float fields are NaN where absent."""

    t_s: FloatArray
    rx_s: FloatArray
    sensor: np.ndarray
    kind: np.ndarray
    cause: IntArray
    range_m: FloatArray
    azimuth_deg: FloatArray
    elevation_deg: FloatArray
    bearing_deg: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    sigma_m: FloatArray
    heading_deg: FloatArray
    v_east_mps: FloatArray
    v_north_mps: FloatArray
    count: IntArray
    reporter: IntArray
    ext_id: IntArray
    true_range_m: FloatArray
    true_azimuth_deg: FloatArray
    true_elevation_deg: FloatArray
    true_bearing_deg: FloatArray
    true_lat_deg: FloatArray
    true_lon_deg: FloatArray

    def __len__(self) -> int:
        return len(self.t_s)

    def take(self, index) -> Records:
        """The records at index (an int array or a boolean mask), in that order."""
        return replace(self, **{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def by_rx(self) -> Records:
        """Sorted by arrival (rx, rounded to the written millisecond), then t; stable."""
        t_ms, rx_ms = ms_of(self.t_s), ms_of(self.rx_s)
        return self.take(np.lexsort((t_ms, rx_ms)))


def ms_of(t_s) -> IntArray:
    """Whole milliseconds, rounded as `format_time` rounds them."""
    return np.rint(np.asarray(t_s, float) * 1000.0).astype(np.int64)


def make_records(*, t_s, rx_s, sensor, kind: str, cause, **columns) -> Records:
    """Records of one kind; columns not given are absent (NaN, 0 or -1)."""
    n = len(t_s)
    values: dict = {
        "t_s": np.asarray(t_s, float),
        "rx_s": np.asarray(rx_s, float),
        "sensor": np.asarray(sensor, dtype=object).reshape(n),
        "kind": np.full(n, kind, dtype=object),
    }
    for f in fields(Records):
        name = f.name
        if name in values:
            continue
        given = columns.pop(name, None) if name != "cause" else cause
        if name in _INT_FIELDS:
            fill = _INT_FIELDS[name]
            values[name] = (
                np.full(n, fill, np.int64)
                if given is None
                else np.broadcast_to(np.asarray(given, np.int64), (n,)).copy()
            )
        else:
            values[name] = (
                np.full(n, np.nan)
                if given is None
                else np.broadcast_to(np.asarray(given, float), (n,)).copy()
            )
    if columns:
        raise TypeError(f"unknown record columns: {', '.join(sorted(columns))}")
    return Records(**values)


def concat(parts: list[Records]) -> Records:
    """One record set from several, in order."""
    if not parts:
        return make_records(t_s=[], rx_s=[], sensor=[], kind="radar", cause=[])
    return Records(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Records)}
    )
