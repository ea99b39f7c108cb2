"""What a push channel must offer: the gateway that delivers to subscribers' devices.

The fan-out (``fanout.py``) finds every subscriber an alert change concerns
and hands them to a ``PushGateway`` in batches; a gateway adapter speaks to
one push provider (a cell-broadcast or app-push service, a webhook relay).
A gateway retries on its own and never blocks the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True, kw_only=True)
class PushBatch:
    """Subscribers to tell about one alert row (an alerts.jsonl row, spec §4).

    ``subscribers (N,)`` are subscription numbers (int64), indexes into the
    registry that ``targets`` resolves to delivery targets.
    """

    row: dict
    subscribers: np.ndarray = field(hash=False)


@runtime_checkable
class PushGateway(Protocol):
    """Delivers alert rows to subscribers' targets; called from the fan-out's own thread."""

    def deliver(self, batch: PushBatch) -> None:
        """Accept one batch for delivery; may queue it and return at once."""
        ...


class RecordingGateway:
    """A gateway that keeps what it was handed: for drills, tests and benchmarks."""

    def __init__(self) -> None:
        self.batches: list[PushBatch] = []

    def deliver(self, batch: PushBatch) -> None:
        self.batches.append(batch)

    @property
    def delivered(self) -> int:
        return sum(len(b.subscribers) for b in self.batches)
