"""Operations and subscriptions: ``/healthz``, ``/metrics``, ``/v1/subscriptions``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tocsin.api.metrics import CONTENT_TYPE
from tocsin.api.schemas import Health, PointSubscription, Problem, Subscription, ZoneSubscription
from tocsin.api.service import Service

router = APIRouter()


@router.get(
    "/healthz",
    response_model=Health,
    summary="Liveness: the engine thread runs and steps",
    responses={503: {"model": Health, "description": "the engine has stopped"}},
)
async def healthz(request: Request):
    svc: Service = request.app.state.service
    board = svc.board
    ok = svc.worker.alive and board is not None
    doc = Health(
        status="ok" if ok else "failing",
        engine=svc.worker.alive,
        steps=svc.worker.steps,
        queued_records=svc.worker.queued,
        alerts_in_force=len(board.active) if board else 0,
        sse_clients=len(board.clients) if board else 0,
        subscribers=len(svc.index),
    )
    return doc if ok else JSONResponse(doc.model_dump(), status_code=503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    response_class=Response,
)
async def metrics(request: Request) -> Response:
    svc: Service = request.app.state.service
    svc.metrics.queue_depth.labels("fanout").set(svc.fanout.depth())
    if svc.sirens is not None:
        svc.metrics.queue_depth.labels("sirens").set(svc.sirens.depth())
    return Response(svc.metrics.render(), media_type=CONTENT_TYPE)


@router.post(
    "/v1/subscriptions",
    status_code=201,
    response_model=Subscription,
    summary="Subscribe a delivery target to the alerts of a point's zone, or of a zone",
    responses={422: {"description": "invalid, or the place is outside the region"}},
)
async def subscribe(request: Request, sub: PointSubscription | ZoneSubscription):
    svc: Service = request.app.state.service
    zones = svc.region.zones
    at_point = isinstance(sub, PointSubscription)
    if at_point:
        z = int(zones.locate(sub.point.lat, sub.point.lon)[0])
    else:
        z = int(zones.index([sub.zone])[0])
    if z < 0:
        detail = [{"loc": ["body", "point" if at_point else "zone"], "type": "outside_region",
                   "msg": "the place is not in any zone of the region"}]  # fmt: skip
        return JSONResponse({"detail": detail}, status_code=422)
    number = svc.subscribers.add(z, sub.target.model_dump())
    svc.metrics.subscribers.set(len(svc.index))
    return Subscription(id=number, zone=str(zones.ids[z]))


@router.delete(
    "/v1/subscriptions/{number}",
    status_code=204,
    summary="End a subscription",
    responses={404: {"model": Problem, "description": "no such subscription"}},
    response_class=Response,
)
async def unsubscribe(request: Request, number: int) -> Response:
    svc: Service = request.app.state.service
    if number < 0 or not svc.subscribers.remove(number):
        return JSONResponse({"detail": f"no subscription {number}"}, status_code=404)
    return Response(status_code=204)
