"""`tocsin incident add|list|confirm|retract|amend|import` on a data directory.

The data directory holds the region's event log (``events.sqlite``); when it
also holds the region's signing key (``region.key``), every change is chained
into the transparent log (``log.jsonl``) and its head signed at once.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tocsin.commands import console, err_console, fail
from tocsin.errors import TocsinError

app = typer.Typer(no_args_is_help=True, help="The incident registry: impacts, debris, damage.")

Data = Annotated[Path, typer.Option("--data", help="Data directory (events.sqlite, region.key).")]
By = Annotated[str, typer.Option("--by", help="Who makes the change (name or role id).")]
RegionOpt = Annotated[str, typer.Option("--region", help="Built-in region name or GeoJSON path.")]


@contextmanager
def _registry(data: Path, region: str | None = None):
    from tocsin.geo import load_region
    from tocsin.incident import IncidentRegistry
    from tocsin.ledger import Ledger, LedgerBusy, load_private_key
    from tocsin.store import SqliteEventLog

    data.mkdir(parents=True, exist_ok=True)
    reg = load_region(region) if region else None
    with SqliteEventLog(data / "events.sqlite") as log:
        yield IncidentRegistry(log, reg)
        key = data / "region.key"
        if key.is_file():
            try:
                ledger = Ledger(data / "log.jsonl", load_private_key(key))
            except LedgerBusy as e:  # the running service holds the log: it chains the change
                err_console.print(f"note: {escape(str(e))}; its writer will chain this change")
                return
            with ledger:
                ledger.follow(log)
                if ledger.unsigned:
                    ledger.sign(time.time())


def _run(body) -> None:
    try:
        body()
    except (TocsinError, ValueError, OSError) as e:
        raise fail(e) from e


@app.command()
def add(
    data: Data,
    region: RegionOpt,
    by: By,
    lat: Annotated[float, typer.Option("--lat", help="Latitude, degrees.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, degrees.")],
    when: Annotated[str, typer.Option("--time", help="When it happened, ISO 8601 with zone.")],
    kind: Annotated[str, typer.Option("--kind", help="impact, debris or damage.")] = "impact",
    source: Annotated[
        str, typer.Option("--source", help="emergency_services, police, public or sensor.")
    ] = "emergency_services",
    injured: int = typer.Option(0, "--injured", help="People injured (children included)."),
    killed: int = typer.Option(0, "--killed", help="People killed (children included)."),
    injured_children: int = typer.Option(0, "--injured-children", help="Of the injured."),
    killed_children: int = typer.Option(0, "--killed-children", help="Of the killed."),
    damage: str = typer.Option(
        "none", "--damage", help="none, light, moderate, severe, destroyed."
    ),
    hospital: list[str] = typer.Option([], "--hospital", help="A receiving hospital (repeat)."),
    notes: str = typer.Option("", "--notes", help="Free text."),
) -> None:
    """Register one incident."""
    from tocsin.incident import Casualties
    from tocsin.times import parse_time

    def body() -> None:
        with _registry(data, region) as reg:
            inc = reg.make(
                kind=kind,
                t_s=parse_time(when),
                lat_deg=lat,
                lon_deg=lon,
                source=source,
                casualties=Casualties(
                    injured=injured,
                    killed=killed,
                    injured_children=injured_children,
                    killed_children=killed_children,
                ),
                damage=damage,
                hospitals=tuple(hospital),
                notes=notes,
            )
            reg.add(inc, by)
        console.print(f"incident {inc.id} registered in zone {inc.zone}")

    _run(body)


@app.command("list")
def list_(
    data: Data,
    status: str | None = typer.Option(None, "--status", help="Only this status."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line, with history."),
) -> None:
    """List the incidents, oldest first."""
    from tocsin.times import format_time

    def body() -> None:
        with _registry(data) as reg:
            rows = [i for i in reg.all() if status is None or i.status == status]
            if as_json:
                for i in rows:
                    hist = [
                        {"action": c.action, "by": c.by, "t": format_time(c.t_s), "note": c.note}
                        for c in reg.history(i.id)
                    ]
                    typer.echo(json.dumps({**i.to_dict(), "history": hist}, ensure_ascii=False))
                return
            table = Table(title=f"Incidents in {data} ({len(rows)})")
            for col in ("id", "time (UTC)", "kind", "zone", "status", "injured", "killed", "by"):
                table.add_column(col)
            for i in rows:
                c = i.casualties
                table.add_row(
                    i.id,
                    format_time(i.t_s)[:19],
                    i.kind,
                    i.zone,
                    i.status,
                    f"{c.injured} ({c.injured_children} ch.)",
                    f"{c.killed} ({c.killed_children} ch.)",
                    reg.history(i.id)[-1].by,
                )
            console.print(table)

    _run(body)


@app.command()
def confirm(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    data: Data,
    by: By,
    note: str = typer.Option("", "--note", help="What confirmed it."),
) -> None:
    """Mark a reported incident as confirmed."""

    def body() -> None:
        with _registry(data) as reg:
            reg.confirm(incident, by, note)
        console.print(f"incident {incident} confirmed by {escape(by)}")

    _run(body)


@app.command()
def retract(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    data: Data,
    by: By,
    note: str = typer.Option(..., "--note", help="Why it is retracted."),
) -> None:
    """Retract an incident (it stays in the record, marked retracted)."""

    def body() -> None:
        with _registry(data) as reg:
            reg.retract(incident, by, note)
        console.print(f"incident {incident} retracted by {escape(by)}")

    _run(body)


@app.command()
def amend(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    data: Data,
    by: By,
    note: str = typer.Option(..., "--note", help="What changed and how it is known."),
    injured: int | None = typer.Option(None, "--injured", help="New total of injured."),
    killed: int | None = typer.Option(None, "--killed", help="New total of killed."),
    injured_children: int | None = typer.Option(None, "--injured-children"),
    killed_children: int | None = typer.Option(None, "--killed-children"),
    damage: str | None = typer.Option(None, "--damage", help="New damage category."),
    hospital: list[str] = typer.Option([], "--hospital", help="Receiving hospitals (replace)."),
    notes: str | None = typer.Option(None, "--notes", help="New free text."),
) -> None:
    """Correct an incident's casualties, damage, hospitals or notes (kept in its history)."""
    from dataclasses import replace

    counts = {"injured": injured, "killed": killed, "injured_children": injured_children,
              "killed_children": killed_children}  # fmt: skip
    counts = {k: v for k, v in counts.items() if v is not None}

    def body() -> None:
        with _registry(data) as reg:
            cas = replace(reg.get(incident).casualties, **counts) if counts else None
            reg.amend(incident, by, note, casualties=cas, damage=damage,
                      hospitals=tuple(hospital) or None, notes=notes)  # fmt: skip
        console.print(f"incident {incident} amended by {escape(by)}")

    _run(body)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A CSV or GeoJSON file of incidents.")],
    data: Data,
    region: RegionOpt,
    by: By,
) -> None:
    """Import incidents in bulk; a bad row is reported with its row and field and skipped."""
    from tocsin.incident.load import import_file

    def body() -> None:
        with _registry(data, region) as reg:
            result = import_file(reg, path, by)
        for err in result.errors:
            err_console.print(f"[red]rejected[/] {escape(str(err))}")
        console.print(f"{path}: {len(result.added)} imported, {len(result.errors)} rejected")

    _run(body)
