"""Stand-downs: an automatic alert withdrawn by a duty officer as mistaken (a false track).

An operator picks zones under an automatic alert at one level and a prepared
cancel text; ``Engine.stand_down`` asks the ``StandDownBook`` for the clears
(cause ``cancel``), encodes them as one CAP ``Cancel`` referencing the
messages in force for those zones (spec §7), stores them and returns them.
The zones then stand down at that level until ``until_s``: the automatic
policy's onsets for them are dropped while every track behind the threat was
already known when the alert was cancelled. A track first seen after the
cancel is a new threat: its onset passes and ends the stand-down of that zone.
When the hold period ends, a threat still there alerts the zone again.

>>> import numpy as np
>>> za = ZoneAlerts(np.array(["a", "b"], dtype=object), exercise=False)
>>> za.levels["warning"].active[:] = True
>>> book = StandDownBook()
>>> o = StandDownOrder(level="warning", zones=("a",), template="cancel_error", hold_s=600.0)
>>> [(c.zone, c.event, c.cause) for c in book.decide(10.0, o, za)]
[('a', 'clear', 'cancel')]
>>> book.record(10.0, o, za, known=("T1",)); za.levels["warning"].active.tolist()
[False, True]
>>> on = AlertChange(t_s=20.0, zone="a", event="onset", level="warning", tracks=("T1",))
>>> book.screen(20.0, [on], za)
[]
>>> new = AlertChange(t_s=21.0, zone="a", event="onset", level="warning", tracks=("T1", "T9"))
>>> len(book.screen(21.0, [new], za)), book.held
(1, {})
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tocsin.alert.state import ZoneAlerts
from tocsin.alert.templates import check_template
from tocsin.messages import AlertChange
from tocsin.types import ALERT_LEVELS

MAX_HOLD_S = 24 * 3600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class StandDownOrder:
    """Cancel the automatic alert of ``zones`` at ``level``; hold them down ``hold_s``."""

    level: str
    zones: tuple[str, ...]
    template: str
    hold_s: float = 600.0
    by: str = ""

    def __post_init__(self) -> None:
        if self.level not in ALERT_LEVELS:
            raise ValueError(f"'level' must be one of {ALERT_LEVELS}, not {self.level!r}")
        if not self.zones or len(set(self.zones)) != len(self.zones):
            raise ValueError("'zones' must name one or more distinct zones")
        check_template("cancel", self.template)
        if not 60.0 <= self.hold_s <= MAX_HOLD_S:
            raise ValueError("the hold period must be from 1 minute to 24 hours")


@dataclass(frozen=True, slots=True, kw_only=True)
class StandDown:
    """One zone held down at one level until ``until_s``, against the tracks then known."""

    zone: str
    level: str
    until_s: float
    known: frozenset[str]
    by: str


class StandDownBook:
    """Zones stood down, by (zone, level); decides cancels and screens automatic onsets."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, str], StandDown] = {}

    def decide(self, t_s: float, order: StandDownOrder, auto: ZoneAlerts) -> list[AlertChange]:
        """The clears ``order`` makes at ``t_s``; ValueError unless every zone is under an
        automatic alert at the order's level."""
        index = {str(z): i for i, z in enumerate(auto.zone_ids)}
        active = auto.levels[order.level].active
        idle = [z for z in order.zones if z not in index or not active[index[z]]]
        if idle:
            raise ValueError(f"no automatic {order.level} is in force for: {', '.join(idle[:5])}")
        return [
            AlertChange(
                t_s=t_s,
                zone=z,
                event="clear",
                level=order.level,
                cause="cancel",
                exercise=auto.exercise,
            )  # fmt: skip
            for z in order.zones
        ]

    def record(self, t_s: float, order: StandDownOrder, auto: ZoneAlerts,
               known: Iterable[str]) -> None:  # fmt: skip
        """Stand the zones down once the cancel is made: out of the automatic state, held."""
        index = {str(z): i for i, z in enumerate(auto.zone_ids)}
        known = frozenset(known)
        for z in order.zones:
            auto.levels[order.level].active[index[z]] = False
            self.held[(z, order.level)] = StandDown(zone=z, level=order.level,
                                                    until_s=t_s + order.hold_s, known=known,
                                                    by=order.by)  # fmt: skip

    def screen(self, t_s: float, changes: list[AlertChange], auto: ZoneAlerts):
        """The automatic changes, less the onsets of stood-down zones that no new track
        threatens; those zones are put back out of the automatic state."""
        if not self.held:
            return changes
        for key in [k for k, s in self.held.items() if s.until_s <= t_s]:
            del self.held[key]
        out = []
        index = None
        for c in changes:
            s = self.held.get((c.zone, c.level))
            if s is None or c.event != "onset":
                out.append(c)
            elif set(c.tracks) - s.known:  # a new track: the stand-down ends here
                del self.held[(c.zone, c.level)]
                out.append(c)
            else:
                index = index or {str(z): i for i, z in enumerate(auto.zone_ids)}
                auto.levels[c.level].active[index[c.zone]] = False
        return out

    def active(self, t_s: float) -> list[StandDown]:
        """The stand-downs still holding at ``t_s``."""
        return [s for s in list(self.held.values()) if s.until_s > t_s]

    def restore(self, payloads: Iterable[dict], now_s: float) -> int:
        """Rebuild the stand-downs from stored ``stand_down`` payloads; count those holding."""
        for p in payloads:
            if p.get("action") != "stand_down" or p["until_s"] <= now_s:
                continue
            for z in p["zones"]:
                self.held[(z, p["level"])] = StandDown(zone=z, level=p["level"],
                                                       until_s=p["until_s"],
                                                       known=frozenset(p["known"]),
                                                       by=p["by"])  # fmt: skip
        return len(self.held)


def stand_down_payload(t_s: float, order: StandDownOrder, known, caps) -> dict:
    """The ``manual_action`` event of a stand-down: who, what, until when, and its messages."""
    return {"action": "stand_down", "by": order.by, "level": order.level,
            "zones": list(order.zones), "template": order.template, "hold_s": order.hold_s,
            "until_s": t_s + order.hold_s, "known": sorted(known),
            "caps": [m.identifier for m in caps]}  # fmt: skip
