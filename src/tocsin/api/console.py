"""The operator console: ``/console`` and ``/v1/console/...``, behind a login.

Accounts are those of ``DATA/accounts.json`` (``accounts.py``); a login opens
a server-side session (``sessions.py``). Viewers read; operators and
supervisors draft, approve, cancel, correct and run drills. Every request
that changes anything carries the session's CSRF token. Each action is done
by the desk in the engine thread (``desk.py``), which stores it, with the
account's name, in the event log before answering.
"""

from __future__ import annotations

import asyncio
import functools
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tocsin.alert.templates import catalogue
from tocsin.api.accounts import Account, authenticate, load_accounts
from tocsin.api.desk import Desk, Refused
from tocsin.api.schemas import Problem
from tocsin.api.service import Service
from tocsin.api.sessions import COOKIE, CSRF_HEADER, Session, csrf_ok
from tocsin.engine import StepResult
from tocsin.times import format_time
from tocsin.web.routes import STATIC, content_policy

_P = {"model": Problem}
router = APIRouter(responses={
    401: {**_P, "description": "not logged in, or a wrong name or password"},
    403: {**_P, "description": "no CSRF token, another site, or the role is lacking"},
    404: {**_P, "description": "no such thing"},
    409: {**_P, "description": "refused: the two-person rule, an unknown draft or alert"},
    422: {"description": "invalid"},
    429: {**_P, "description": "too many failed logins"},
    503: {**_P, "description": "the engine is not taking actions"},
})  # fmt: skip
WAIT_S = 30.0


class Denied(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class LoginIn(BaseModel):
    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class DraftIn(BaseModel):
    level: str
    zones: list[str] = Field(default_factory=list, max_length=5000)
    settlements: list[str] = Field(default_factory=list, max_length=500)
    template: str
    hold_min: float = 60.0


class OrderIn(BaseModel):
    template: str = ""
    keep: list[str] = Field(default_factory=list, max_length=5000)


class StandDownIn(BaseModel):
    level: str
    zones: list[str] = Field(min_length=1, max_length=5000)
    template: str
    hold_min: float = 10.0


def _svc(request: Request) -> Service:
    return request.app.state.service


def _session(request: Request, role: str = "viewer", *, change: bool = True) -> Session:
    """The request's live session holding ``role``; for a change, with its CSRF token."""
    svc = _svc(request)
    s = svc.sessions.get(request.cookies.get(COOKIE))
    if s is None:
        raise Denied(401, "log in first (or again: the session expired)")
    try:  # an account removed or changed since the login holds what the file now says
        entry = load_accounts(Path(svc.data_dir) / "accounts.json").get(s.account.name)
    except ValueError:
        entry = None
    if entry is None:
        svc.sessions.close(s.id)
        raise Denied(401, "the account no longer exists")
    if entry["role"] != s.account.role:
        s.account = Account(name=s.account.name, role=entry["role"])
    if change and request.method != "GET":
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") != str(request.base_url).rstrip("/"):
            raise Denied(403, "a request from another site is refused")
        if not csrf_ok(s, request.headers.get(CSRF_HEADER)):
            raise Denied(403, "the CSRF token is missing or wrong")
    if not s.account.can(role):
        raise Denied(403, f"account {s.account.name!r} ({s.account.role}) cannot do this")
    return s


async def _do(request: Request, job, status: int = 200):
    """Run a desk job in the engine thread; its refusal as 409 or 422."""
    svc = _svc(request)
    if not svc.worker.alive:
        raise Denied(503, "the engine has stopped")
    fut = svc.desk.submit(job)
    waiting = asyncio.wrap_future(fut)
    done, _ = await asyncio.wait([waiting], timeout=WAIT_S)
    if not done and fut.cancel():
        raise Denied(503, "the engine did not take the action in time")
    try:
        return await waiting
    except Refused as e:
        raise Denied(409, str(e)) from e
    except ValueError as e:
        raise Denied(422, str(e)) from e


def _answer(fn):
    """Route wrapper: Denied becomes its status with a detail."""

    @functools.wraps(fn)
    async def wrapped(*args, **kw):
        try:
            return await fn(*args, **kw)
        except Denied as e:
            return JSONResponse({"detail": e.detail}, status_code=e.status)

    return wrapped


def _issued(result: StepResult) -> dict:
    return {"t": format_time(result.t_s), "changes": len(result.changes),
            "caps": [m.identifier for m in result.caps],
            "status": sorted({m.status for m in result.caps})}  # fmt: skip


@router.get("/console", response_class=HTMLResponse, summary="The operator console (login)")
async def console_page(request: Request) -> HTMLResponse:
    html = (STATIC / "console.html").read_text("utf-8")
    csp = content_policy(_svc(request).settings.web.tiles)
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Content-Security-Policy": csp})


@router.post("/v1/console/login", summary="Log in: a session cookie and a CSRF token")
@_answer
async def login(request: Request, body: LoginIn):
    svc = _svc(request)
    if svc.sessions.locked(body.name):
        await _do(request, Desk.audit("login_locked", body.name))
        raise Denied(429, "too many failed logins: wait a few minutes")
    path = Path(svc.data_dir) / "accounts.json"
    account: Account | None = await run_in_threadpool(authenticate, path, body.name,
                                                      body.password)  # fmt: skip
    if account is None:
        svc.sessions.failed(body.name)
        await _do(request, Desk.audit("login_failed", body.name))
        raise Denied(401, "wrong name or password")
    s = svc.sessions.open(account)
    await _do(request, Desk.audit("login", account.name, role=account.role))
    resp = JSONResponse(_me(svc, s))
    resp.set_cookie(COOKIE, s.id, httponly=True, samesite="strict", path="/",
                    secure=request.url.scheme == "https")  # fmt: skip
    return resp


@router.post("/v1/console/logout", summary="Log out: the session ends on the server")
@_answer
async def logout(request: Request):
    s = _session(request)
    _svc(request).sessions.close(s.id)
    await _do(request, Desk.audit("logout", s.account.name))
    resp = JSONResponse({"detail": "logged out"})
    resp.delete_cookie(COOKIE, path="/")
    return resp


def _me(svc: Service, s: Session) -> dict:
    return {"name": s.account.name, "role": s.account.role, "csrf": s.csrf,
            "expires": format_time(svc.sessions.expires_s(s))}  # fmt: skip


@router.get("/v1/console/me", summary="The logged-in account, its CSRF token and expiry")
@_answer
async def me(request: Request):
    try:
        return _me(_svc(request), _session(request))
    except Denied:  # not an error for the page that asks whether to show the login
        return {"name": None}


@router.get("/v1/console/zone", summary="The zone at a point, with its hexagon (viewer)")
@_answer
async def zone_at(request: Request, lat: float, lon: float):
    _session(request)
    zones = _svc(request).region.zones
    i = int(zones.locate(lat, lon)[0])
    if i < 0:
        raise Denied(404, "the point is not in any zone of the region")
    ring = [[lng, la] for la, lng in zones.boundary(i)]
    return {"zone": str(zones.ids[i]), "name": str(zones.names[i]),
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


@router.get("/v1/console/state", summary="Drafts, manual alerts in force, drill, templates")
@_answer
async def state(request: Request):
    s = _session(request)
    svc = _svc(request)
    desk = svc.desk
    book = desk.engine.manual_alerts.alerts if desk.engine else {}
    now = time.time()
    auto, held = desk.automatic(desk.engine, now) if desk.engine else ([], [])
    names = _svc(request).region.zones
    return {
        "t": format_time(time.time()), "me": s.account.name, "role": s.account.role,
        "status": svc.settings.cap.status, "drill": desk.drill,
        "drafts": [_draft(d) for d in list(desk.drafts.values())],
        "alerts": [{**a.to_dict(), "expires": format_time(a.expires_s)}
                   for a in list(book.values())],
        "automatic": [{**a, "names": _names(names, a["zones"])} for a in auto],
        "stood_down": [{**h, "until": format_time(h.pop("until_s"))} for h in held],
        "templates": catalogue(),
    }  # fmt: skip


def _names(zones, ids: list[str]) -> list[str]:
    return [str(zones.names[i]) if i >= 0 else z for z, i in zip(ids, zones.index(ids),
                                                                strict=True)]  # fmt: skip


def _draft(d) -> dict:
    return {"id": d.id, "level": d.level, "zones": list(d.zones), "template": d.template,
            "hold_min": d.hold_s / 60, "exercise": d.exercise, "drafted_by": d.drafted_by,
            "t": format_time(d.t_s)}  # fmt: skip


@router.post("/v1/console/drafts", status_code=201, summary="Draft a manual alert (operator)")
@_answer
async def draft(request: Request, body: DraftIn):
    s = _session(request, "operator")
    region = _svc(request).region
    zones = list(body.zones)
    names = {str(n).lower(): k for k, n in enumerate(region.settlements.names)}
    for name in body.settlements:
        k = names.get(name.strip().lower())
        if k is None or region.settlements.zone[k] < 0:
            raise Denied(422, f"no settlement {name!r} in a zone of the region")
        zones.append(str(region.zones.ids[int(region.settlements.zone[k])]))
    job = _svc(request).desk.draft(s.account.name, body.level, zones, body.template,
                                   body.hold_min * 60)  # fmt: skip
    d = await _do(request, job)
    return JSONResponse(_draft(d), status_code=201)


@router.post(
    "/v1/console/drafts/{draft_id}/approve",
    summary="Approve another account's draft: the alert is issued (operator)",
)
@_answer
async def approve(request: Request, draft_id: str):
    s = _session(request, "operator")
    return _issued(await _do(request, _svc(request).desk.approve(s.account.name, draft_id)))


@router.post("/v1/console/drafts/{draft_id}/discard", summary="Discard a draft")
@_answer
async def discard(request: Request, draft_id: str):
    s = _session(request, "operator")
    desk = _svc(request).desk
    await _do(request, desk.discard(s.account.name, draft_id, s.account.can("supervisor")))
    return {"detail": f"draft {draft_id} discarded"}


@router.post(
    "/v1/console/alerts/{alert_id}/{action}",
    summary="Cancel (CAP Cancel) or correct (narrow, CAP Update) a manual alert",
)
@_answer
async def order(request: Request, alert_id: str, action: str, body: OrderIn):
    s = _session(request, "operator")
    if action not in ("cancel", "correct"):
        raise Denied(404, f"no action {action!r}: cancel or correct")
    job = _svc(request).desk.order(s.account.name, action, alert_id, body.template,
                                   tuple(body.keep))  # fmt: skip
    return _issued(await _do(request, job))


@router.post(
    "/v1/console/automatic/cancel",
    summary="Cancel an automatic alert as mistaken (CAP Cancel); its zones stand down (operator)",
)
@_answer
async def stand_down(request: Request, body: StandDownIn):
    s = _session(request, "operator")
    job = _svc(request).desk.stand_down(s.account.name, body.level, body.zones, body.template,
                                        body.hold_min * 60)  # fmt: skip
    return _issued(await _do(request, job))


@router.post("/v1/console/drill/{switch}", summary="Start or stop a drill (operator)")
@_answer
async def drill(request: Request, switch: str):
    s = _session(request, "operator")
    if switch not in ("start", "stop"):
        raise Denied(404, "start or stop")
    got = await _do(request, _svc(request).desk.drill_switch(s.account.name, switch == "start"))
    return {"drill": got}


@router.get("/v1/console/health.geojson", summary="Sensor health and coverage gaps (viewer)")
@_answer
async def health(request: Request, silent_s: float = 120.0, flood_per_min: int = 600):
    _session(request)
    doc = _svc(request).desk.health.report(time.time(), silent_s, flood_per_min)
    return JSONResponse(doc, media_type="application/geo+json")
