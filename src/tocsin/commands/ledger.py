"""`tocsin verify` and `tocsin ledger keygen|follow|sign`: the transparent log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tocsin.commands import console, err_console, fail
from tocsin.errors import TocsinError

app = typer.Typer(
    no_args_is_help=True, help="The transparent log: keys, chaining the event log, signing."
)


def verify(
    logfile: Annotated[Path, typer.Argument(help="A downloaded copy of the log (JSON Lines).")],
    key: Annotated[Path, typer.Option("--key", help="The region's public key (PEM).")],
) -> None:
    """Check a copy of the log end to end; exit 1 at the first altered, removed or
    reordered entry or forged signature."""
    from tocsin.ledger import key_id, load_public_key, verify_lines

    try:
        public = load_public_key(key)
        with logfile.open("rb") as f:
            verdict = verify_lines(f, public)
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    console.print(
        f"{logfile}: {verdict.entries:,} entries, {verdict.heads:,} signed heads, "
        f"key {key_id(public)}"
    )
    if verdict.problem is not None:
        console.print(f"[bold red]TAMPERED[/] at {escape(str(verdict.problem))}")
        raise typer.Exit(1)
    if verdict.signed_seq:
        console.print(
            f"[bold green]verified[/]: entries 1-{verdict.signed_seq} as signed at "
            f"{verdict.signed_t}"
        )
    if verdict.unsigned:
        first = verdict.signed_seq + 1
        console.print(
            f"[yellow]unsigned[/]: entries {first}-{verdict.entries} form a valid chain but no "
            "signed head covers them yet; they could be altered or cut off without trace"
        )


@app.command()
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Private key file to write (PEM, 0600).")],
) -> None:
    """Make the region's Ed25519 signing key; the public key goes beside it as <out>.pub."""
    from tocsin.ledger import generate_key, key_id

    try:
        key = generate_key(out)
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    console.print(f"key {key_id(key.public_key())}: {out} (keep secret), {out.with_suffix('.pub')}")


@app.command()
def follow(
    events: Annotated[Path, typer.Option("--events", help="The event log (SQLite file).")],
    log: Annotated[Path, typer.Option("--log", help="The transparent log file to extend.")],
    key: Annotated[Path, typer.Option("--key", help="The region's private key (PEM).")],
    sign: Annotated[
        bool, typer.Option("--sign/--no-sign", help="Sign the head at the end.")
    ] = True,
) -> None:
    """Chain the event log's CAP messages and incident changes not yet in the log."""
    import time

    from tocsin.ledger import Ledger, load_private_key
    from tocsin.store import SqliteEventLog

    try:
        if not events.is_file():
            raise TocsinError(f"no event log {events}")
        with SqliteEventLog(events) as source, Ledger(log, load_private_key(key)) as ledger:
            added = ledger.follow(source)
            if sign and (added or ledger.unsigned):
                ledger.sign(time.time())
            seq, unsigned = ledger.seq, ledger.unsigned
    except (TocsinError, OSError) as e:
        raise fail(e) from e
    err_console.print(f"{log}: {added:,} entries added, {seq:,} in all, {unsigned:,} unsigned")
