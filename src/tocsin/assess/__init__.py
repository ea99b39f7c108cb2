"""Threat assessment: predicted ground paths of tracks and per-zone arrival times."""

from tocsin.assess.cache import ThreatCache
from tocsin.assess.reach import ReachSettings, ZoneThreats, zone_threats

__all__ = ["ReachSettings", "ThreatCache", "ZoneThreats", "zone_threats"]
