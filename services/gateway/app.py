"""The gateway: FastAPI on :3300; publishes requests to Kafka and awaits replies. Owns no state."""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from libs.messaging.broker import make_producer
from libs.messaging.rpc import RpcClient
from libs.telemetry.logging import setup_logging
from libs.telemetry.tracing import setup_tracing, shutdown_tracing
from services.gateway import routes, ws
from services.gateway.deps import GatewayState
from services.gateway.errors import install_error_handlers, problem
from services.gateway.limits import BodyLimitMiddleware
from services.gateway.ratelimit import setup_rate_limits
from services.gateway.settings import GatewaySettings
from services.gateway.tracing import TracingMiddleware
from services.gateway.upload_guard import UploadAuthMiddleware

log = logging.getLogger(__name__)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rpc = RpcClient(
            settings.kafka_bootstrap_servers,
            f"gateway-{settings.instance_id}",  # its reply topic: gateway.replies.gateway-...
            settings.request_timeout_s,
            send_timeout=settings.kafka_send_timeout_s,
        )
        await rpc.start()
        # No retry: redis-py's default (3 retries with backoff, each a socket timeout long)
        # would hold a request several seconds on a stalled Redis; one timeout, then a 503.
        # No CLIENT SETINFO either: two fewer round trips to wait for on each new connection.
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
            retry=Retry(NoBackoff(), 0),
            driver_info=None,
        )
        # One producer of facts for every route that publishes (events, webhooks, privacy,
        # shipments): acks=all, and each send bounded by the routes' own send timeout.
        producer = make_producer(settings.kafka_bootstrap_servers, linger_ms=1,
                                 request_timeout_ms=5000,
                                 client_id=f"gateway-{settings.instance_id}")
        await producer.start()
        app.state.gw = GatewayState(settings=settings, rpc=rpc, redis=redis, producer=producer)
        for hook in app.state.startup_hooks:
            await hook(app.state.gw)
        log.info("gateway ready on %s:%s", settings.host, settings.port)
        try:
            yield
        finally:
            for hook in app.state.shutdown_hooks:
                await hook(app.state.gw)
            await producer.stop()
            await rpc.stop()
            await redis.aclose()
            shutdown_tracing()

    app = FastAPI(
        title="Museo Commerce gateway",
        version="0.1.0",
        lifespan=lifespan,
        description="Conversational commerce over Kafka. WebSocket protocol: docs/websocket.md.",
    )
    app.state.startup_hooks = []
    app.state.shutdown_hooks = []
    app.state.settings = settings  # for a slice's setup(app), which runs before the lifespan
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
    # Outer to inner: tracing, rate limits, upload auth, body limit: a request is counted and
    # an upload authenticated before any of its body is read.
    app.add_middleware(UploadAuthMiddleware)
    setup_rate_limits(app)
    # Added last, so outermost: the span covers the whole request, a 413 included.
    app.add_middleware(TracingMiddleware)
    install_error_handlers(app)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()[:10]]
        return problem(422, "invalid_request", "request did not validate", details=details)

    @app.get("/asyncapi", tags=["docs"], summary="AsyncAPI document of every topic")
    async def asyncapi() -> Any:
        path = Path(settings.asyncapi_path)
        if not path.exists():
            return problem(404, "not_found", f"{path} not generated yet: run `make docs`")
        return json.loads(path.read_text())

    app.include_router(ws.router)
    for module in discover_routes():
        app.include_router(module.router)
        setup = getattr(module, "setup", None)
        if setup is not None:  # a slice's startup/shutdown hooks and app additions
            setup(app)
    return app


def discover_routes() -> list[ModuleType]:
    """Every module of services/gateway/routes with a `router`, so slices add routes without
    touching this file; a module may also define `setup(app)` to add startup hooks."""
    modules = []
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        if hasattr(module, "router"):
            modules.append(module)
    return modules


def main() -> None:
    import asyncio
    import contextlib

    import uvicorn

    from services.gateway.ops import create_ops_app

    settings = GatewaySettings()
    setup_logging("gateway", settings.log_level)
    setup_tracing("gateway")
    app = create_app(settings)
    public = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            ws_max_size=settings.max_ws_frame_bytes * 2,
            access_log=False,
        )
    )
    servers = [public.serve()]
    if settings.metrics_port:  # /metrics and the detailed /readyz, off the public port
        ops = uvicorn.Server(
            uvicorn.Config(
                create_ops_app(app),
                host=settings.metrics_host,
                port=settings.metrics_port,
                log_config=None,
                access_log=False,
                lifespan="off",
            )
        )
        # Only the public server handles SIGINT/SIGTERM; the ops one stops with the process.
        ops.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        servers.append(ops.serve())

    async def serve() -> None:
        tasks = [asyncio.ensure_future(s) for s in servers]
        await tasks[0]  # the public server owns the signals and the lifespan
        for task in tasks[1:]:
            task.cancel()

    asyncio.run(serve())
