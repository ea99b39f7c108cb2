"""The public map's routes: the page, its static files, and what it reads besides the API.

``/`` is the page and ``/static/...`` its scripts, styles and the vendored map
library. ``/v1/region.geojson`` gives the protected area and its settlements
(for drawing and for the place search), ``/v1/tracks.geojson`` the live tracks
with their predicted corridors, ``/v1/recent.geojson`` the latest alert changes
of this run with their zones' hexagons (the timeline and the recently cleared
zones), and ``/v1/map.json`` the page's settings. All of them only read.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from tocsin.api.service import Service
from tocsin.times import format_time
from tocsin.web.build import present
from tocsin.web.places import recent_to_geojson, region_to_geojson
from tocsin.web.tracks import CorridorSettings, tracks_to_geojson

STATIC = Path(__file__).parent / "static"
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    "": "text/plain",
}
_GEOJSON = {200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}}
_MISSING = """<!doctype html><meta charset="utf-8"><title>Tocsin</title>
<p>The map library is not installed: run <code>make</code> (or
<code>python -m tocsin.web.build</code>) once, with access to the npm registry.</p>"""

router = APIRouter()


def _svc(request: Request) -> Service:
    return request.app.state.service


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="The public map (Russian and English)",
    responses={
        503: {"content": {"text/html": {}}, "description": "the map library is not installed"}
    },
)
async def index(request: Request) -> HTMLResponse:
    if not present():
        return HTMLResponse(_MISSING, status_code=503)
    html = (STATIC / "index.html").read_text("utf-8")
    csp = content_policy(_svc(request).settings.web.tiles)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", "Content-Security-Policy": csp})


def content_policy(tiles: str) -> str:
    """The page's Content-Security-Policy: nothing but this host, and the tile server if set.

    >>> content_policy("")[:40]
    "default-src 'self'; img-src 'self' data:"
    >>> "https://*.tiles.example" in content_policy("https://{s}.tiles.example/{z}/{x}/{y}.png")
    True
    """
    img = "'self' data:"
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "*"))
        img += f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'self'; img-src {img}; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


_STATIC_DOC = {
    "responses": {
        200: {"content": {t: {} for t in sorted(set(_TYPES.values()))}},
        404: {"content": {"application/json": {}}, "description": "no such file"},
    },
    "response_class": FileResponse,
}


@router.get("/static/{name}", summary="The map page's scripts and styles", **_STATIC_DOC)
async def static(name: str):
    return _file(name)


@router.get("/static/vendor/{lib}/{name}", summary="The vendored map library", **_STATIC_DOC)
async def vendored(lib: str, name: str):
    return _file(f"vendor/{lib}/{name}")


def _file(path: str):
    root = STATIC.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.name == "index.html":
        return JSONResponse({"detail": "no such file"}, status_code=404)
    kind = _TYPES.get(target.suffix, "application/octet-stream")
    return FileResponse(target, media_type=kind, headers={"Cache-Control": "max-age=300"})


@router.get("/v1/map.json", summary="The map page's settings: region, CAP status, tiles")
async def map_settings(request: Request) -> dict:
    svc = _svc(request)
    web, policy = svc.settings.web, CorridorSettings()
    return {
        "t": format_time(time.time()),
        "region": svc.region.name,
        "title": svc.region.title,
        "status": svc.settings.cap.status,
        "tiles": web.tiles or None,
        "tiles_attribution": web.tiles_attribution,
        "horizon_s": policy.horizon_s,
    }


@router.get(
    "/v1/region.geojson",
    summary="The protected area and its settlements, with zones",
    response_class=JSONResponse,
    responses=_GEOJSON,
)
async def region_geojson(request: Request) -> JSONResponse:
    svc = _svc(request)
    doc = getattr(svc, "_region_geojson", None)
    if doc is None:  # the region never changes while the service runs
        doc = region_to_geojson(svc.region)
        svc._region_geojson = doc
    return JSONResponse(doc, media_type="application/geo+json")


@router.get(
    "/v1/tracks.geojson",
    summary="Live tracks and their predicted corridors",
    response_class=JSONResponse,
    responses=_GEOJSON,
)
async def tracks_geojson(request: Request) -> JSONResponse:
    svc = _svc(request)
    doc = tracks_to_geojson(svc.worker.tracks, svc.region.frame)
    return JSONResponse(doc, media_type="application/geo+json")


@router.get(
    "/v1/recent.geojson",
    summary="The latest alert changes of this run, with zones",
    response_class=JSONResponse,
    responses=_GEOJSON,
)
async def recent_geojson(request: Request) -> JSONResponse:
    svc = _svc(request)
    rows = [row for _, row in list(svc.board.recent)[-200:]] if svc.board else []
    return JSONResponse(recent_to_geojson(svc.region, rows), media_type="application/geo+json")
