"""`tocsin operator add|list|remove`: the console's accounts in DATA/accounts.json.

A password is read from ``--password-file`` (its first line), from standard
input when it is not a terminal, or else from a hidden prompt asked twice; it
is never taken on the command line, and only its scrypt hash is stored.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tocsin.commands import console, err_console, fail

app = typer.Typer(no_args_is_help=True, help="Console accounts: viewer, operator, supervisor.")
Data = Annotated[Path, typer.Option("--data", help="Data directory of tocsin serve.")]


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        lines = password_file.read_text("utf-8").splitlines()
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Account name (letters, digits, . _ @ -).")],
    data: Data,
    role: Annotated[str, typer.Option("--role", help="viewer, operator or supervisor.")] = "viewer",
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="Read the password from this file.")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Reset an existing account.")] = False,
) -> None:
    """Add a console account (or reset one with --replace)."""
    from tocsin.api.accounts import add_account

    try:
        add_account(data / "accounts.json", name, role, _password(password_file), replace=replace)
    except (ValueError, OSError) as e:
        raise fail(e) from e
    err_console.print(f"account {name!r} ({role}) written to {data / 'accounts.json'}")


@app.command("list")
def list_accounts(data: Data) -> None:
    """The console's accounts and their roles."""
    from tocsin.api.accounts import load_accounts

    try:
        doc = load_accounts(data / "accounts.json")
    except ValueError as e:
        raise fail(e) from e
    table = Table(title=f"Console accounts: {data / 'accounts.json'}")
    table.add_column("name")
    table.add_column("role")
    for name, entry in sorted(doc.items()):
        table.add_row(name, entry["role"])
    console.print(table)


@app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="Account name.")], data: Data) -> None:
    """Remove a console account; its open sessions end at their next request."""
    from tocsin.api.accounts import remove_account

    try:
        remove_account(data / "accounts.json", name)
    except (ValueError, OSError) as e:
        raise fail(e) from e
    err_console.print(f"account {name!r} removed")
