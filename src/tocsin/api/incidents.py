"""Incidents over the API: ``/v1/incidents`` and their confirmation, retraction, amendment.

Reading is open to all (the transparent log publishes every incident and
change anyway); changing needs an operator's token with the role for it
(``operators.py``). Each change is stored through the incident registry in
the engine thread (``keeper.py``): an event in the event log naming the
operator, chained into the transparent log at the same step. A change the
registry refuses gets 422, its message naming the field.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from tocsin.api.incident_docs import (
    AmendIn,
    IncidentDoc,
    IncidentIn,
    IncidentList,
    NoteIn,
    RetractIn,
    incident_doc,
)
from tocsin.api.keeper import Stopped
from tocsin.api.operators import Denied, bearer, require
from tocsin.api.schemas import Problem
from tocsin.api.service import Service
from tocsin.incident import Casualties, IncidentRegistry
from tocsin.times import parse_time

router = APIRouter()
Creds = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
WAIT_S = 30.0  # a change waits at most this long for the engine thread to store it
_FIELD = re.compile(r"'([a-z_]+)'")
_NAMES = {"t_s": "t", "time": "t", "lat_deg": "lat", "lon_deg": "lon"}
_CASUALTIES = ("injured", "killed", "injured_children", "killed_children")
_REFUSED = {
    401: {"model": Problem, "description": "no operator's token, or an unknown one"},
    403: {"model": Problem, "description": "the operator lacks the role"},
    503: {"model": Problem, "description": "the engine thread is not taking changes"},
}
_UNKNOWN = {404: {"model": Problem, "description": "no such incident"}}


def _invalid(message: str) -> JSONResponse:
    """422 in FastAPI's own shape, ``loc`` naming the field the registry's message names."""
    m = _FIELD.search(message)
    loc: list[str] = ["body"]
    if m is not None:
        name = _NAMES.get(m.group(1), m.group(1))
        loc += ["casualties", name] if name in _CASUALTIES else [name]
    detail = [{"loc": loc, "msg": message, "type": "value_error"}]
    return JSONResponse({"detail": detail}, status_code=422)


async def _store(request: Request, job, status: int = 200):
    """Run ``job(registry)`` in the engine thread; its incident as the answer."""
    svc: Service = request.app.state.service
    if not svc.worker.alive:
        return JSONResponse({"detail": "the engine has stopped"}, status_code=503)
    fut = svc.keeper.submit(job)
    waiting = asyncio.wrap_future(fut)
    done, _ = await asyncio.wait([waiting], timeout=WAIT_S)
    if not done and fut.cancel():  # not started: nothing will be stored
        return JSONResponse({"detail": "the engine did not take the change in time"}, 503)
    try:
        inc = await waiting
    except Stopped as e:
        return JSONResponse({"detail": str(e)}, status_code=503)
    except ValueError as e:
        if str(e).startswith("no incident"):
            return JSONResponse({"detail": str(e)}, status_code=404)
        return _invalid(str(e))
    return JSONResponse(incident_doc(svc.keeper.registry, inc).model_dump(), status_code=status)


def _denied(e: Denied) -> JSONResponse:
    return JSONResponse({"detail": e.detail}, status_code=e.status)


@router.get("/v1/incidents", response_model=IncidentList, summary="Incidents, oldest first")
async def list_incidents(request: Request, status: str | None = None):
    svc: Service = request.app.state.service
    reg = svc.keeper.registry
    rows = [] if reg is None else [i for i in reg.all() if status in (None, i.status)]
    return IncidentList(incidents=[incident_doc(reg, i) for i in rows])


@router.get(
    "/v1/incidents/{incident_id}",
    response_model=IncidentDoc,
    summary="One incident with its history",
    responses=_UNKNOWN,
)
async def get_incident(request: Request, incident_id: str):
    reg = request.app.state.service.keeper.registry
    try:
        return incident_doc(reg, reg.get(incident_id))
    except (ValueError, AttributeError):
        return JSONResponse({"detail": f"no incident {incident_id!r}"}, status_code=404)


@router.post(
    "/v1/incidents",
    status_code=201,
    response_model=IncidentDoc,
    summary="Register an incident (role: report)",
    responses=_REFUSED,
)
async def report_incident(
    request: Request,
    body: IncidentIn,
    creds: Creds,
):
    try:
        op = require(request, creds, "report")
    except Denied as e:
        return _denied(e)

    def job(reg: IncidentRegistry):
        try:
            t_s = parse_time(body.t)
        except ValueError as e:
            raise ValueError(f"incident: 't' {e}") from None
        c = body.casualties
        inc = reg.make(
            kind=body.kind, t_s=t_s, lat_deg=body.lat, lon_deg=body.lon, source=body.source,
            casualties=Casualties(**c.model_dump()) if c else None, damage=body.damage,
            hospitals=tuple(body.hospitals), notes=body.notes, id=body.id,
        )  # fmt: skip
        return reg.add(inc, op.id, body.note)

    return await _store(request, job, 201)


@router.post(
    "/v1/incidents/{incident_id}/confirm",
    response_model=IncidentDoc,
    summary="Confirm a reported incident (role: confirm)",
    responses={**_REFUSED, **_UNKNOWN},
)
async def confirm_incident(
    request: Request,
    incident_id: str,
    body: NoteIn,
    creds: Creds,
):
    try:
        op = require(request, creds, "confirm")
    except Denied as e:
        return _denied(e)
    return await _store(request, lambda reg: reg.confirm(incident_id, op.id, body.note))


@router.post(
    "/v1/incidents/{incident_id}/retract",
    response_model=IncidentDoc,
    summary="Retract an incident, saying why (role: confirm; final)",
    responses={**_REFUSED, **_UNKNOWN},
)
async def retract_incident(
    request: Request,
    incident_id: str,
    body: RetractIn,
    creds: Creds,
):
    try:
        op = require(request, creds, "confirm")
    except Denied as e:
        return _denied(e)
    return await _store(request, lambda reg: reg.retract(incident_id, op.id, body.note))


@router.post(
    "/v1/incidents/{incident_id}/amend",
    response_model=IncidentDoc,
    summary="Correct what is known of an incident, saying how it is known (role: report)",
    responses={**_REFUSED, **_UNKNOWN},
)
async def amend_incident(
    request: Request,
    incident_id: str,
    body: AmendIn,
    creds: Creds,
):
    try:
        op = require(request, creds, "report")
    except Denied as e:
        return _denied(e)

    def job(reg: IncidentRegistry):
        c = body.casualties
        return reg.amend(
            incident_id, op.id, body.note,
            casualties=Casualties(**c.model_dump()) if c else None, damage=body.damage,
            hospitals=None if body.hospitals is None else tuple(body.hospitals),
            notes=body.notes,
        )  # fmt: skip

    return await _store(request, job)
