"""``POST /v1/detections``: signed JSON Lines from one sensor, checked and queued for the engine."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tocsin.api import accept
from tocsin.api.schemas import IngestResult, Problem, RecordRejection
from tocsin.api.service import Service

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
    limit = svc.settings.ingest.max_body_bytes
    body = await _read_body(request, limit)
    rx_s = time.time()
    try:
        if body is None:
            raise accept.refuse(svc, 413, "too_large", f"body over {limit} bytes")
        sensor = accept.authenticate(svc, request.headers, body)
        if body.count(b"\n") > _INLINE_RECORDS:
            got = await run_in_threadpool(accept.take, svc, sensor, body, rx_s)
        else:
            got = accept.take(svc, sensor, body, rx_s)
    except accept.Refused as e:
        headers = {"Retry-After": "1"} if e.retry else None
        doc = {"detail": e.detail, "reason": e.reason}
        return JSONResponse(doc, status_code=e.status, headers=headers)
    first = got.first_seq
    return IngestResult(
        sensor=got.sensor,
        accepted=got.accepted,
        rejected=len(got.rejections),
        reasons=got.reasons,
        rejections=[
            RecordRejection(
                seq=r.seq - first,
                reason=r.reason,
                message=r.message.replace(f"record {r.seq}:", f"line {r.seq - first}:", 1),
            )
            for r in got.rejections[:100]
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
