"""Chat turns as user events: what a shopper asks about shapes their profile like a page view."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

from libs.contracts.events import ConversationTurn, UserEvent
from libs.contracts.intent import IntentResult
from libs.events import map_pixel_event
from services.chat.store import Conversation

log = logging.getLogger(__name__)
Publish = Callable[[list[UserEvent]], Awaitable[None]]
IntentType = Literal["purchase", "comparison", "browsing", "research"]

INTENT_TYPE: dict[str, IntentType] = {
    "add_to_basket": "purchase",
    "view_basket": "purchase",
    "checkout": "purchase",
    "remove_from_basket": "purchase",
    "product_details": "comparison",
    "product_question": "research",
    "search_products": "browsing",
    "recommendations": "browsing",
}


def intent_type(intent: str) -> IntentType | None:
    return INTENT_TYPE.get(intent)


def turn_event(
    conv: Conversation, result: IntentResult, products: list[dict[str, Any]], channel: str = "chat"
) -> UserEvent | None:
    """The user event of one turn, or None when the turn says nothing about taste."""
    kind = intent_type(result.intent)
    ids = [str(p["id"]) for p in products][:10]
    if result.entities.product_id and result.entities.product_id not in ids:
        ids.insert(0, result.entities.product_id)
    if kind is None or not (ids or result.entities.query):
        return None
    turn = ConversationTurn(
        id=f"conv-{uuid.uuid4().hex}",
        clientId=conv.owner,
        timestamp=datetime.now(UTC),
        name="conversation_turn",
        conversation_id=conv.id,
        channel=channel,
        customer_id=conv.user_id,
        intent_name=result.intent,
        intent_type=kind,
        product_ids=ids,
        query=result.entities.query,
        country=conv.country,
    )
    return map_pixel_event(turn, country=conv.country)


async def emit(publish: Publish | None, event: UserEvent | None, timeout_s: float = 2.0) -> None:
    """Publish without letting a slow broker hold up the chat answer for long."""
    if publish is None or event is None:
        return
    try:
        await asyncio.wait_for(publish([event]), timeout_s)
    except Exception as exc:
        log.warning("conversation event not published: %s", type(exc).__name__)
