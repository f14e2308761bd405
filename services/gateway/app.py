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

from libs.messaging.rpc import RpcClient
from libs.telemetry.logging import setup_logging
from libs.telemetry.tracing import setup_tracing, shutdown_tracing
from services.gateway import routes, ws
from services.gateway.deps import GatewayState
from services.gateway.errors import install_error_handlers, problem
from services.gateway.limits import BodyLimitMiddleware
from services.gateway.settings import GatewaySettings
from services.gateway.tracing import TracingMiddleware

log = logging.getLogger(__name__)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rpc = RpcClient(
            settings.kafka_bootstrap_servers, settings.instance_id, settings.request_timeout_s
        )
        await rpc.start()
        redis = Redis.from_url(settings.redis_url)
        app.state.gw = GatewayState(settings=settings, rpc=rpc, redis=redis)
        for hook in app.state.startup_hooks:
            await hook(app.state.gw)
        log.info("gateway ready on %s:%s", settings.host, settings.port)
        try:
            yield
        finally:
            for hook in app.state.shutdown_hooks:
                await hook(app.state.gw)
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
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
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
    import uvicorn

    settings = GatewaySettings()
    setup_logging("gateway", settings.log_level)
    setup_tracing("gateway")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        ws_max_size=settings.max_ws_frame_bytes * 2,
        access_log=False,
    )
