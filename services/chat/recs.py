"""The chat's `recommendations` action: ask the recommend service, name the products."""

from __future__ import annotations

import asyncio
from typing import Any

from libs.contracts.recommend import (
    RECOMMEND_REQUESTS,
    IntentContext,
    RecommendReply,
    RecommendRequest,
)
from services.chat.actions import Outcome, Turn, _prices
from services.chat.downstream import ToolProblem
from services.chat.texts import say

LIMIT = 5


def request_for(turn: Turn) -> RecommendRequest:
    conv = turn.conv
    anchor = turn.result.entities.product_id
    return RecommendRequest(
        user_id=conv.user_id,
        visitor_id=conv.owner,
        kind="similar_items" if anchor else "recommended_for_you",
        product_id=anchor,
        limit=LIMIT,
        country=conv.country,
        session_product_ids=list(conv.last_products),
        intent=IntentContext(name=turn.result.intent, type="browsing"),
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

