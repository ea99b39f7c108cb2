"""Taking in a signed batch of records, whichever way it came (HTTP or the broker).

``authenticate`` checks the signature headers; ``take`` splits the body into
lines, checks every record with the sensor's own intake (so a record naming
another sensor refuses the whole batch) and queues the good ones for the
engine. Both raise ``Refused``, counted by reason, for a batch refused whole.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from tocsin.api.auth import RequestRejected
from tocsin.api.service import Service
from tocsin.api.worker import Inbound, QueueFull
from tocsin.ingest import Rejection
from tocsin.messages import Detection

log = logging.getLogger(__name__)
_logged: set[str] = set()


class Refused(Exception):
    """A batch refused whole: HTTP status, reason code, and what to tell the sender."""

    def __init__(self, status: int, reason: str, detail: str, retry: bool = False) -> None:
        super().__init__(detail)
        self.status, self.reason, self.detail, self.retry = status, reason, detail, retry


@dataclass(frozen=True, slots=True)
class Taken:
    sensor: str
    accepted: int
    rejections: list[Rejection]
    first_seq: int  # seq of the body's first line: rejections are numbered from it

    @property
    def reasons(self) -> dict[str, int]:
        return dict(sorted(Counter(r.reason for r in self.rejections).items()))


def refuse(svc: Service, status: int, reason: str, detail: str, retry: bool = False) -> Refused:
    """Count a refusal (and log the first of each reason); the caller raises it."""
    svc.metrics.requests_rejected.labels(reason).inc()
    if reason not in _logged:
        _logged.add(reason)
        log.warning("refused a batch of records (%s): %s; further ones are counted, not logged",
                    reason, detail, extra={"reason": reason})  # fmt: skip
    return Refused(status, reason, detail, retry)


def authenticate(svc: Service, headers: Mapping[str, str], body: bytes,
                 now_s: float | None = None) -> str:  # fmt: skip
    """The signing sensor's id, or Refused."""
    try:
        return svc.auth.check(headers, body, now_s)
    except RequestRejected as e:
        raise refuse(svc, e.status, e.reason, str(e)) from None


def take(svc: Service, sensor: str, body: bytes, rx_s: float) -> Taken:
    """Check every record of an authenticated body and queue the good ones, or Refused."""
    ing = svc.settings.ingest
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [x[:-1] if x.endswith(b"\r") else x for x in lines]
    if len(lines) > ing.max_records:
        raise refuse(svc, 413, "too_many_records", f"over {ing.max_records} records")
    items = list(zip(svc.next_seqs(len(lines)), lines, strict=True))
    out = svc.intakes[sensor].take_many(items, rx_s)
    rejections = [r for r in out if type(r) is Rejection]
    if any(r.reason == "unknown_sensor" for r in rejections):
        raise refuse(svc, 403, "wrong_sensor", f"records must name sensor {sensor!r} only")
    good = [(d, line) for d, (_, line) in zip(out, items, strict=True) if type(d) is Detection]
    dets = [d for d, _ in good]
    texts = [line.decode("utf-8", "backslashreplace") for _, line in good]
    if not svc.worker.alive:
        raise refuse(svc, 503, "engine_stopped", "the engine has stopped; nothing is taken")
    try:
        svc.worker.submit(Inbound(sensor, rx_s, dets, texts, rejections))
    except QueueFull as e:
        raise refuse(svc, 503, "queue_full", str(e), retry=True) from None
    m = svc.metrics
    m.records.labels("accepted").inc(len(dets))
    m.records.labels("rejected").inc(len(rejections))
    for reason, n in Counter(r.reason for r in rejections).items():
        m.records_rejected.labels(reason).inc(n)
    return Taken(sensor, len(dets), rejections, items[0][0] if items else 0)
