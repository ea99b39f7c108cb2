"""Statistics over the API: ``GET /v1/stats`` (JSON) and ``GET /v1/stats.csv``.

The figures are those of ``tocsin stats --data DATA`` (``docs/review.md``):
the alerts and incidents of the service's event log, linked and counted by
``tocsin.review``, read on a connection of their own (readers never block the
engine). Rows of one scope (``by``) and one period; drills and real alerts
are never mixed: the service's alerts count only when ``exercise`` matches
whether its CAP messages are exercises.
"""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tocsin.api.service import Service
from tocsin.geo import Region
from tocsin.incident import IncidentRegistry
from tocsin.review import link_incidents
from tocsin.review.spells import run_from_log
from tocsin.review.stats import COLUMNS, compute_stats
from tocsin.review.warned import LinkSettings
from tocsin.store import SqliteEventLog

router = APIRouter()
TimeZone = Literal[tuple(sorted(available_timezones() | {"UTC"}))]  # type: ignore[valid-type]
Scope = Literal["zone", "settlement", "region"]
Period = Literal["day", "month"]


class StatsDoc(BaseModel):
    """Rows as in ``statistics.json`` of ``tocsin stats --out``, of one scope and period."""

    columns: list[str]
    rows: list[dict] = Field(description="one object per scope id and period start")


def stats_rows(
    data_dir: Path, region: Region, by: str, period: str, tz: str, exercise: bool, timely_s: float
) -> list[dict]:
    """The statistics of the event log in ``data_dir`` (blocking: run it off the loop)."""
    path = Path(data_dir) / "events.sqlite"
    with SqliteEventLog(path) as log:
        runs = [run_from_log(log, f"{Path(data_dir).name}/events")] if log.count(
            "alert_decided"
        ) else []  # fmt: skip
        incidents = IncidentRegistry(log).all()
    kept = [r for r in runs if r.drill == exercise]
    links = link_incidents(incidents, kept, LinkSettings(timely_s=timely_s))
    rows = compute_stats(region, kept, incidents, links, ZoneInfo(tz))
    return [r for r in rows if r["scope"] == by and r["period"] == period]


async def _rows(request: Request, by, period, tz, exercise, timely_s) -> list[dict]:
    svc: Service = request.app.state.service
    return await asyncio.to_thread(
        stats_rows, svc.data_dir, svc.region, by, period, tz, exercise, timely_s
    )


_BY = Query("region", description="zone, settlement or region")
_PERIOD = Query("month", description="day or month, in the time zone tz")
_TZ = Query("UTC", description="the time zone of days and months")
_EXERCISE = Query(False, description="count drills and simulations, not real alerts")
_TIMELY = Query(60.0, ge=0, le=86400, description="least lead time that counts as in time")


@router.get(
    "/v1/stats",
    response_model=StatsDoc,
    summary="Warnings, hours under warning, incidents and casualties per scope and period",
)
async def get_stats(
    request: Request,
    by: Scope = _BY,
    period: Period = _PERIOD,
    tz: TimeZone = _TZ,
    exercise: bool = _EXERCISE,
    timely_s: float = _TIMELY,
) -> StatsDoc:
    rows = await _rows(request, by, period, tz, exercise, timely_s)
    return StatsDoc(columns=list(COLUMNS), rows=rows)


@router.get(
    "/v1/stats.csv",
    summary="The same statistics as CSV (the columns of statistics.csv)",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    response_class=Response,
)
async def get_stats_csv(
    request: Request,
    by: Scope = _BY,
    period: Period = _PERIOD,
    tz: TimeZone = _TZ,
    exercise: bool = _EXERCISE,
    timely_s: float = _TIMELY,
) -> Response:
    rows = await _rows(request, by, period, tz, exercise, timely_s)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    name = f"statistics-{by}-{period}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
