"""The shapes of incidents over the API: what operators send and what they get back.

An incident reads as ``Incident.to_dict`` (``docs/review.md``) with its
history. Bodies are checked for shape here; what they mean (choices, counts,
the place, the time) is checked by the registry, whose message names the field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tocsin.incident import Incident, IncidentRegistry
from tocsin.times import format_time


class CasualtiesDoc(BaseModel):
    """People hurt: totals, and how many of them were children."""

    model_config = ConfigDict(extra="forbid")
    injured: int = 0
    killed: int = 0
    injured_children: int = 0
    killed_children: int = 0


class ChangeDoc(BaseModel):
    action: str = Field(description="reported, confirmed, retracted or amended")
    by: str = Field(description="the operator who made the change")
    t: str
    note: str


class IncidentDoc(BaseModel):
    id: str
    kind: str
    t: str
    lat: float
    lon: float
    zone: str
    source: str
    casualties: CasualtiesDoc
    damage: str
    hospitals: list[str]
    notes: str
    status: str = Field(description="reported, confirmed or retracted")
    history: list[ChangeDoc]


class IncidentList(BaseModel):
    incidents: list[IncidentDoc]


class IncidentIn(BaseModel):
    """A new incident; it is registered as ``reported``."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field("impact", description="impact, debris or damage")
    t: str = Field(description="when it happened, ISO 8601 with a zone")
    lat: float
    lon: float
    source: str = Field(
        "emergency_services", description="emergency_services, police, public or sensor"
    )
    casualties: CasualtiesDoc | None = None
    damage: str = Field("none", description="none, light, moderate, severe or destroyed")
    hospitals: list[str] = Field(default_factory=list, description="receiving hospitals")
    notes: str = Field("", description="free text; public in the transparent log")
    id: str | None = Field(None, description="the incident's id (default: the next I00001…)")
    note: str = Field("", description="a note on the report itself")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", description="how it is known")


class RetractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(description="why the incident is retracted")


class AmendIn(BaseModel):
    """What is now known; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(description="how it is known")
    casualties: CasualtiesDoc | None = None
    damage: str | None = None
    hospitals: list[str] | None = None
    notes: str | None = None


def incident_doc(reg: IncidentRegistry, inc: Incident) -> IncidentDoc:
    """An incident as it stands, with every change to it."""
    hist = [
        ChangeDoc(action=c.action, by=c.by, t=format_time(c.t_s), note=c.note)
        for c in reg.history(inc.id)
    ]
    return IncidentDoc(**inc.to_dict(), history=hist)
