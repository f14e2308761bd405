from __future__ import annotations

from libs.contracts.intent import Entities, IntentResult
from services.chat.signals import emit, turn_event
from services.chat.store import Conversation


def conv() -> Conversation:
    return Conversation(id="c1", owner="anon:c1", country="FR")


def test_a_search_turn_becomes_a_conversation_event_of_its_owner() -> None:
    result = IntentResult(intent="search_products", confidence=0.9, entities=Entities(query="mugs"))
    event = turn_event(conv(), result, [{"id": "p1"}, {"id": "p2"}])
    assert event is not None
    assert event.event_type == "conversation"
    assert event.visitor_id == "anon:c1"
    assert event.product_ids == ["p1", "p2"]
    assert event.search_query == "mugs" and event.intent_type == "browsing"


def test_small_talk_says_nothing_about_taste() -> None:
    assert turn_event(conv(), IntentResult(intent="greeting", confidence=1.0), []) is None


async def test_a_failing_publisher_does_not_break_the_chat() -> None:
    async def broken(_: object) -> None:
        raise ConnectionError("broker down")

    result = IntentResult(intent="add_to_basket", confidence=0.9, entities=Entities(product_id="p9"))
    await emit(broken, turn_event(conv(), result, []))  # logs, does not raise
