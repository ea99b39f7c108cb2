"""The `tocsin` command: regions, simulate, score, demo, replay."""

from __future__ import annotations

import logging

import typer
from rich.console import Console
from rich.table import Table

from tocsin.errors import TocsinError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Tocsin: civil early warning of drone attacks.",
)
console = Console()
err_console = Console(stderr=True)


def fail(e: Exception) -> typer.Exit:
    """Print an error the user can act on and give the exit code for it."""
    err_console.print(f"[bold red]error:[/] {e}")
    return typer.Exit(2)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details.")):
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def regions(
    zone_res: int = typer.Option(7, "--zone-res", help="H3 resolution of alert zones."),
) -> None:
    """List the built-in regions with their area, zone count and population."""
    from tocsin.geo import builtin_names, load_region

    table = Table(title=f"Built-in regions (zones: H3 resolution {zone_res})")
    for col in ("name", "title", "area km²", "zones", "settlements", "population"):
        table.add_column(col, justify="left" if col in ("name", "title") else "right")
    try:
        for name in builtin_names():
            r = load_region(name, zone_res)
            table.add_row(
                name, r.title, f"{r.area_km2:,.0f}", f"{len(r.zones):,}",
                f"{len(r.settlements):,}", f"{r.population:,}",
            )
    except TocsinError as e:
        raise fail(e) from e
    console.print(table)


if __name__ == "__main__":
    app()
