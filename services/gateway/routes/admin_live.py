"""The live panel over the admin WebSocket: `admin.live.subscribe` / `admin.live.unsubscribe`.

A subscribed connection gets an `admin.live` frame every `interval_s` seconds (1-60, default 2)
until it unsubscribes or closes; the first comes at once. It needs the `ops:read` scope (an
`error` frame otherwise). The values come from `services/gateway/live_panel.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from libs.auth.scopes import OPS_READ
from services.gateway.deps import GatewayState
from services.gateway.live_panel import LiveSampler
from services.gateway.routes.admin_ws import admin_of
from services.gateway.ws import FrameError, WsSession, ws_op

router = APIRouter()  # discovery marker: this module adds WebSocket frame types
log = logging.getLogger(__name__)
SAMPLER, HTTP, TASK = "live_sampler", "live_http", "admin.live"


class Subscribe(BaseModel):
    interval_s: float = Field(default=2.0, ge=1.0, le=60.0)


async def _start(gw: GatewayState) -> None:
    http = httpx.AsyncClient(timeout=httpx.Timeout(1.5, connect=0.5))
    gw.live_http = http

    async def fetch(url: str) -> str:
        resp = await http.get(url)
        resp.raise_for_status()
        return resp.text

    gw.live = LiveSampler(dict(gw.settings.admin_metrics_sources), fetch)


async def _stop(gw: GatewayState) -> None:
    http, gw.live_http = gw.live_http, None
    if http is not None:
        await http.aclose()


def setup(app: FastAPI) -> None:
    app.state.startup_hooks.append(_start)
    app.state.shutdown_hooks.append(_stop)


async def _feed(session: WsSession, interval_s: float) -> None:
    sampler = session.gw.live
    assert sampler is not None
    assert session.push is not None
    while True:
        try:
            await session.push(await sampler.sample())
        except (RuntimeError, OSError):  # the socket went away
            return
        except Exception:  # noqa: BLE001 - a bad sample must not end the feed
            log.exception("live panel sample failed")
        await asyncio.sleep(interval_s)


@ws_op("admin.live.subscribe")
async def _subscribe(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    """Push `admin.live` frames (rate, p95, intent mix, recs variation, lag) to this socket."""
    admin_of(session, OPS_READ)
    body = Subscribe.model_validate(frame)
    if session.push is None or session.gw.live is None:
        raise FrameError("unavailable", "live metrics are not served here")
    if (old := session.background.pop(TASK, None)) is not None:
        old.cancel()
    session.background[TASK] = asyncio.create_task(_feed(session, body.interval_s))
    return {"type": "admin.live.subscribed", "interval_s": body.interval_s}


@ws_op("admin.live.unsubscribe")
async def _unsubscribe(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    admin_of(session, OPS_READ)
    task = session.background.pop(TASK, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return {"type": "admin.live.unsubscribed"}
