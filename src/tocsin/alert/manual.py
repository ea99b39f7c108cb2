"""Manual alerts: issued by duty officers, held until cancelled or their expiry.

An approved alert (drafted by one account, approved by another: the console
enforces that) enters the engine as a ``ManualOrder``; ``Engine.manual``
asks the ``ManualBook`` for the changes it makes, encodes them as CAP like
any step, stores them and returns them. The book keeps what is in force:

- ``issue``: an onset for each zone at the alert's level (CAP ``Alert``);
- ``cancel``: the alert withdrawn as mistaken (CAP ``Cancel`` referencing it);
- ``correct``: the alert narrowed to some of its zones, with a correction
  text (CAP ``Update``: an all-clear for the zones dropped, an update for the rest);
- ``end``: the alert ended early, not as a mistake (a drill's end; CAP ``Update``);
- ``expire``: alerts whose expiry has come are cleared (CAP ``Update``).

The automatic state machine never ends a manual alert: ``screen`` drops its
clears for zones a manual alert holds. A zone leaves a level only when
neither a manual alert nor the automatic state holds it there. A drill alert
(``exercise``) is held apart from live ones and never holds a live zone.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from tocsin.alert.cap import CAP_NS, CapMessage
from tocsin.alert.state import ZoneAlerts
from tocsin.alert.templates import check_template, template_text
from tocsin.messages import AlertChange
from tocsin.types import ALERT_LEVELS

ACTIONS = ("issue", "cancel", "correct", "end", "expire")
_PURPOSE = {"issue": "alert", "cancel": "cancel", "correct": "correct"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualAlert:
    """One approved manual alert."""

    id: str
    level: str
    zones: tuple[str, ...]
    template: str
    expires_s: float
    exercise: bool
    drafted_by: str
    approved_by: str
    refs: tuple[tuple[str, str, str], ...] = ()  # (sender, identifier, sent) of its messages

    def __post_init__(self) -> None:
        if self.level not in ALERT_LEVELS:
            raise ValueError(f"'level' must be one of {ALERT_LEVELS}, not {self.level!r}")
        if not self.zones or len(set(self.zones)) != len(self.zones):
            raise ValueError("'zones' must name one or more distinct zones")
        check_template("alert", self.template)
        if self.drafted_by == self.approved_by:
            raise ValueError("one account cannot both draft and approve an alert")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["zones"], d["refs"] = list(self.zones), [list(r) for r in self.refs]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ManualAlert:
        return cls(**{**d, "zones": tuple(d["zones"]), "refs": tuple(map(tuple, d["refs"]))})


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualOrder:
    """What an operator asks of the engine; ``alert`` is the new alert for ``issue``."""

    action: str
    alert_id: str = ""
    alert: ManualAlert | None = None
    template: str = ""  # cancel and correct: the prepared text
    keep: tuple[str, ...] = ()  # correct: the zones that stay under alert
    by: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {self.action!r}")
        if self.action == "issue" and self.alert is None:
            raise ValueError("an issue order carries the alert")
        if self.action in ("cancel", "correct"):
            check_template(_PURPOSE[self.action], self.template)


class ManualBook:
    """Manual alerts in force, by id; decides the changes an order makes."""

    def __init__(self) -> None:
        self.alerts: dict[str, ManualAlert] = {}

    def holds(self, zone: str, level: str, exercise: bool, but: str = "") -> bool:
        """Whether a manual alert other than ``but`` keeps ``zone`` under ``level``."""
        return any(
            a.id != but and a.level == level and a.exercise == exercise and zone in a.zones
            for a in self.alerts.values()
        )

    def screen(self, changes: list[AlertChange]) -> list[AlertChange]:
        """The automatic changes, less the clears of zones a manual alert holds."""
        if not self.alerts:
            return changes
        return [
            c for c in changes if c.event != "clear" or not self.holds(c.zone, c.level, c.exercise)
        ]

    def due(self, t_s: float) -> list[str]:
        """Ids of the alerts whose expiry has come by ``t_s``."""
        return sorted(a.id for a in self.alerts.values() if a.expires_s <= t_s)

    def decide(self, t_s: float, order: ManualOrder, auto: ZoneAlerts) -> list[AlertChange]:
        """The changes ``order`` makes at ``t_s``; ValueError if it cannot be done.

        The book itself changes only in ``record``, once the changes are encoded.
        """
        if order.action == "issue":
            a = order.alert
            if a.id in self.alerts:
                raise ValueError(f"alert {a.id} is already in force")
            return [_change(t_s, z, "onset", a, "manual") for z in a.zones]
        if order.action == "expire":
            out = []
            for aid in self.due(t_s):
                out += self._leaving(t_s, self.alerts[aid], self.alerts[aid].zones, auto, "time")
            return out
        a = self.alerts.get(order.alert_id)
        if a is None:
            raise ValueError(f"no manual alert {order.alert_id!r} is in force")
        if order.action in ("cancel", "end"):
            return self._leaving(t_s, a, a.zones, auto, order.action.replace("end", "manual"))
        keep = tuple(z for z in a.zones if z in set(order.keep))
        if not keep or set(order.keep) - set(a.zones):
            raise ValueError("a correction keeps some of the alert's own zones (or cancel it)")
        dropped = [z for z in a.zones if z not in keep]
        return self._leaving(t_s, a, dropped, auto, "manual") + [
            _change(t_s, z, "update", a, "manual") for z in keep
        ]

    def record(self, order: ManualOrder, caps: Iterable[CapMessage], t_s: float) -> None:
        """Update the alerts in force once ``order``'s messages are made."""
        refs = tuple((_sender(m), m.identifier, m.sent) for m in caps)
        if order.action == "issue":
            self.alerts[order.alert.id] = dataclasses.replace(order.alert, refs=refs)
        elif order.action == "expire":
            for aid in self.due(t_s):
                del self.alerts[aid]
        elif order.action in ("cancel", "end"):
            del self.alerts[order.alert_id]
        else:
            a = self.alerts[order.alert_id]
            keep = tuple(z for z in a.zones if z in set(order.keep))
            self.alerts[a.id] = dataclasses.replace(a, zones=keep, refs=a.refs + refs)

    def references(self, order: ManualOrder) -> list[tuple[str, str, str]]:
        """The messages a cancel or correction amends: those of its alert."""
        a = self.alerts.get(order.alert_id)
        return list(a.refs) if a is not None and order.action != "issue" else []

    def restore(self, payloads: Iterable[dict]) -> int:
        """Rebuild the alerts in force from stored ``manual_action`` payloads; count them."""
        for p in payloads:
            act = p.get("action")
            if act == "issue":
                a = ManualAlert.from_dict(p["alert"])
                self.alerts[a.id] = a
            elif act in ("cancel", "end", "expire"):
                for aid in p.get("ended", []):
                    self.alerts.pop(aid, None)
            elif act == "correct" and p.get("alert_id") in self.alerts:
                a = self.alerts[p["alert_id"]]
                refs = a.refs + tuple(map(tuple, p.get("refs", [])))
                self.alerts[a.id] = dataclasses.replace(a, zones=tuple(p["keep"]), refs=refs)
        return len(self.alerts)

    def _leaving(self, t_s, a: ManualAlert, zones, auto: ZoneAlerts, cause: str):
        """Clears for the zones that no other manual alert nor the automatic state holds."""
        index = {str(z): i for i, z in enumerate(auto.zone_ids)}
        same = a.exercise == auto.exercise
        out = []
        for z in zones:
            if self.holds(z, a.level, a.exercise, but=a.id):
                continue
            i = index.get(z)
            if same and i is not None and auto.levels[a.level].active[i]:
                continue
            out.append(_change(t_s, z, "clear", a, cause))
        return out


def order_payload(order: ManualOrder, book: ManualBook, caps: list[CapMessage], t_s: float):
    """The ``manual_action`` event of an order, before ``book.record``: enough to restore."""
    p: dict = {"action": order.action, "by": order.by, "caps": [m.identifier for m in caps]}
    if order.action == "issue":
        refs = tuple((_sender(m), m.identifier, m.sent) for m in caps)
        p["alert"] = dataclasses.replace(order.alert, refs=refs).to_dict()
    elif order.action == "expire":
        p["ended"] = book.due(t_s)
    else:
        p.update(alert_id=order.alert_id, template=order.template)
        if order.action in ("cancel", "end"):
            p["ended"] = [order.alert_id]
        else:
            p["keep"] = list(order.keep)
            p["refs"] = [[_sender(m), m.identifier, m.sent] for m in caps]
    return p


def dress(msg: CapMessage, template: str, languages: tuple[str, ...]) -> CapMessage:
    """The message with each ``<info>``'s description replaced by the template's text."""
    root = ET.fromstring(msg.xml)
    ns = {"c": CAP_NS}
    for info in root.findall("c:info", ns):
        lang = info.findtext("c:language", "", ns)
        desc = info.find("c:description", ns)
        if desc is not None and lang in languages:
            desc.text = template_text(template, lang, msg.status)
    body = ET.tostring(root, encoding="unicode", default_namespace=CAP_NS)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")
    return dataclasses.replace(msg, xml=xml)


def _sender(m: CapMessage) -> str:
    return m.xml.split(b"<sender>", 1)[1].split(b"<", 1)[0].decode()


def _change(t_s: float, zone: str, event: str, a: ManualAlert, cause: str) -> AlertChange:
    return AlertChange(
        t_s=t_s, zone=zone, event=event, level=a.level, cause=cause, exercise=a.exercise
    )
