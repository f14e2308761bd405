"""A shopper's conversation through the whole system: gateway -> intent -> storefront/recommend."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from mcp import Client

from tests.e2e.conftest import System


def say(client: httpx.Client, text: str, conversation_id: str | None = None, **kw: Any) -> dict[str, Any]:
    resp = client.post("/v1/chat", json={"text": text, "conversation_id": conversation_id, **kw})
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_search_then_follow_up_then_checkout(client: httpx.Client) -> None:
    first = say(client, "show me mugs", country="GB")
    assert first["intent"]["intent"] == "search_products"
    assert not first["fallback_used"], "the intent service answered, not the gateway's fallback"
    assert len(first["products"]) >= 2
    cid = first["conversation_id"]
    second_id = first["products"][1]["id"]

    added = say(client, "add the second one", cid)
    assert added["intent"]["intent"] == "add_to_basket"
    assert added["cart"] is not None
    assert [ln["product_id"] for ln in added["cart"]["lines"]] == [second_id]

    basket = say(client, "what's in my basket?", cid)
    assert basket["intent"]["intent"] == "view_basket"
    assert basket["cart"]["total_quantity"] == 1

    paid = say(client, "checkout", cid)
    assert paid["checkout_url"] and "/checkout/" in paid["checkout_url"]


def test_spanish_conversation_gets_spanish_answers(client: httpx.Client) -> None:
    hello = say(client, "hola, buenos días", country="ES")
    assert hello["intent"]["language"] == "es"
    assert hello["text"].startswith("¡Hola!")
    found = say(client, "busco tazas", hello["conversation_id"])
    assert found["intent"]["intent"] == "search_products" and found["products"]
    assert "€" in found["products"][0].get("price_formatted", ""), "prices shown in the market's currency"


def test_recommendations_in_chat(client: httpx.Client) -> None:
    reply = say(client, "can you recommend something for me?", country="GB")
    assert reply["intent"]["intent"] == "recommendations"
    assert "not available" not in reply["text"]
    assert reply["products"]


async def test_get_recommendations_over_streamable_http(system: System) -> None:
    async with Client(f"{system.base_url}/mcp", mode="legacy") as mcp:
        tools = {t.name for t in (await mcp.list_tools()).tools}
        assert {"search_catalog", "create_cart", "get_recommendations"} <= tools
        result = await mcp.call_tool("get_recommendations", {"kind": "trending", "limit": 5})
        assert not result.is_error, result.content
        assert result.structured_content and len(result.structured_content["items"]) == 5


async def test_a_chat_search_shapes_the_shoppers_profile(client: httpx.Client, redis_url: str) -> None:
    from redis.asyncio import Redis

    reply = say(client, "show me candles", country="GB")
    assert reply["products"]
    session = client.cookies.get("museo_session")  # issued on the first turn
    assert session, "an anonymous shopper gets a session"
    owner = f"anon:{session.split('.')[0]}"
    redis = Redis.from_url(redis_url)
    try:
        for _ in range(50):
            if await redis.exists(f"profile:{owner}"):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the conversation event never reached the profile")
    finally:
        await redis.aclose()
