"""The chat orchestrator with the services replaced by a scripted Downstream (no broker)."""

from __future__ import annotations

from typing import Any

import pytest

from libs.contracts.chat import ChatMessage
from libs.contracts.intent import IntentRequest, IntentResult
from libs.contracts.storefront import ToolArgs
from libs.messaging.breaker import Breakers
from services.chat.downstream import Downstream, Unavailable, fallback_intent
from services.chat.orchestrator import ChatOrchestrator
from services.chat.store import Conversation

PRODUCTS = [
    {"id": f"p{i}", "title": f"Mug {i}", "price": {"amount": 500 + i, "currency": "GBP"},
     "variants": [{"sku": f"SKU{i}"}], "description": ""}
    for i in range(1, 4)
]


class MemoryStore:
    def __init__(self) -> None:
        self.convs: dict[str, Conversation] = {}

    async def load(self, cid: str) -> Conversation | None:
        c = self.convs.get(cid)
        return c.model_copy(deep=True) if c else None

    async def for_user(self, user_id: str) -> Conversation | None:
        return next((c for c in self.convs.values() if c.user_id == user_id), None)

    async def save(self, conv: Conversation) -> None:
        self.convs[conv.id] = conv.model_copy(deep=True)


class Scripted(Downstream):
    """Intent via the real in-process pattern stage; storefront tools answered from PRODUCTS."""

    def __init__(self, intent_up: bool = True) -> None:
        super().__init__(rpc=None, breakers=Breakers())  # type: ignore[arg-type]
        self.intent_up = intent_up
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []

    async def intent(self, req: IntentRequest, key: str) -> tuple[IntentResult, bool]:
        result = fallback_intent(req)
        if not self.intent_up:
            return result, True
        return result.model_copy(update={"source": "pattern"}), False

    async def market(self, *a: Any) -> None:
        return None

    async def localize(self, country: str | None, amounts: list[dict[str, Any]]) -> list[str]:
        return [f"£{a['amount'] / 100:.2f}" for a in amounts]

    async def tool(self, args: ToolArgs, owner: str | None) -> dict[str, Any]:
        name, arguments = args.call()
        self.calls.append((name, arguments, owner))
        if name == "search_catalog":
            return {"products": PRODUCTS, "total": 3}
        if name == "get_product":
            return {"product": next(p for p in PRODUCTS if p["id"] == arguments["product_id"])}
        if name == "lookup_catalog":
            return {"products": [p for p in PRODUCTS if p["id"] in arguments["ids"]]}
        if name == "add_lines":
            lines = [{"sku": f"SKU{ln['product_id'][1:]}", "product_id": ln["product_id"],
                      "title": ln["product_id"], "quantity": ln["quantity"]}
                     for ln in arguments["lines"]]
            return {"cart": {"id": arguments.get("cart_id") or "c1", "status": "open",
                             "lines": lines}}
        if name == "get_cart":
            return {"cart": {"id": "c1", "status": "open", "lines": []}}
        raise Unavailable("storefront")


async def turn(orch: ChatOrchestrator, text: str, cid: str | None = "conv1") -> Any:
    return await orch.handle(ChatMessage(text=text, conversation_id=cid))


@pytest.mark.parametrize(("search", "follow", "pid"), [
    ("show me mugs", "add the second one", "p2"),
    ("busco tazas", "añade el segundo", "p2"),
    ("je cherche des tasses", "ajoute le troisième au panier", "p3"),
])
async def test_follow_up_adds_the_product_shown_earlier(search: str, follow: str, pid: str) -> None:
    down = Scripted()
    orch = ChatOrchestrator(MemoryStore(), down)  # type: ignore[arg-type]
    first = await turn(orch, search)
    assert [p["id"] for p in first.products] == ["p1", "p2", "p3"]
    second = await turn(orch, follow)
    assert second.intent.intent == "add_to_basket"
    added = [c for c in down.calls if c[0] == "add_lines"]
    assert added and added[0][1]["lines"] == [{"product_id": pid, "quantity": 1}]
    assert "cart_id" not in added[0][1], "no cart yet: the storefront creates one"
    assert added[0][2] == "anon:conv1", "the basket belongs to the conversation's owner"


async def test_reply_language_follows_the_user() -> None:
    orch = ChatOrchestrator(MemoryStore(), Scripted())  # type: ignore[arg-type]
    assert (await turn(orch, "hola", None)).text.startswith("¡Hola!")
    assert (await turn(orch, "bonjour", None)).text.startswith("Bonjour")


async def test_intent_down_marks_fallback_used() -> None:
    orch = ChatOrchestrator(MemoryStore(), Scripted(intent_up=False))  # type: ignore[arg-type]
    reply = await turn(orch, "hello")
    assert reply.fallback_used and reply.intent.source == "fallback"
    assert reply.intent.intent == "greeting"


async def test_unbuilt_service_gets_an_honest_answer() -> None:
    orch = ChatOrchestrator(MemoryStore(), Scripted())  # type: ignore[arg-type]
    reply = await turn(orch, "where is my order?")
    assert reply.intent.intent == "order_status"
    assert "not answering" in reply.text or "not available" in reply.text


async def test_context_survives_between_turns_in_the_store() -> None:
    store = MemoryStore()
    orch = ChatOrchestrator(store, Scripted())  # type: ignore[arg-type]
    await turn(orch, "show me mugs")
    saved = store.convs["conv1"]
    assert saved.last_products == ["p1", "p2", "p3"]
    assert [t.role for t in saved.turns] == ["user", "assistant"]


async def test_a_second_add_goes_to_the_same_cart() -> None:
    down = Scripted()
    orch = ChatOrchestrator(MemoryStore(), down)  # type: ignore[arg-type]
    await turn(orch, "show me mugs")
    await turn(orch, "add the first one")
    await turn(orch, "add the second one")
    adds = [c[1] for c in down.calls if c[0] == "add_lines"]
    assert [a.get("cart_id") for a in adds] == [None, "c1"]


async def test_recommendations_are_looked_up_in_one_batch() -> None:
    from services.chat.actions import Turn as ActionTurn
    from services.chat.recs import products_by_id

    down = Scripted()
    conv = Conversation(id="c", owner="anon:c")
    result = IntentResult(intent="recommendations", confidence=1.0)
    found = await products_by_id(ActionTurn(conv, result, "en", down), ["p3", "gone", "p1"])
    assert [p["id"] for p in found] == ["p3", "p1"], "order kept, unknown left out"
    assert [c[0] for c in down.calls] == ["lookup_catalog"], "one call, not one per item"


async def test_a_tapped_action_is_done_without_intent_analysis() -> None:
    from libs.contracts.chat import ChatAction, ChatTurnRequest

    class NoIntent(Scripted):
        async def intent(self, req: IntentRequest, key: str) -> tuple[IntentResult, bool]:
            raise AssertionError("a tapped choice needs no analysis")

    down = NoIntent()
    orch = ChatOrchestrator(MemoryStore(), down)  # type: ignore[arg-type]
    tapped = ChatTurnRequest(text="Mug 2", conversation_id="conv1", language="es",
                             action=ChatAction(intent="add_to_basket", product_id="p2"))
    reply = await orch.handle(tapped)
    assert (reply.intent.intent, reply.intent.source, reply.intent.language) == (
        "add_to_basket", "action", "es")
    assert reply.cart is not None and reply.cart["lines"][0]["product_id"] == "p2"
    [(_, arguments, owner)] = [c for c in down.calls if c[0] == "add_lines"]
    assert arguments["lines"] == [{"product_id": "p2", "quantity": 1}]
    assert owner == "anon:conv1"


class NoRecs(Scripted):
    """The recommender answers, with nothing to offer."""

    async def call(self, *args: Any, **kwargs: Any) -> Any:
        from libs.contracts.recommend import RecommendReply

        self.calls.append(("recommend", {"request": args[2]}, None))
        return RecommendReply(kind="recommended_for_you", items=[], strategy="popular")


async def test_a_gift_interest_is_searched_when_the_recommender_has_nothing() -> None:
    from libs.contracts.intent import Entities
    from services.chat.actions import Turn as ActionTurn
    from services.chat.recs import recommendations

    down = NoRecs()
    conv = Conversation(id="c", owner="anon:c")
    result = IntentResult(intent="recommendations", confidence=0.9,
                          entities=Entities(query="monet"))
    outcome = await recommendations(ActionTurn(conv, result, "en", down))
    [(_, sent, _)] = [c for c in down.calls if c[0] == "recommend"]
    assert sent["request"].intent.query == "monet", "the interest seeds the recommendations"
    [(_, searched, _)] = [c for c in down.calls if c[0] == "search_catalog"]
    assert searched["query"] == "monet"
    assert [p["id"] for p in outcome.products] == ["p1", "p2", "p3"]
    assert outcome.data["strategy"] == "search_fallback"


async def test_no_interest_no_search_when_the_recommender_has_nothing() -> None:
    from services.chat.actions import Turn as ActionTurn
    from services.chat.recs import recommendations

    down = NoRecs()
    outcome = await recommendations(
        ActionTurn(Conversation(id="c", owner="anon:c"),
                   IntentResult(intent="recommendations", confidence=0.9), "en", down))
    assert not outcome.products and not [c for c in down.calls if c[0] == "search_catalog"]
