"""`tocsin report --month YYYY-MM`: the monthly situation report as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tocsin.commands import console, fail
from tocsin.errors import TocsinError


def report(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")],
    region: Annotated[str, typer.Option("--region", help="Built-in region name or GeoJSON path.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for report-<month>.html/.pdf.")],
    run: Annotated[
        list[Path], typer.Option("--run", help="A run directory; drills are reported apart.")
    ] = [],  # noqa: B006 (typer reads the default, it is never mutated)
    data: Annotated[
        Path | None, typer.Option("--data", help="Data directory holding the incidents.")
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of days and months.")] = "UTC",
    as_real: Annotated[
        bool,
        typer.Option("--as-real", help="Treat every run as real (to rehearse on simulated runs)."),
    ] = False,
) -> None:
    """Write the month's situation report: map, charts, incident table, drills apart."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tocsin.commands.stats import _incidents, _log_runs
    from tocsin.geo import load_region
    from tocsin.review import load_run
    from tocsin.review.report import build_report, write_report

    try:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise TocsinError(f"--tz: unknown time zone {tz!r}") from e
        reg = load_region(region)
        runs = [load_run(r, drill=False if as_real else None) for r in run] + _log_runs(data)
        rep = build_report(reg, runs, _incidents(data), month, zone)
        html_path, pdf_path, pages = write_report(rep, out)
    except (TocsinError, ValueError, OSError) as e:
        raise fail(e) from e
    console.print(f"wrote {html_path} and {pdf_path} ({pages} pages)")
