"""``POST /v1/detections``: signed JSON Lines from one sensor, checked and queued for the engine."""

from __future__ import annotations

import logging
import time
from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tocsin.api.auth import RequestRejected
from tocsin.api.schemas import IngestResult, Problem, RecordRejection
from tocsin.api.service import Service
from tocsin.api.worker import Inbound, QueueFull
from tocsin.ingest import Rejection
from tocsin.messages import Detection

log = logging.getLogger(__name__)
router = APIRouter()
_INLINE_RECORDS = 64  # bigger bodies are checked off the event loop
_BODY = {
    "required": True,
    "content": {
        "application/x-ndjson": {
            "schema": {"type": "string", "description": "detection records, one a line"}
        }
    },
}


@router.post(
    "/v1/detections",
    status_code=202,
    response_model=IngestResult,
    summary="Send detection records (JSON Lines, spec §2), signed by one sensor",
    responses={
        401: {"model": Problem, "description": "missing or bad signature, stale, replayed"},
        403: {"model": Problem, "description": "a record names another sensor"},
        413: {"model": Problem, "description": "body or record count over the limit"},
        503: {"model": Problem, "description": "the engine's queue is full (retry) or stopped"},
    },
    openapi_extra={"requestBody": _BODY},
)
async def post_detections(request: Request):
    svc: Service = request.app.state.service
    ing = svc.settings.ingest
    body = await _read_body(request, ing.max_body_bytes)
    rx_s = time.time()
    if body is None:
        return _refuse(svc, 413, "too_large", f"body over {ing.max_body_bytes} bytes")
    try:
        sensor = svc.auth.check(request.headers, body)
    except RequestRejected as e:
        return _refuse(svc, e.status, e.reason, str(e))
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [x[:-1] if x.endswith(b"\r") else x for x in lines]
    if len(lines) > ing.max_records:
        return _refuse(svc, 413, "too_many_records", f"over {ing.max_records} records")
    items = list(zip(svc.next_seqs(len(lines)), lines, strict=True))
    intake = svc.intakes[sensor]
    if len(items) > _INLINE_RECORDS:
        out = await run_in_threadpool(intake.take_many, items, rx_s)
    else:
        out = intake.take_many(items, rx_s)
    rejections = [r for r in out if type(r) is Rejection]
    if any(r.reason == "unknown_sensor" for r in rejections):
        return _refuse(svc, 403, "wrong_sensor", f"records must name sensor {sensor!r} only")
    good = [(d, line) for d, (_, line) in zip(out, items, strict=True) if type(d) is Detection]
    dets = [d for d, _ in good]
    texts = [line.decode("utf-8", "backslashreplace") for _, line in good]
    if not svc.worker.alive:
        return _refuse(svc, 503, "engine_stopped", "the engine has stopped; nothing is taken")
    try:
        svc.worker.submit(Inbound(sensor, rx_s, dets, texts, rejections))
    except QueueFull as e:
        return _refuse(svc, 503, "queue_full", str(e), {"Retry-After": "1"})
    m = svc.metrics
    m.records.labels("accepted").inc(len(dets))
    m.records.labels("rejected").inc(len(rejections))
    reasons = Counter(r.reason for r in rejections)
    for reason, n in reasons.items():
        m.records_rejected.labels(reason).inc(n)
    first = items[0][0] if items else 0
    return IngestResult(
        sensor=sensor,
        accepted=len(dets),
        rejected=len(rejections),
        reasons=dict(sorted(reasons.items())),
        rejections=[
            RecordRejection(
                seq=r.seq - first,
                reason=r.reason,
                message=r.message.replace(f"record {r.seq}:", f"line {r.seq - first}:", 1),
            )
            for r in rejections[:100]
        ],
    )


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than limit (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


_logged: set[str] = set()


def _refuse(svc: Service, status: int, reason: str, detail: str, headers=None) -> JSONResponse:
    svc.metrics.requests_rejected.labels(reason).inc()
    if reason not in _logged:
        _logged.add(reason)
        log.warning("refused an ingest request (%s): %s; further ones are counted, not logged",
                    reason, detail, extra={"reason": reason})  # fmt: skip
    return JSONResponse({"detail": detail, "reason": reason}, status_code=status, headers=headers)
