"""A small true log with signed heads, built from an event log of CAP and incident events."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgercase import T0, fill_events

from tocsin.ledger import Ledger, generate_key
from tocsin.store import SqliteEventLog


@pytest.fixture()
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "region.key"
    generate_key(path)
    return path


@pytest.fixture()
def true_log(tmp_path: Path, keyfile: Path) -> Path:
    """A log of 12 entries over 5 minutes, signed each minute and at the end."""
    from tocsin.ledger import load_private_key

    path = tmp_path / "log.jsonl"
    with SqliteEventLog(tmp_path / "events.sqlite") as events:
        fill_events(events)
        with Ledger(path, load_private_key(keyfile)) as ledger:
            ledger.follow(events)
            ledger.sign(T0 + 400.0)
    return path
