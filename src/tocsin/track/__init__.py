"""Multi-sensor multi-target tracking with track states batched in numpy arrays."""

from tocsin.track.settings import TrackerSettings
from tocsin.track.tracker import MultiSensorTracker

__all__ = ["MultiSensorTracker", "TrackerSettings"]
