"""Chat: `POST /v1/chat`, `POST /v1/intent`, and the WebSocket `chat` / `intent` frames.

The gateway only forwards: the body is validated here, the turn is handled by `services/chat`
on `chat.requests` (memory, intent with its breaker and fallback, dispatch), and the reply is
returned as is. Who speaks travels as the sealed principal header, never in the body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from libs.contracts.chat import (
    CHAT_REQUESTS,
    AnalyseRequest,
    ChatMessage,
    ChatReply,
    ChatTurnRequest,
)
from libs.contracts.intent import IntentResult
from libs.contracts.principal import Principal
from services.gateway.deps import GatewayState, state
from services.gateway.ws import WsSession, ws_op

router = APIRouter(tags=["chat"])


class IntentQuery(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    language: str | None = Field(default=None, max_length=20)


def ws_principal(session: WsSession) -> Principal:
    """A WebSocket connection is an anonymous session the gateway itself opened."""
    return Principal(subject=f"anon:{session.session_id}", kind="anonymous")


async def forward_turn(
    gw: GatewayState, msg: ChatMessage, principal: Principal | None, cid: str | None = None
) -> ChatReply:
    return await gw.rpc.request(
        CHAT_REQUESTS,
        ChatTurnRequest(**msg.model_dump()),
        ChatReply,
        key=msg.conversation_id or (principal.subject if principal else None),
        timeout=gw.settings.chat_timeout_s,
        correlation_id=cid,
        principal=principal,
    )


async def forward_analysis(
    gw: GatewayState, body: IntentQuery, principal: Principal | None, cid: str | None = None
) -> IntentResult:
    return await gw.rpc.request(
        CHAT_REQUESTS,
        AnalyseRequest(text=body.text, language=body.language),
        IntentResult,
        key=principal.subject if principal else None,
        timeout=gw.settings.chat_timeout_s,
        correlation_id=cid,
        principal=principal,
    )


@router.post(
    "/v1/chat",
    response_model=ChatReply,
    summary="One chat turn (send conversation_id back to continue)",
)
async def chat(msg: ChatMessage, gw: GatewayState = Depends(state)) -> ChatReply:
    return await forward_turn(gw, msg, None)


@router.post("/v1/intent", response_model=IntentResult, summary="Analyse one message's intent")
async def intent(body: IntentQuery, gw: GatewayState = Depends(state)) -> IntentResult:
    return await forward_analysis(gw, body, None)


@ws_op("chat")
async def _ws_chat(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    msg = ChatMessage.model_validate(frame)
    if msg.conversation_id is None:
        conversation = session.data.setdefault("conversation_id", session.session_id)
        msg = msg.model_copy(update={"conversation_id": conversation})
    reply = await forward_turn(session.gw, msg, ws_principal(session), cid)
    return {"type": "reply", "data": reply.model_dump(mode="json")}


@ws_op("intent")
async def _ws_intent(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    body = IntentQuery.model_validate(frame)
    result = await forward_analysis(session.gw, body, ws_principal(session), cid)
    return {"type": "reply", "data": result.model_dump(mode="json")}
