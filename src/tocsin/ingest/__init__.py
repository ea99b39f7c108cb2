"""Ingest: sensor registries and detection records into Detections in the local frame.

Implements interchange spec §1 (``sensors.json``) and §2 (``detections.jsonl``).
Bad records are rejected one by one with a reason code and counted; nothing
else stops.
"""

from tocsin.ingest.kinds import (
    DEFAULT_PLOT_SIGMA_M,
    DEFAULT_POSITION_SIGMA_M,
    DEFAULT_RANGE_MAX_M,
    DEFAULT_SIGHTING_SIGMA_M,
    DEFAULT_SIGMA_AZIMUTH_DEG,
    DEFAULT_SIGMA_BEARING_DEG,
    DEFAULT_SIGMA_ELEVATION_DEG,
    DEFAULT_SIGMA_RANGE_M,
)
from tocsin.ingest.parse import CLOCK_SKEW_S, MAX_LINE_BYTES, REASONS, Intake, Rejection
from tocsin.ingest.registry import load_sensors
from tocsin.ingest.stream import load_detections, read_detections

__all__ = [
    "CLOCK_SKEW_S",
    "DEFAULT_PLOT_SIGMA_M",
    "DEFAULT_POSITION_SIGMA_M",
    "DEFAULT_RANGE_MAX_M",
    "DEFAULT_SIGHTING_SIGMA_M",
    "DEFAULT_SIGMA_AZIMUTH_DEG",
    "DEFAULT_SIGMA_BEARING_DEG",
    "DEFAULT_SIGMA_ELEVATION_DEG",
    "DEFAULT_SIGMA_RANGE_M",
    "Intake",
    "MAX_LINE_BYTES",
    "REASONS",
    "Rejection",
    "load_detections",
    "load_sensors",
    "read_detections",
]
