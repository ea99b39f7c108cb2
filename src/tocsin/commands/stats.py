"""`tocsin stats`: warnings, hours under warning, incidents and casualties, and the exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tocsin.commands import console, err_console, fail
from tocsin.errors import TocsinError


def stats(
    region: Annotated[str, typer.Option("--region", help="Built-in region name or GeoJSON path.")],
    run: Annotated[
        list[Path], typer.Option("--run", help="A run directory (alerts.jsonl, tracks.jsonl).")
    ] = [],  # noqa: B006 (typer reads the default, it is never mutated)
    data: Annotated[
        Path | None, typer.Option("--data", help="Data directory holding the incidents.")
    ] = None,
    exercise: Annotated[
        bool, typer.Option("--exercise", help="Count drills and simulations, not real alerts.")
    ] = False,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of days and months.")] = "UTC",
    period: Annotated[str, typer.Option("--period", help="Print by day or month.")] = "month",
    timely_s: Annotated[
        float, typer.Option("--timely-s", help="Least lead time that counts as in time.")
    ] = 60.0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write CSV, JSON and GeoJSON exports here.")
    ] = None,
) -> None:
    """Statistics per zone, settlement and region, per day and month."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tocsin.geo import load_region
    from tocsin.review import link_incidents, load_run
    from tocsin.review.export import write_all
    from tocsin.review.stats import compute_stats
    from tocsin.review.warned import LinkSettings

    try:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise TocsinError(f"--tz: unknown time zone {tz!r}") from e
        if period not in ("day", "month"):
            raise TocsinError(f"--period must be day or month, not {period!r}")
        reg = load_region(region)
        runs = [load_run(r) for r in run] + _log_runs(data)
        kept = [r for r in runs if r.drill == exercise]
        for r in runs:
            if r.drill != exercise:
                what = "a drill" if r.drill else "real alerts"
                err_console.print(f"skipping run {r.name}: {what} (see --exercise)")
        incidents = _incidents(data)
        links = link_incidents(incidents, kept, LinkSettings(timely_s=timely_s))
        rows = compute_stats(reg, kept, incidents, links, zone)
        files = write_all(out, reg, kept, incidents, links, rows) if out else []
    except (TocsinError, ValueError, OSError) as e:
        raise fail(e) from e
    _print(rows, period, "drills and simulations" if exercise else "real alerts")
    _print_unwarned(incidents, links)
    for f in files:
        err_console.print(f"wrote {f}")


def _log_runs(data: Path | None) -> list:
    """The alerts of the data directory's event log, if it holds any (the live service's)."""
    from tocsin.review.spells import run_from_log
    from tocsin.store import SqliteEventLog

    path = None if data is None else Path(data) / "events.sqlite"
    if path is None or not path.is_file():
        return []
    with SqliteEventLog(path) as log:
        if not log.count("alert_decided"):
            return []
        return [run_from_log(log, f"{Path(data).name}/events")]


def _incidents(data: Path | None) -> list:
    from tocsin.incident import IncidentRegistry
    from tocsin.store import SqliteEventLog

    if data is None:
        return []
    path = Path(data) / "events.sqlite"
    if not path.is_file():
        raise TocsinError(f"no event log in {data} (expected {path})")
    with SqliteEventLog(path) as log:
        return IncidentRegistry(log).all()


def _print(rows: list[dict], period: str, what: str) -> None:
    cols = ("warnings", "warning_h", "advisories", "advisory_h", "lead_median_s",
            "incidents", "warned", "injured", "killed")  # fmt: skip
    t = Table(title=f"Region by {period} ({what})")
    t.add_column(period)
    for c in cols:
        t.add_column(c, justify="right")
    for r in rows:
        if r["scope"] == "region" and r["period"] == period:
            t.add_row(r["start"], *(_cell(r[c]) for c in cols))
    console.print(t)
    towns = [r for r in rows if r["scope"] == "settlement" and r["period"] == "month"]
    towns.sort(key=lambda r: -r["warning_h"])
    t = Table(title="Settlements with the most hours under warning")
    for c in ("settlement", "month", "warnings", "warning_h", "incidents"):
        t.add_column(c, justify="left" if c == "settlement" else "right")
    for r in towns[:10]:
        t.add_row(
            r["name"], r["start"], *(_cell(r[c]) for c in ("warnings", "warning_h", "incidents"))
        )
    console.print(t)


def _print_unwarned(incidents: list, links: list) -> None:
    from tocsin.times import format_time

    bad = [(i, lk) for i, lk in zip(incidents, links, strict=True)
           if i.status != "retracted" and not lk.timely]  # fmt: skip
    if not incidents:
        return
    live = sum(i.status != "retracted" for i in incidents)
    t = Table(title=f"Incidents without timely warning: {len(bad)} of {live}")
    for c in ("id", "time (UTC)", "kind", "zone", "level", "lead s", "late s", "killed"):
        t.add_column(c)
    for i, lk in bad:
        t.add_row(i.id, format_time(i.t_s)[:19], i.kind, i.zone, lk.level or "none",
                  _cell(lk.lead_s), _cell(lk.late_s), str(i.casualties.killed))  # fmt: skip
    console.print(t)


def _cell(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}"
    return f"{v:,}"
