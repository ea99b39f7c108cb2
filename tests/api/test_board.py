"""The board: alerts in force, the feed's messages, SSE clients and what they missed."""

from __future__ import annotations

import asyncio

from tocsin.api.board import Board
from tocsin.api.restore import Resumed
from tocsin.api.worker import Outbound


def _row(zone, event="onset", level="warning"):
    return {"t": "2026-11-27T00:00:00.000Z", "zone": zone, "event": event, "level": level}


def _board(**kw) -> Board:
    return Board(Resumed(active={("z0", "warning"): _row("z0")}), 10, kw.get("queue_max", 100))


def test_alerts_in_force_follow_onsets_and_clears():
    async def go():
        b = _board()
        b.receive(Outbound(t_s=1.0, rows=[_row("z1"), _row("z0", "clear")], caps=[],
                           newest_rx_s=None))  # fmt: skip
        return [(r["zone"], r["level"]) for r in b.alerts()]

    assert asyncio.run(go()) == [("z1", "warning")]


def test_reconnecting_clients_get_what_they_missed_of_this_run_only():
    async def go():
        b = _board()
        rows = [_row(f"z{k}") for k in range(5)]
        b.receive(Outbound(t_s=1.0, rows=rows, caps=[], newest_rx_s=None))
        ids = [i for i, _ in b.recent]
        back = b.connect(ids[1])
        other_run = b.connect("0." + ids[1].split(".")[1])
        fresh = b.connect()
        got = [back.queue.get_nowait()[0] for _ in range(back.queue.qsize())]
        return ids, got, other_run.queue.qsize(), fresh.queue.qsize()

    ids, got, other, fresh = asyncio.run(go())
    assert got == ids[2:] and other == 0 and fresh == 0


def test_a_client_too_slow_is_let_go():
    async def go():
        b = _board(queue_max=2)
        c = b.connect()
        b.receive(Outbound(t_s=1.0, rows=[_row(f"z{k}") for k in range(3)], caps=[],
                           newest_rx_s=None))  # fmt: skip
        return c.dropped, c in b.clients

    assert asyncio.run(go()) == (True, False)
