"""The chat's `recommendations` action: ask the recommend service, name the products."""

from __future__ import annotations

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
from libs.contracts.storefront import LookupCatalogArgs
from services.chat.actions import Outcome, Turn, _prices, search
from services.chat.store import Conversation
from services.chat.texts import say

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


async def products_by_id(turn: Turn, ids: list[str]) -> list[dict[str, Any]]:
    """The products of `ids` in one `lookup_catalog` call, in the order given; unknown ones
    (deleted since the recommender last saw them) are left out."""
    if not ids:
        return []
    data = await turn.down.tool(LookupCatalogArgs(ids=ids, language=turn.lang), None)
    by_id = {p["id"]: p for p in data.get("products", []) if isinstance(p, dict)}
    return [by_id[pid] for pid in ids if pid in by_id]


async def recommendations(turn: Turn) -> Outcome:
    """Recommendations seeded by what the person said (`IntentContext.query`: for "a gift for
    my mum who loves Monet" the intent worker's query is the interest, "monet"); when the
    recommender has nothing to offer and an interest was said, a catalog search for it answers
    instead (docs/intent.md). Raises `Unavailable("recommend")` when the service is down (the
    orchestrator answers)."""
    req = request_for(turn)
    reply = await turn.down.call(
        "recommend",
        RECOMMEND_REQUESTS,
        req,
        RecommendReply,
        req.profile_key,
        turn.down.service_timeout_s,
    )
    products = await products_by_id(turn, [item.product_id for item in reply.items])
    if not products and turn.result.entities.query and not turn.result.entities.reorder:
        found = await search(turn)
        found.data["strategy"] = "search_fallback"
        return found
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

