"""The WebSocket protocol at `/ws` (documented in docs/websocket.md).

Every client frame is a JSON object with a `type` and an optional client `id`; every server frame
carries a `correlation_id`, and replies carry `in_reply_to`. A malformed frame gets an `error`
frame and the connection stays open. Frames are handled concurrently, so a slow chat turn does
not hold up a ping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from libs.auth.errors import AuthError
from libs.contracts.markets import (
    LocalizePriceReply,
    LocalizePriceRequest,
    ResolveMarketReply,
    ResolveMarketRequest,
)
from libs.contracts.principal import Principal
from libs.messaging.errors import RemoteError, RequestTimeout
from libs.messaging.principal import principal_var
from libs.telemetry.tracing import tracer
from services.gateway.deps import GatewayState, NotYours
from services.gateway.jsonbody import BadJson, loads_strict
from services.gateway.ratelimit import RateLimited, RateLimitUnavailable
from services.gateway.ws_auth import allowed_origin, connect_principal, frame_principal

log = logging.getLogger(__name__)
router = APIRouter()
PROTOCOL_VERSION = 1
MAX_IN_FLIGHT = 16


Push = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class WsSession:
    session_id: str
    gw: GatewayState
    principal: Principal
    data: dict[str, Any] = field(default_factory=dict)
    conn: HTTPConnection | None = None  # the socket: client IP and credentials for rate limits
    session: str | None = None  # a session issued on connect, for the client to keep
    push: Push | None = None  # send a server-initiated frame (subscriptions such as admin.live)
    background: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # cancelled on close


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Op = Callable[[dict[str, Any], WsSession, str], Awaitable[dict[str, Any]]]
OPS: dict[str, Op] = {}


def ws_op(name: str) -> Callable[[Op], Op]:
    def deco(fn: Op) -> Op:
        OPS[name] = fn
        return fn

    return deco


@ws_op("ping")
async def _ping(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    return {"type": "pong"}


@ws_op("auth")
async def _auth(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    """Switch the connection to the principal of `token` (a customer token or a session)."""
    session.principal = frame_principal(session.gw, frame.get("token"))
    session.data.pop("conversation_id", None)
    p = session.principal
    return {"type": "authenticated", "principal": {"kind": p.kind, "subject": p.subject}}


@ws_op("markets.resolve")
async def _resolve(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    req = ResolveMarketRequest.model_validate(frame)
    reply = await session.gw.rpc.request(
        session.gw.settings.markets_topic, req, ResolveMarketReply, correlation_id=cid
    )
    return {"type": "reply", "data": reply.model_dump(mode="json")}


@ws_op("markets.localize")
async def _localize(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    req = LocalizePriceRequest.model_validate(frame)
    reply = await session.gw.rpc.request(
        session.gw.settings.markets_topic, req, LocalizePriceReply, correlation_id=cid
    )
    return {"type": "reply", "data": reply.model_dump(mode="json")}


def parse_frame(raw: str | bytes, max_bytes: int) -> dict[str, Any]:
    size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)
    if size > max_bytes:
        raise FrameError("too_large", f"frame exceeds {max_bytes} bytes")
    try:
        frame = loads_strict(raw)
    except BadJson as exc:
        raise FrameError("malformed", f"frame is not valid JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise FrameError("malformed", "frame must be a JSON object")
    kind = frame.get("type")
    if not isinstance(kind, str):
        raise FrameError("malformed", "frame needs a string field 'type'")
    if kind not in OPS:
        raise FrameError("unknown_type", f"unknown frame type {kind!r}; known: {sorted(OPS)}")
    return frame


async def handle_frame(raw: str | bytes, session: WsSession) -> dict[str, Any]:
    """One frame, one trace: its span is the root of every Kafka hop the frame makes."""
    with tracer().start_as_current_span("ws frame", kind=SpanKind.SERVER):
        return await _handle_frame(raw, session)


async def _handle_frame(raw: str | bytes, session: WsSession) -> dict[str, Any]:
    cid = uuid.uuid4().hex
    frame_id = None
    try:
        limiter = session.gw.limiter
        if limiter is not None and session.conn is not None:
            await limiter.check("ws_frames", session.conn)
        frame = parse_frame(raw, session.gw.settings.max_ws_frame_bytes)
        trace.get_current_span().update_name(f"ws {frame['type']}")
        frame_id = frame.get("id")
        out = await OPS[frame["type"]](frame, session, cid)
    except FrameError as exc:
        out = {"type": "error", "error": {"code": exc.code, "message": exc.message}}
    except RateLimited as exc:
        out = {"type": "error", "error": {"code": "rate_limited", "message": str(exc),
                                          "retry_after": exc.retry_after}}
    except RateLimitUnavailable as exc:
        out = {"type": "error", "error": {"code": "unavailable", "message": str(exc)}}
    except NotYours as exc:
        out = {"type": "error", "error": {"code": "forbidden", "message": exc.message}}
    except AuthError as exc:
        out = {"type": "error", "error": {"code": "unauthorized", "message": str(exc)}}
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        out = {"type": "error", "error": {"code": "bad_request", "message": msgs}}
    except RemoteError as exc:
        out = {"type": "error", "error": {"code": exc.code, "message": exc.message}}
    except RequestTimeout as exc:
        out = {"type": "error", "error": {"code": "timeout", "message": str(exc)}}
    except Exception as exc:
        log.exception("ws frame failed")
        out = {"type": "error", "error": {"code": "internal", "message": type(exc).__name__}}
    out["correlation_id"] = cid
    if frame_id is not None:
        out["in_reply_to"] = frame_id
    return out


@router.websocket("/ws")
async def websocket_endpoint(ws: WebSocket) -> None:
    """Origin must be allowed (browsers); the principal comes from the session cookie, the
    `X-Museo-Session` / `Authorization` headers, or later an `auth` frame. A connection with no
    credential acts for a new anonymous session, sent in the welcome frame."""
    gw: GatewayState = ws.app.state.gw
    if not allowed_origin(gw, ws.headers.get("origin")):
        await ws.close(code=1008, reason="origin not allowed")
        return
    try:
        principal, issued = connect_principal(gw, ws)
    except AuthError as exc:
        await ws.close(code=1008, reason=str(exc)[:120])
        return
    await ws.accept()
    session = WsSession(session_id=uuid.uuid4().hex, gw=gw, principal=principal, session=issued,
                        conn=ws)
    welcome = {
        "type": "welcome",
        "protocol": PROTOCOL_VERSION,
        "session_id": session.session_id,
        "correlation_id": uuid.uuid4().hex,
        "types": sorted(OPS),
        "principal": {"kind": principal.kind, "subject": principal.subject},
    }
    if issued:
        welcome["session"] = issued
    await ws.send_json(welcome)
    send_lock = asyncio.Lock()
    slots = asyncio.Semaphore(MAX_IN_FLIGHT)
    tasks: set[asyncio.Task[None]] = set()

    async def push(frame: dict[str, Any]) -> None:
        async with send_lock:
            await ws.send_json({**frame, "correlation_id": uuid.uuid4().hex})

    session.push = push

    async def run(raw: str | bytes) -> None:
        async with slots:
            principal_var.set(session.principal)  # this task's own context
            out = await handle_frame(raw, session)
        async with send_lock:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await ws.send_json(out)

    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            raw: str | bytes = message.get("text") or message.get("bytes") or b""
            task = asyncio.create_task(run(raw))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    except WebSocketDisconnect:
        pass
    finally:
        for task in [*tasks, *session.background.values()]:
            task.cancel()
