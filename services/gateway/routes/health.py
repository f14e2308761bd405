"""Liveness, readiness and metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from libs.contracts.topics import ALL_TOPICS
from libs.messaging.topics import missing_topics
from services.gateway.deps import GatewayState, state

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check_kafka(gw: GatewayState) -> dict[str, Any]:
    try:
        missing = await asyncio.wait_for(
            missing_topics(gw.settings.kafka_bootstrap_servers, [t.name for t in ALL_TOPICS]), 5
        )
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    ok = not missing and gw.rpc.ready
    return {"ok": ok, "missing_topics": missing, "reply_consumer": gw.rpc.ready}


async def _check_redis(gw: GatewayState) -> dict[str, Any]:
    try:
        await asyncio.wait_for(gw.redis.ping(), 2)
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


@router.get("/readyz", summary="Kafka and Redis reachable, required topics exist")
async def readyz(gw: GatewayState = Depends(state)) -> JSONResponse:
    kafka, redis = await asyncio.gather(_check_kafka(gw), _check_redis(gw))
    checks: dict[str, Any] = {"kafka": kafka, "redis": redis}
    ready = kafka["ok"] and redis["ok"]
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
