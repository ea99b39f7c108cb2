"""A drone only the public has reported: the zones ahead of it are told to be ready
(advisory), and nobody is told to take shelter on a report alone."""

from __future__ import annotations

import numpy as np

from tocsin.alert.cap import CapSettings
from tocsin.engine import Engine, EngineSettings
from tocsin.messages import Detection, Sensor
from tocsin.store import SqliteEventLog

T0 = 1_764_018_000.0
CAP = CapSettings(sender="tocsin@belgorod.example", region_id="belgorod")
PUBLIC = {"public": Sensor(id="public", kind="sighting")}


def _sighting(seq, t_s, x_m, y_m, heading_deg, who):
    return Detection(seq=seq, sensor="public", kind="sighting", t_s=t_s, rx_s=t_s + 60.0,
                     x_m=x_m, y_m=y_m, cov_xy=(1500.0**2, 0.0, 1500.0**2),
                     heading_deg=heading_deg, reporter=who)  # fmt: skip


def _run(region, tmp_path, dets):
    eng = Engine(region, PUBLIC, CAP, EngineSettings(), SqliteEventLog(tmp_path / "e.sqlite"))
    changes = []
    for t in range(50, 400):
        changes += eng.step(T0 + t, [d for d in dets if T0 + t - 1 < d.rx_s <= T0 + t]).changes
    return changes


def test_a_sighting_with_a_heading_raises_advisories_ahead_and_no_warning(belgorod, tmp_path):
    z = belgorod.zones
    c = int(np.argmin(np.hypot(z.x_m, z.y_m)))  # the zone nearest the region's centre
    x0, y0 = float(z.x_m[c]), float(z.y_m[c])
    changes = _run(belgorod, tmp_path, [_sighting(0, T0, x0, y0, 90.0, "anna")])
    assert [ch for ch in changes if ch.level == "warning"] == []
    advised = {ch.zone for ch in changes if ch.level == "advisory" and ch.event == "onset"}
    ids = [str(i) for i in z.ids]
    ahead = ids[int(np.argmin(np.hypot(z.x_m - (x0 + 15_000.0), z.y_m - y0)))]
    behind = ids[int(np.argmin(np.hypot(z.x_m - (x0 - 15_000.0), z.y_m - y0)))]
    assert ahead in advised and behind not in advised
