"""Sub-commands of `tocsin` that live beside cli.py: the live service and its broker, the
transparent log, incidents, statistics and reports.

``register(app)`` adds them to the main command.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def fail(e: Exception) -> typer.Exit:
    """Print an error the user can act on and give the exit code for it."""
    err_console.print(f"[bold red]error:[/] {escape(str(e))}")
    return typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add the service, log, incident, statistics and report commands to the main app."""
    from tocsin.commands import incident, ledger, operator, report, service, stats

    app.command("serve")(service.serve)
    app.command("broker")(service.broker)
    app.command("verify")(ledger.verify)
    app.add_typer(ledger.app, name="ledger")
    app.add_typer(incident.app, name="incident")
    app.add_typer(operator.app, name="operator")
    app.command("stats")(stats.stats)
    app.command("report")(report.report)
