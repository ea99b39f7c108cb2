"""Multi-sensor multi-target tracking with track states batched in numpy arrays."""

from tocsin.track.tracker import MultiSensorTracker, TrackerSettings

__all__ = ["MultiSensorTracker", "TrackerSettings"]
