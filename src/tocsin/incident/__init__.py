"""The incident registry: impacts, debris and damage, their casualties and their history."""

from tocsin.incident.model import (
    DAMAGE,
    KINDS,
    SOURCES,
    STATUSES,
    Casualties,
    Change,
    Incident,
    incident_from_dict,
)
from tocsin.incident.registry import IncidentRegistry

__all__ = [
    "DAMAGE",
    "KINDS",
    "SOURCES",
    "STATUSES",
    "Casualties",
    "Change",
    "Incident",
    "IncidentRegistry",
    "incident_from_dict",
]
