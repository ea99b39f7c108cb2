"""The incident registry: incidents and every change to them, as events in the event log.

Nothing is ever edited in place: a new incident is an ``incident_reported``
event, a confirmation or retraction an ``incident_changed`` event naming who
made it, so the log holds the full history and the transparent log
(``tocsin.ledger``) chains each change. The registry's state is rebuilt from
the log when it is opened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from tocsin.errors import StoreError
from tocsin.geo import Region
from tocsin.incident.model import Casualties, Change, Incident, incident_from_dict
from tocsin.store.base import EventLog

REPORTED, CHANGED = "incident_reported", "incident_changed"
FUTURE_SLACK_S = 60.0  # clocks of reporters may run a little ahead
_NEXT = {"confirmed": ("reported",), "retracted": ("reported", "confirmed")}


def _plain(value: object) -> object:
    """numpy floats as Python floats; anything else as given, for Incident to check."""
    if isinstance(value, float) and not isinstance(value, bool):
        return float(value)
    return value


class IncidentRegistry:
    """Incidents of one region, stored in ``log``; ``clock`` gives the time of each change.

    Without a region the registry can list, confirm and retract, but not take new incidents.
    """

    def __init__(
        self, log: EventLog, region: Region | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.log = log
        self.region = region
        self.clock = clock
        self._incidents: dict[str, Incident] = {}
        self._history: dict[str, list[Change]] = {}
        for e in log.read((REPORTED, CHANGED)):
            try:
                self._apply(e.kind, e.t_s, e.payload)
            except (KeyError, TypeError, ValueError) as err:
                raise StoreError(
                    f"event {e.seq} ({e.kind}) is not a valid incident change: {err}"
                ) from err

    def _apply(self, kind: str, t_s: float, p: dict) -> None:
        if kind == REPORTED:
            inc = incident_from_dict(p["incident"])
            self._incidents[inc.id] = inc
            self._history[inc.id] = [
                Change(incident=inc.id, action=inc.status, by=p["by"], t_s=t_s, note=p["note"])
            ]
        else:
            inc = self._incidents[p["id"]]
            fields = dict(p.get("changes") or {})
            if "casualties" in fields:
                fields["casualties"] = Casualties(**fields["casualties"])
            if "hospitals" in fields:
                fields["hospitals"] = tuple(fields["hospitals"])
            self._incidents[inc.id] = replace(inc, status=p["status"], **fields)
            action = "amended" if "changes" in p else p["status"]
            self._history[inc.id].append(
                Change(incident=inc.id, action=action, by=p["by"], t_s=t_s, note=p["note"])
            )

    # -- reading -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._incidents)

    def get(self, incident_id: str) -> Incident:
        try:
            return self._incidents[incident_id]
        except KeyError:
            raise ValueError(f"no incident {incident_id!r}") from None

    def all(self) -> list[Incident]:
        """Every incident, retracted ones included, by time then id."""
        return sorted(self._incidents.values(), key=lambda i: (i.t_s, i.id))

    def history(self, incident_id: str) -> list[Change]:
        self.get(incident_id)
        return list(self._history[incident_id])

    # -- writing -------------------------------------------------------------

    def make(
        self,
        *,
        kind: str,
        t_s: float,
        lat_deg: float,
        lon_deg: float,
        source: str,
        casualties: Casualties | None = None,
        damage: str = "none",
        hospitals: tuple[str, ...] = (),
        notes: str = "",
        id: str | None = None,
        status: str = "reported",
        now_s: float | None = None,
    ) -> Incident:
        """A checked incident of this region: inside its area, not in the future, id free."""
        now_s = self.clock() if now_s is None else now_s
        inc = Incident(
            id=id or self._next_id(),
            kind=kind,
            t_s=_plain(t_s),
            lat_deg=_plain(lat_deg),
            lon_deg=_plain(lon_deg),
            zone="unknown",
            source=source,
            casualties=casualties or Casualties(),
            damage=damage,
            hospitals=tuple(hospitals),
            notes=notes,
            status=status,
        )
        if inc.id in self._incidents:
            raise ValueError(f"incident {inc.id}: 'id' is taken by an incident already registered")
        if t_s > now_s + FUTURE_SLACK_S:
            raise ValueError(f"incident {inc.id}: 'time' is in the future ({inc.to_dict()['t']})")
        if status == "retracted":
            raise ValueError(f"incident {inc.id}: 'status' of a new incident cannot be retracted")
        return replace(inc, zone=self.zone_of(inc.id, lat_deg, lon_deg))

    def zone_of(self, incident_id: str, lat_deg: float, lon_deg: float) -> str:
        """The zone holding a place of the region (the nearest zone near the border)."""
        if self.region is None:
            raise ValueError("a new incident needs the region it happened in")
        if not bool(self.region.contains(lat_deg, lon_deg)):
            raise ValueError(
                f"incident {incident_id}: 'lat'/'lon' ({lat_deg:.5f}, {lon_deg:.5f}) "
                f"lie outside the region {self.region.name}"
            )
        zones = self.region.zones
        k = int(zones.locate(lat_deg, lon_deg)[0])
        if k < 0:
            x, y = self.region.frame.latlng_to_xy(np.array([lat_deg]), np.array([lon_deg]))
            k = int(zones.nearest(x, y)[1][0])
        return str(zones.ids[k])

    def _next_id(self) -> str:
        n = len(self._incidents) + 1
        while f"I{n:05d}" in self._incidents:
            n += 1
        return f"I{n:05d}"

    def add(self, incident: Incident, by: str, note: str = "", *, flush: bool = True) -> Incident:
        """Register a new incident (from ``make``) and store it (durably unless ``flush`` is
        False: bulk imports flush once at the end)."""
        if incident.id in self._incidents:
            raise ValueError(
                f"incident {incident.id}: 'id' is taken by an incident already registered"
            )
        Change(incident=incident.id, action="reported", by=by, t_s=0.0)  # checks 'by'
        payload = {"incident": incident.to_dict(), "by": by, "note": note}
        t_s = self.clock()
        self.log.append(REPORTED, t_s, payload)
        if flush:
            self.log.flush()
        self._apply(REPORTED, t_s, payload)
        return incident

    def confirm(self, incident_id: str, by: str, note: str = "") -> Incident:
        return self._change(incident_id, "confirmed", by, note)

    def retract(self, incident_id: str, by: str, note: str) -> Incident:
        if not note.strip():
            raise ValueError(f"incident {incident_id}: a retraction needs a 'note' saying why")
        return self._change(incident_id, "retracted", by, note)

    def amend(
        self,
        incident_id: str,
        by: str,
        note: str,
        *,
        casualties: Casualties | None = None,
        damage: str | None = None,
        hospitals: tuple[str, ...] | None = None,
        notes: str | None = None,
    ) -> Incident:
        """Correct what is known of an incident (casualties rise, hospitals are named)."""
        inc = self.get(incident_id)
        if inc.status == "retracted":
            raise ValueError(f"incident {incident_id}: 'status' is retracted, it cannot be amended")
        given = {"casualties": casualties, "damage": damage, "hospitals": hospitals, "notes": notes}
        given = {k: v for k, v in given.items() if v is not None}
        if not given:
            raise ValueError(f"incident {incident_id}: an amendment needs a field to change")
        new = replace(inc, **given)  # validates every field
        changes = {k: new.to_dict()[k] for k in given}
        return self._change(incident_id, inc.status, by, note, changes)

    def _change(
        self, incident_id: str, status: str, by: str, note: str, changes: dict | None = None
    ) -> Incident:
        inc = self.get(incident_id)
        if changes is None and inc.status not in _NEXT[status]:
            raise ValueError(
                f"incident {incident_id}: 'status' is {inc.status}, cannot become {status}"
            )
        t_s = self.clock()
        Change(incident=incident_id, action=status, by=by, t_s=t_s, note=note)
        payload = {"id": incident_id, "status": status, "by": by, "note": note}
        if changes is not None:
            payload["changes"] = changes
        self.log.append(CHANGED, t_s, payload)
        self.log.flush()
        self._apply(CHANGED, t_s, payload)
        return self._incidents[incident_id]
