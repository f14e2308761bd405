"""The chat's `recommendations` action: ask the recommend service, name the products."""

from __future__ import annotations

import asyncio
from typing import Any

from libs.contracts.intent import IntentResult
from libs.contracts.recommend import (
    RECOMMEND_REQUESTS,
    IntentContext,
    IntentType,
    RecommendKind,
    RecommendReply,
    RecommendRequest,
)
from libs.conversation.store import Conversation
from services.gateway.chat.actions import ACTIONS, Outcome, Turn, _prices
from services.gateway.chat.downstream import ToolProblem
from services.gateway.chat.texts import say

LIMIT = 5


# The conversation's intent → what kind of shopping it is (IntentContext.type).
INTENT_TYPES: dict[str, IntentType] = {
    "add_to_basket": "purchase", "view_basket": "purchase", "checkout": "purchase",
    "product_details": "research", "product_question": "research",
    "search_products": "browsing", "recommendations": "browsing",
}  # fmt: skip


def request_for(turn: Turn) -> RecommendRequest:
    return request_for_conversation(turn.conv, turn.result)


def request_for_conversation(conv: Conversation, result: IntentResult) -> RecommendRequest:
    """The recommend request of a chat turn: the conversation's intent with what the person
    said they want (category, query), "my usual" → buy_again; the market is left to the
    recommend service (the profile's own) and the country is passed for its privacy law."""
    ents = result.entities
    anchor = ents.product_id
    kind: RecommendKind = "similar_items" if anchor else "recommended_for_you"
    if ents.reorder:
        kind = "buy_again"
    return RecommendRequest(
        user_id=conv.user_id,
        visitor_id=conv.owner,
        kind=kind,
        product_id=anchor,
        limit=LIMIT,
        country=conv.country,
        session_product_ids=list(conv.last_products),
        intent=IntentContext(
            name=result.intent,
            type=INTENT_TYPES.get(result.intent, "browsing"),
            confidence=result.confidence,
            category=ents.category,
            query=ents.query,
        ),
    )


async def _product(turn: Turn, pid: str) -> dict[str, Any] | None:
    try:
        data = await turn.down.tool("get_product", {"product_id": pid, "language": turn.lang}, None)
    except ToolProblem:
        return None
    product = data.get("product")
    return product if isinstance(product, dict) else None


async def recommendations(turn: Turn) -> Outcome:
    """Raises `Unavailable("recommend")` when the service is down (the orchestrator answers)."""
    req = request_for(turn)
    reply = await turn.down.call(
        "recommend",
        RECOMMEND_REQUESTS,
        req,
        RecommendReply,
        req.profile_key,
        turn.down.service_timeout_s,
    )
    ids = [item.product_id for item in reply.items]
    found = await asyncio.gather(*(_product(turn, pid) for pid in ids))
    products = [p for p in found if p is not None]
    if not products:
        return Outcome(say("no_results", turn.lang, query=""), data={"strategy": reply.strategy})
    turn.conv.last_products = [p["id"] for p in products]
    await _prices(turn, products)
    lines = [
        f"{i}. {p['title']} — {p.get('price_formatted') or p['price']['amount']}"
        for i, p in enumerate(products, 1)
    ]
    return Outcome(
        "\n".join([say("results", turn.lang), *lines]),
        products=products,
        data={"strategy": reply.strategy, "personalized": reply.personalized},
    )


ACTIONS["recommendations"] = recommendations
