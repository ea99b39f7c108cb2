"""How far the tracker trusts reports from the public.

A sighting is late, km-scale and sometimes mistaken; a reporter who sends
many is more likely a nuisance than a witness. So:

- each reporter has a token bucket (a few reports at once, then one per few
  minutes, by arrival time); reports beyond it are throttled: they neither
  start nor update a track, and are counted. Reports with no reporter id
  share one larger bucket per sensor, so an anonymous flood is limited too;
- a track's evidence counts distinct reporters, not reports: independent
  people who saw the same drone count more than one person who saw it ten
  times (`TrackerSettings.reporter_weight` each);
- sightings alone never confirm a track: they add to what radars and acoustic
  nodes say.

>>> from tocsin.messages import Detection
>>> def s(seq, rx, who):
...     return Detection(seq=seq, sensor="public", kind="sighting", t_s=rx - 60, rx_s=rx,
...                      x_m=0.0, y_m=0.0, cov_xy=(1.5e6, 0.0, 1.5e6), reporter=who)
>>> lim = ReporterLimiter()
>>> kept = lim.admit([s(k, 1000.0 + k, "r1") for k in range(10)] + [s(10, 1005.0, "r2")])
>>> [d.reporter for d in kept], lim.throttled
(['r1', 'r1', 'r1', 'r2'], 7)
>>> len(lim.admit([s(11, 1000.0 + 400.0, "r1")]))  # a token back after the refill time
1
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tocsin.messages import Detection


@dataclass
class ReporterLimiter:
    """Token buckets over sighting reporters, by arrival time."""

    burst: int = 3  # reports a reporter may send at once
    refill_s: float = 300.0  # then one more report per this many seconds
    anonymous_burst: int = 20  # the shared bucket of reports without a reporter id
    throttled: int = 0  # reports dropped so far
    _tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # key: (tokens, at)

    def admit(self, dets: list[Detection]) -> list[Detection]:
        """The detections the tracker may use: all but the throttled sightings.

        Deterministic: sightings are taken in order of arrival (rx, then seq).
        """
        out = [d for d in dets if d.kind != "sighting"]
        for d in sorted((d for d in dets if d.kind == "sighting"), key=lambda d: (d.rx_s, d.seq)):
            key = d.reporter if d.reporter else f"anonymous@{d.sensor}"
            cap = float(self.burst if d.reporter else self.anonymous_burst)
            tokens, at = self._tokens.get(key, (cap, d.rx_s))
            tokens = min(cap, tokens + max(d.rx_s - at, 0.0) / self.refill_s)
            if tokens >= 1.0:
                self._tokens[key] = (tokens - 1.0, d.rx_s)
                out.append(d)
            else:
                self._tokens[key] = (tokens, d.rx_s)
                self.throttled += 1
        return out
