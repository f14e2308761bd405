"""The operations listener: `/metrics` and the detailed `/readyz`, off the public port.

Metrics and dependency details (topic names, error strings, circuit-breaker states) tell an
attacker what is down and how the system is built, so the public port answers only
`/healthz` and a bare ready/not-ready `/readyz`. The details are served by a second small app
on `MUSEO_METRICS_HOST:MUSEO_METRICS_PORT` (default 127.0.0.1, no port = not served), which
shares the public app's state (the same Kafka and Redis clients).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from libs.contracts.topics import ALL_TOPICS
from libs.messaging.topics import missing_topics
from services.gateway.deps import GatewayState

CHECK_TIMEOUT_S = 1.5


async def _check_kafka(gw: GatewayState) -> dict[str, Any]:
    try:
        missing = await asyncio.wait_for(
            missing_topics(gw.settings.kafka_bootstrap_servers, [t.name for t in ALL_TOPICS]),
            CHECK_TIMEOUT_S,
        )
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    ok = not missing and gw.rpc.ready
    return {"ok": ok, "missing_topics": missing, "reply_consumer": gw.rpc.ready}


async def _check_redis(gw: GatewayState) -> dict[str, Any]:
    try:
        await asyncio.wait_for(gw.redis.ping(), CHECK_TIMEOUT_S)
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


async def readiness(gw: GatewayState) -> tuple[bool, dict[str, Any]]:
    """(ready, checks): Kafka reachable with every topic and the reply consumer up, Redis up."""
    kafka, redis = await asyncio.gather(_check_kafka(gw), _check_redis(gw))
    checks: dict[str, Any] = {"kafka": kafka, "redis": redis}
    return kafka["ok"] and redis["ok"], checks


def create_ops_app(public: FastAPI) -> FastAPI:
    """The ops app over `public`'s state; it has no lifespan of its own."""
    ops = FastAPI(title="Museo gateway operations", docs_url=None, redoc_url=None)

    @ops.get("/readyz", summary="Readiness with the details of every check")
    async def readyz(_: Request) -> JSONResponse:
        ready, checks = await readiness(public.state.gw)
        body = {"status": "ready" if ready else "not_ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @ops.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return ops
