"""The shapes of the service's JSON documents, as its OpenAPI description states them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str
    reason: str | None = None


class RecordRejection(BaseModel):
    seq: int = Field(description="the record's line in the request body, from 0")
    reason: str
    message: str


class IngestResult(BaseModel):
    """What became of a signed request's records (202: queued for the engine)."""

    sensor: str
    accepted: int
    rejected: int
    reasons: dict[str, int] = Field(description="rejected records by reason")
    rejections: list[RecordRejection] = Field(description="the first 100 rejected records")


class AlertRow(BaseModel):
    """An alerts.jsonl row (interchange spec §4)."""

    model_config = ConfigDict(extra="allow")
    t: str
    zone: str
    event: Literal["onset", "update", "clear"]
    level: Literal["advisory", "warning"]
    eta_s: float | None = None
    tracks: list[str] | None = None
    cap: str | None = None


class ActiveAlert(AlertRow):
    name: str = Field(description="the zone's settlement or district name, else its id")


class AlertsDoc(BaseModel):
    t: str = Field(description="when this picture was taken")
    alerts: list[ActiveAlert]


class Point(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Target(BaseModel):
    """Where the push gateway delivers: an app-push token, a phone number, a webhook URL."""

    kind: Literal["push", "sms", "webhook"]
    address: str = Field(min_length=1, max_length=2048)
    format: Literal["json", "cap"] = Field(
        default="json", description="webhooks: the alerts.jsonl row, or the CAP 1.2 message"
    )


class PointSubscription(BaseModel):
    """Alerts for the zone holding a point, to a delivery target."""

    model_config = ConfigDict(extra="forbid")
    point: Point
    target: Target


class ZoneSubscription(BaseModel):
    """Alerts for one zone (an H3 cell id of the region), to a delivery target."""

    model_config = ConfigDict(extra="forbid")
    zone: str = Field(pattern=r"^[0-9a-f]{15}$")
    target: Target


class Subscription(BaseModel):
    id: int
    zone: str


class Health(BaseModel):
    status: Literal["ok", "failing"]
    engine: bool
    steps: int
    queued_records: int
    alerts_in_force: int
    sse_clients: int
    subscribers: int
