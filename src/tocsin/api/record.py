"""The transparent log for anyone to check: ``GET /v1/log`` and ``GET /v1/log/key``.

``/v1/log`` is the log file (JSON Lines, ``docs/ledger.md``) as it stands, up
to the end of the engine thread's last durable write, so a download always
ends on a whole line; ``/v1/log/key`` is the region's public key (PEM) that
``tocsin verify`` checks it with.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from tocsin.api.schemas import Problem
from tocsin.api.service import Service

router = APIRouter()
CHUNK_BYTES = 1 << 16
JSONL = "application/jsonl"
PEM = "application/x-pem-file"


def _chunks(path: Path, size: int) -> Iterator[bytes]:
    """The first ``size`` bytes of the file, a chunk at a time."""
    with path.open("rb") as f:
        left = size
        while left > 0:
            chunk = f.read(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


@router.get(
    "/v1/log",
    summary="The transparent log: every CAP message and incident change, hash-chained, "
    "with signed heads (JSON Lines; check it with `tocsin verify`)",
    responses={
        200: {"content": {JSONL: {"schema": {"type": "string"}}}},
        503: {"model": Problem, "description": "the log is not open yet"},
    },
    response_class=StreamingResponse,
)
async def get_log(request: Request) -> Response:
    svc: Service = request.app.state.service
    keeper = svc.keeper
    size = keeper.log_bytes
    if not keeper.key_id:
        return JSONResponse({"detail": "the transparent log is not open yet"}, status_code=503)
    headers = {
        "Content-Length": str(size),
        "Cache-Control": "no-cache",
        "X-Tocsin-Key-Id": keeper.key_id,
        "Content-Disposition": f'inline; filename="{svc.region.name}-log.jsonl"',
    }
    return StreamingResponse(_chunks(keeper.log_path, size), media_type=JSONL, headers=headers)


@router.get(
    "/v1/log/key",
    summary="The region's public key (Ed25519, SubjectPublicKeyInfo PEM) that signs the log",
    responses={
        200: {"content": {PEM: {"schema": {"type": "string"}}}},
        503: {"model": Problem, "description": "the log is not open yet"},
    },
    response_class=Response,
)
async def get_key(request: Request) -> Response:
    svc: Service = request.app.state.service
    keeper = svc.keeper
    if not keeper.key_id:
        return JSONResponse({"detail": "the transparent log is not open yet"}, status_code=503)
    return Response(keeper.public_pem, media_type=PEM, headers={"X-Tocsin-Key-Id": keeper.key_id})
