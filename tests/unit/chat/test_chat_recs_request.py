"""What the chat asks the recommend service for: the conversation's intent and entities."""

from __future__ import annotations

from libs.contracts.intent import Entities, IntentResult
from services.chat.recs import request_for_conversation
from services.chat.store import Conversation

CONV = Conversation(id="c1", user_id="u1", owner="u1", country="FR", last_products=["p9"])


def test_the_stated_category_and_query_reach_the_recommender() -> None:
    result = IntentResult(intent="recommendations", confidence=0.86, language="en",
                          source="model",
                          entities=Entities(category="candles", query="candles"))
    req = request_for_conversation(CONV, result)
    assert req.kind == "recommended_for_you" and req.limit == 5
    assert req.intent is not None
    assert (req.intent.name, req.intent.type) == ("recommendations", "browsing")
    assert (req.intent.category, req.intent.query, req.intent.confidence) == (
        "candles", "candles", 0.86)
    assert req.country == "FR" and req.market is None  # the service picks the profile's
    assert req.session_product_ids == ["p9"]


def test_the_intent_type_follows_the_conversation() -> None:
    result = IntentResult(intent="add_to_basket", confidence=0.9, language="en", source="model")
    req = request_for_conversation(CONV, result)
    assert req.intent is not None and req.intent.type == "purchase"


def test_my_usual_asks_for_buy_again() -> None:
    result = IntentResult(intent="recommendations", confidence=0.9, language="en",
                          source="pattern", entities=Entities(reorder=True))
    assert request_for_conversation(CONV, result).kind == "buy_again"
