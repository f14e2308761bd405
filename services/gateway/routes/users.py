"""Privacy endpoints: erasure (`DELETE /v1/users/{id}`), export, and consent per market.

A shopper acts on their own data with their session (`/v1/users/me/...`); the shop's backend
acts on anyone's with a `users:admin` credential (see `_target`).

Erasure and consent are commands on `privacy.requests` (key = user id, acks=all); the
user-events service carries them out. DELETE waits a little for the audit record and answers 200
with it, or 202 with the request id to poll at `GET /v1/privacy/requests/{request_id}`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from libs.auth.principal import require_scope
from libs.auth.scopes import USERS_ADMIN
from libs.contracts.principal import Principal
from libs.contracts.privacy import (
    ALL_MARKETS,
    ConsentSettings,
    ExportReply,
    ExportRequest,
    PrivacyAudit,
    PrivacyCommand,
    audit_key,
)
from services.gateway.deps import CurrentPrincipal, GatewayState, NotYours, state

router = APIRouter(tags=["privacy"])
UserId = Path(min_length=1, max_length=128)


def _target(who: Principal, user_id: str) -> str:
    """The data key a request may act on. A shopper acts on their own data only (`me`, their
    subject, or a customer's bare id); a machine needs `users:admin` and names anyone. An
    erasure or export is not a public operation: anyone else gets 403."""
    if who.is_shopper:
        if user_id not in {"me", who.subject, who.subject.split(":", 1)[-1]}:
            raise NotYours()
        return who.subject
    require_scope(who, USERS_ADMIN)
    return user_id


def _visitors(who: Principal, visitor_id: list[str]) -> list[str]:
    if who.is_shopper and visitor_id:
        raise NotYours("a shopper's session names its own data; visitor ids need users:admin")
    return visitor_id


async def _send(gw: GatewayState, command: PrivacyCommand) -> None:
    sending = gw.facts().send_and_wait(gw.settings.privacy_topic, command.model_dump_json().encode(),
                                     key=command.user_id.encode())
    await asyncio.wait_for(sending, gw.settings.kafka_send_timeout_s)  # down: a fast 503


async def _audit(gw: GatewayState, request_id: str) -> PrivacyAudit | None:
    raw = await gw.redis.get(audit_key(request_id))
    return PrivacyAudit.model_validate_json(raw) if raw else None


@router.delete("/v1/users/{user_id}", summary="Erase every piece of a user's personal data")
async def erase(who: CurrentPrincipal, user_id: str = UserId,
                visitor_id: list[str] = Query(default_factory=list, max_length=20),
                wait: float = Query(10.0, ge=0, le=30), gw: GatewayState = Depends(state)) -> Any:
    command = PrivacyCommand(request_id=uuid.uuid4().hex, kind="erase",
                             user_id=_target(who, user_id), visitor_ids=_visitors(who, visitor_id))
    await _send(gw, command)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        audit = await _audit(gw, command.request_id)
        if audit is not None:
            return {"request_id": command.request_id, "status": "done",
                    "audit": audit.model_dump(mode="json")}
        await asyncio.sleep(0.1)
    return JSONResponse({"request_id": command.request_id, "status": "pending"}, 202)


@router.get("/v1/privacy/requests/{request_id}", summary="Audit record of an erasure")
async def erasure_status(request_id: str = Path(max_length=64),
                         gw: GatewayState = Depends(state)) -> Any:
    audit = await _audit(gw, request_id)
    if audit is None:
        return JSONResponse({"request_id": request_id, "status": "pending"}, 202)
    return {"request_id": request_id, "status": "done", "audit": audit.model_dump(mode="json")}


@router.get("/v1/users/{user_id}/export", response_model=ExportReply,
            summary="Everything held about a user")
async def export(who: CurrentPrincipal, user_id: str = UserId,
                 gw: GatewayState = Depends(state)) -> Any:
    target = _target(who, user_id)
    return await gw.rpc.request(gw.settings.user_events_topic, ExportRequest(user_id=target), ExportReply, key=target,
                                principal=who)


@router.put("/v1/users/{user_id}/consent", status_code=202,
            summary="Record consent (or a CCPA opt-out) for a market, or all markets")
async def consent(body: ConsentSettings, who: CurrentPrincipal, user_id: str = UserId,
                  market: str = Query(ALL_MARKETS, max_length=8),
                  visitor_id: list[str] = Query(default_factory=list, max_length=20),
                  gw: GatewayState = Depends(state)) -> Any:
    command = PrivacyCommand(request_id=uuid.uuid4().hex, kind="consent",
                             user_id=_target(who, user_id), visitor_ids=_visitors(who, visitor_id),
                             market=market, consent=body)
    await _send(gw, command)
    return {"request_id": command.request_id, "status": "accepted"}
