"""Shared names: ids, array aliases and units used across the stages."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ZoneId = str  # an H3 cell index string, e.g. "871f1d489ffffff"
SensorId = str
TrackId = str
TargetId = str

SENSOR_KINDS = ("radar", "acoustic", "sighting", "position")
ALERT_LEVELS = ("advisory", "warning")
ALERT_EVENTS = ("onset", "update", "clear")

EARTH_RADIUS_M = 6_371_008.8
SPEED_OF_SOUND_MPS = 340.0
D_HIT_M = 3_000.0  # spec §6: a zone is threatened within this distance of its centre
