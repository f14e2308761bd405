"""Liveness and readiness on the public port: a bare status, no details.

The details of each check and the Prometheus metrics are on the operations listener
(`services/gateway/ops.py`, MUSEO_METRICS_HOST:MUSEO_METRICS_PORT).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from services.gateway.deps import GatewayState, state
from services.gateway.ops import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Ready or not (Kafka, Redis, topics); details on the ops port")
async def readyz(gw: GatewayState = Depends(state)) -> JSONResponse:
    ready, _ = await readiness(gw)
    return JSONResponse(
        {"status": "ready" if ready else "not_ready"}, status_code=200 if ready else 503
    )
