"""Resume the zone alert state after a restart, from the stored alert decisions.

The event log holds every ``AlertChange`` the state machine made. Replaying
them in order gives, per zone and level, whether the alert is in force, the
ETA last announced and when. Zones still under alert keep it: they clear
``hold_s`` after the last threat within reach, counted at the earliest from
the restart, so an all-clear that was pending when the service stopped is
given once the restarted tracker has had time to see whether the threat is
still there, and a zone whose threat is still there is never cleared by the
restart alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from tocsin.alert.state import ZoneAlerts
from tocsin.messages import AlertChange


def restore_alerts(alerts: ZoneAlerts, changes: Iterable[AlertChange], now_s: float) -> int:
    """Set ``alerts`` to the state the stored ``changes`` (in log order) leave; count in force.

    Changes for zones the region does not have are skipped.

    >>> import numpy as np
    >>> za = ZoneAlerts(np.array(["a", "b"], dtype=object))
    >>> on = AlertChange(t_s=10.0, zone="a", event="onset", level="warning", eta_s=200.0)
    >>> restore_alerts(za, [on], now_s=100.0), za.active_zones("warning").tolist()
    (1, [0])
    >>> float(za.levels["warning"].last_threat_s[0]), float(za.levels["warning"].announced_s[0])
    (100.0, 10.0)
    """
    index = {str(z): i for i, z in enumerate(alerts.zone_ids)}
    last: dict[tuple[int, str], AlertChange] = {}
    for c in changes:
        z = index.get(c.zone)
        if z is not None:
            last[(z, c.level)] = c
    n = 0
    for (z, level), c in last.items():
        st = alerts.levels[level]
        if c.event == "clear":
            st.active[z] = False
            continue
        st.active[z] = True
        st.last_eta_s[z] = c.eta_s if c.eta_s is not None else 0.0
        st.announced_s[z] = c.t_s
        st.last_threat_s[z] = max(c.t_s, now_s)
        n += 1
    return n
