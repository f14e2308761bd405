"""Chat: `POST /v1/chat`, `POST /v1/intent`, and the WebSocket `chat` / `intent` frames."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field

from libs.contracts.chat import ChatMessage, ChatReply
from libs.contracts.events import UserEvent
from libs.contracts.intent import IntentRequest, IntentResult
from libs.contracts.principal import Principal
from libs.conversation.store import ConversationStore
from libs.messaging.breaker import Breakers
from services.gateway.chat.downstream import Downstream
from services.gateway.chat.orchestrator import ChatOrchestrator
from services.gateway.deps import GatewayState, NotYours, Shopper, state, user_id_of
from services.gateway.routes.events import PRODUCER, publish_events
from services.gateway.ws import WsSession, ws_op

router = APIRouter(tags=["chat"])


class IntentQuery(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    language: str | None = Field(default=None, max_length=20)


def orchestrator(gw: GatewayState) -> ChatOrchestrator:
    return gw.extras["chat"]  # type: ignore[no-any-return]


@router.post(
    "/v1/chat",
    response_model=ChatReply,
    summary="One chat turn (send conversation_id back to continue)",
)
async def chat(msg: ChatMessage, who: Shopper, gw: GatewayState = Depends(state)) -> ChatReply:
    return await turn(gw, msg, who)


async def turn(gw: GatewayState, msg: ChatMessage, who: Principal) -> ChatReply:
    """A chat turn for the verified principal. `user_id` in the message is a leftover of the
    old API: it may only name the caller (else 403), and is never trusted on its own."""
    if msg.user_id is not None and msg.user_id not in _names(who):
        raise NotYours("user_id must be yours or left out: the session says who you are")
    return await orchestrator(gw).handle(
        msg.model_copy(update={"user_id": None}), owner=who.subject, user_id=user_id_of(who)
    )


def _names(who: Principal) -> set[str]:
    return {who.subject, who.subject.split(":", 1)[-1]}


@router.post("/v1/intent", response_model=IntentResult, summary="Analyse one message's intent")
async def intent(body: IntentQuery, gw: GatewayState = Depends(state)) -> IntentResult:
    down: Downstream = gw.extras["downstream"]
    result, fallback = await down.intent(
        IntentRequest(text=body.text, language_hint=body.language), key="intent"
    )
    return result


@ws_op("chat")
async def _ws_chat(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    msg = ChatMessage.model_validate(frame)
    if msg.conversation_id is None:
        msg = msg.model_copy(
            update={
                "conversation_id": session.data.setdefault("conversation_id", session.session_id)
            }
        )
    reply = await turn(session.gw, msg, session.principal)
    return {"type": "reply", "data": reply.model_dump(mode="json")}


@ws_op("intent")
async def _ws_intent(frame: dict[str, Any], session: WsSession, cid: str) -> dict[str, Any]:
    body = IntentQuery.model_validate(frame)
    result, _ = await session.gw.extras["downstream"].intent(
        IntentRequest(text=body.text, language_hint=body.language), key=session.session_id
    )
    return {"type": "reply", "data": result.model_dump(mode="json")}


def setup(app: FastAPI) -> None:
    async def start(gw: GatewayState) -> None:
        breakers = Breakers(failure_threshold=3, reset_timeout_s=10.0, slow_call_s=2.0)
        down = Downstream(gw.rpc, breakers)

        async def publish(events: list[UserEvent]) -> None:
            if PRODUCER in gw.extras:  # the events route's durable producer (acks=all)
                await publish_events(gw, events)

        store = ConversationStore(gw.redis, gw.settings.conversation_ttl_s)
        gw.extras.update(
            breakers=breakers, downstream=down, chat=ChatOrchestrator(store, down, publish)
        )

    app.state.startup_hooks.append(start)
