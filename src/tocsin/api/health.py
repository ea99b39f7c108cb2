"""Sensor health for the console: silent and flooding sensors, and the coverage gaps they leave.

The desk counts, in the engine thread, each record a sensor sent (taken or
rejected) from the event log. A sensor is *silent* when nothing came from it
for ``silent_s`` (counted from the service's start for one never heard), and
*flooding* when it sent more than ``flood_per_min`` records in the last
minute. A zone is a *coverage gap* when no radar or acoustic sensor that is
not silent reaches its centre.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Mapping

import numpy as np

from tocsin.geo import Region
from tocsin.messages import Sensor

WINDOW_S = 60.0


class SensorHealth:
    def __init__(self, region: Region, sensors: Mapping[str, Sensor],
                 started_s: float | None = None) -> None:  # fmt: skip
        self.region, self.sensors = region, dict(sensors)
        self.started_s = time.time() if started_s is None else started_s
        self.last_s: dict[str, float] = {}
        self.total: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self._recent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def seen_many(self, sensor: str, wall_s: float, n: int, rejected: int = 0) -> None:
        """``n`` records from ``sensor``, ``rejected`` of them refused, came at ``wall_s``."""
        if n <= 0:
            return
        with self._lock:
            self.last_s[sensor] = max(self.last_s.get(sensor, 0.0), wall_s)
            self.total[sensor] = self.total.get(sensor, 0) + n
            if rejected:
                self.rejected[sensor] = self.rejected.get(sensor, 0) + rejected
            q = self._recent.setdefault(sensor, deque())
            q.extend(itertools.repeat(wall_s, n))
            while q and q[0] < wall_s - WINDOW_S:
                q.popleft()

    def report(self, now_s: float, silent_s: float = 120.0, flood_per_min: int = 600) -> dict:
        """Every sensor's state, and the zones no live sensor covers, as GeoJSON."""
        feats, live = [], []
        with self._lock:
            for sid, s in sorted(self.sensors.items()):
                last = self.last_s.get(sid)
                q = self._recent.get(sid, deque())
                per_min = sum(1 for t in q if t >= now_s - WINDOW_S)
                quiet_for = now_s - (last if last is not None else self.started_s)
                state = "flooding" if per_min > flood_per_min else (
                    "silent" if quiet_for > silent_s else "ok")  # fmt: skip
                if s.lat_deg is None or s.lon_deg is None:
                    continue  # sightings and other systems' tracks have no place
                props = {
                    "sensor": sid, "kind": s.kind, "state": state, "range_m": s.range_max_m,
                    "records_last_min": per_min, "records": self.total.get(sid, 0),
                    "rejected": self.rejected.get(sid, 0),
                    "quiet_s": round(quiet_for, 1) if last is not None else None,
                }  # fmt: skip
                geom = {"type": "Point", "coordinates": [s.lon_deg, s.lat_deg]}
                feats.append({"type": "Feature", "properties": props, "geometry": geom})
                if state != "silent" and s.range_max_m:
                    live.append(s)
        gaps = self.gaps(live)
        zones = self.region.zones
        for i in gaps:
            ring = [[lon, lat] for lat, lon in zones.boundary(int(i))]
            feats.append({"type": "Feature",
                          "properties": {"gap": True, "zone": str(zones.ids[i]),
                                         "name": str(zones.names[i])},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
        counts = {}
        for f in feats:
            st = f["properties"].get("state")
            if st:
                counts[st] = counts.get(st, 0) + 1
        return {"type": "FeatureCollection", "features": feats, "counts": counts,
                "gap_zones": len(gaps), "zones": len(zones), "silent_s": silent_s,
                "flood_per_min": flood_per_min}  # fmt: skip

    def gaps(self, live: list[Sensor]) -> np.ndarray:
        """Indices of the zones whose centre no sensor of ``live`` reaches."""
        zones = self.region.zones
        near = [s for s in live if s.kind in ("radar", "acoustic") and s.x_m is not None]
        covered = np.zeros(len(zones), bool)
        if near:
            xy_r = np.array([(s.x_m, s.y_m, s.range_max_m) for s in near], float)
            _, idx = zones.within(xy_r[:, 0], xy_r[:, 1], xy_r[:, 2])
            covered[idx] = True
        return np.flatnonzero(~covered)
