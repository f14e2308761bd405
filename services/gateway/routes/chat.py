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
    AnalyseRequest,
    ChatMessage,
    ChatReply,
    ChatTurnRequest,
)
from libs.contracts.intent import IntentResult
from libs.contracts.principal import Principal
from services.gateway.deps import GatewayState, NotYours, Shopper, state
from services.gateway.ws import WsSession, ws_op

router = APIRouter(tags=["chat"])


class IntentQuery(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    language: str | None = Field(default=None, max_length=20)


def _names(who: Principal) -> set[str]:
    return {who.subject, who.subject.split(":", 1)[-1]}


async def forward_turn(
    gw: GatewayState, msg: ChatMessage, principal: Principal, cid: str | None = None
) -> ChatReply:
    """A chat turn for the verified principal. `user_id` in the message is a leftover of the
    old API: it may only name the caller (else 403), and is never forwarded."""
    if msg.user_id is not None and msg.user_id not in _names(principal):
        raise NotYours("user_id must be yours or left out: the session says who you are")
    return await gw.rpc.request(
        gw.settings.chat_topic,
        ChatTurnRequest(**msg.model_dump(exclude={"user_id"})),
        ChatReply,
        key=msg.conversation_id or principal.subject,
        timeout=gw.settings.chat_timeout_s,
        correlation_id=cid,
        principal=principal,
    )


async def forward_analysis(
    gw: GatewayState, body: IntentQuery, principal: Principal | None, cid: str | None = None
) -> IntentResult:
    return await gw.rpc.request(
        gw.settings.chat_topic,
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
async def chat(msg: ChatMessage, who: Shopper, gw: GatewayState = Depends(state)) -> ChatReply:
    return await forward_turn(gw, msg, who)


@router.post("/v1/intent", response_model=IntentResult, summary="Analyse one message's intent")
async def intent(body: IntentQuery, gw: GatewayState = Depends(state)) -> IntentResult:
    return await forward_analysis(gw, body, None)


@ws_op("chat")
async def _ws_chat(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    msg = ChatMessage.model_validate(frame)
    if msg.conversation_id is None:
        conversation = session.data.setdefault("conversation_id", session.session_id)
        msg = msg.model_copy(update={"conversation_id": conversation})
    reply = await forward_turn(session.gw, msg, session.principal, cid)
    return {"type": "reply", "data": reply.model_dump(mode="json")}


@ws_op("intent")
async def _ws_intent(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    body = IntentQuery.model_validate(frame)
    result = await forward_analysis(session.gw, body, session.principal, cid)
    return {"type": "reply", "data": result.model_dump(mode="json")}
