"""What the public and other systems read: alerts, their map, CAP messages and feed, the stream."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from tocsin.api.board import Board, sse_event
from tocsin.api.feed import cap_feed
from tocsin.api.schemas import AlertsDoc, Problem
from tocsin.api.service import Service
from tocsin.times import format_time

router = APIRouter()


def _svc(request: Request) -> tuple[Service, Board]:
    svc: Service = request.app.state.service
    return svc, svc.board


def _named(svc: Service, rows: list[dict]) -> list[dict]:
    idx = svc.region.zones.index([r["zone"] for r in rows])
    names = svc.region.zones.names
    return [
        {**r, "name": str(names[i]) if i >= 0 else r["zone"]}
        for r, i in zip(rows, idx, strict=True)
    ]


@router.get("/v1/alerts", response_model=AlertsDoc, summary="Alerts in force, by zone and level")
async def alerts(request: Request) -> AlertsDoc:
    svc, board = _svc(request)
    return AlertsDoc(t=format_time(time.time()), alerts=_named(svc, board.alerts()))


@router.get(
    "/v1/alerts.geojson",
    summary="Alerts in force as GeoJSON: each zone's hexagon with its alert row",
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
    response_class=JSONResponse,
)
async def alerts_geojson(request: Request) -> JSONResponse:
    svc, board = _svc(request)
    rows = _named(svc, board.alerts())
    idx = svc.region.zones.index([r["zone"] for r in rows])
    feats = []
    for row, i in zip(rows, idx, strict=True):
        if i < 0:
            continue
        ring = [[lon, lat] for lat, lon in svc.region.zones.boundary(int(i))]
        feats.append({"type": "Feature", "properties": row,
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    doc = {"type": "FeatureCollection", "features": feats}
    return JSONResponse(doc, media_type="application/geo+json")


@router.get(
    "/v1/cap/feed.atom",
    summary="Atom feed of the latest CAP messages, each linked at /v1/cap/<sequence>.xml",
    responses={200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}}},
    response_class=Response,
)
async def feed(request: Request) -> Response:
    svc, board = _svc(request)
    base = str(request.base_url).rstrip("/")
    title = f"Tocsin alerts: {svc.region.title}"
    body = cap_feed(list(board.caps), base, title, f"urn:tocsin:{svc.region.name}:feed")
    return Response(body, media_type="application/atom+xml")


@router.get(
    "/v1/cap/{seq:int}.xml",
    summary="One CAP 1.2 message by its sequence number",
    responses={
        200: {"content": {"application/cap+xml": {"schema": {"type": "string"}}}},
        404: {"model": Problem, "description": "no such message"},
    },
    response_class=Response,
)
async def cap_message(request: Request, seq: int) -> Response:
    svc, _ = _svc(request)
    path = svc.cap_dir / f"{seq}.xml"
    if seq < 1 or not path.is_file():
        return JSONResponse({"detail": f"no CAP message {seq}"}, status_code=404)
    return FileResponse(path, media_type="application/cap+xml")


@router.get(
    "/v1/stream",
    summary="Server-Sent Events: each alert change as an alerts.jsonl row (event 'alert')",
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    response_class=StreamingResponse,
)
async def stream(request: Request) -> StreamingResponse:
    svc, board = _svc(request)
    client = board.connect(request.headers.get("last-event-id"))
    svc.metrics.sse_clients.set(len(board.clients))
    ping_s = svc.settings.timeouts.sse_ping_s

    async def events():
        try:
            yield b": tocsin alert stream\nretry: 2000\n\n"
            while not client.dropped:
                try:
                    item = await asyncio.wait_for(client.queue.get(), ping_s)
                except TimeoutError:
                    yield b": ping\n\n"
                    continue
                if item is None:
                    return
                chunk = [sse_event(*item)]
                while not client.queue.empty() and len(chunk) < 1000:  # one write per burst
                    item = client.queue.get_nowait()
                    if item is None:
                        yield b"".join(chunk)
                        return
                    chunk.append(sse_event(*item))
                yield b"".join(chunk)
        finally:
            board.disconnect(client)
            svc.metrics.sse_clients.set(len(board.clients))

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
