"""Attack: own a cart on `/mcp` through a client-chosen or replayed `mcp-session-id`; and the
MCP authorization discovery a standard client follows (401 + RFC 9728 metadata)."""

from __future__ import annotations

from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from libs.auth.customer import CustomerTokens
from tests.security.helpers import bearer, structured

LINES = {"lines": [{"sku": "H-1", "quantity": 2}]}


async def test_a_closed_or_chosen_session_id_does_not_reach_its_cart(gateway: str) -> None:
    seen: list[str] = []

    async def capture(response: Any) -> None:
        if sid := response.headers.get("mcp-session-id"):
            seen.append(sid)

    async with (
        httpx2.AsyncClient(timeout=30, event_hooks={"response": [capture]}) as carrier,
        Client(streamable_http_client(f"{gateway}/mcp", http_client=carrier),
               mode="legacy") as victim,
    ):
        cart = structured(await victim.call_tool("create_cart", LINES))["cart"]
        assert structured(await victim.call_tool("get_cart", {"cart_id": cart["id"]}))["cart"]
    closed = seen[-1]
    for chosen in (closed, "any-id-i-like"):
        async with (
            httpx2.AsyncClient(headers={"mcp-session-id": chosen}, timeout=30) as carrier,
            Client(streamable_http_client(f"{gateway}/mcp", http_client=carrier)) as attacker,
        ):
            result = await attacker.call_tool("get_cart", {"cart_id": cart["id"]})
            data = result.structured_content or {}
            assert result.is_error or data.get("cart") is None, data


async def test_bearer_customer_token_owns_the_cart_with_the_official_client(
        gateway: str, customer_tokens: CustomerTokens) -> None:
    alice, bob = customer_tokens.issue("alice", None), customer_tokens.issue("bob", None)
    async with (
        httpx2.AsyncClient(headers=bearer(alice), timeout=30) as a_http,
        httpx2.AsyncClient(headers=bearer(bob), timeout=30) as b_http,
        Client(streamable_http_client(f"{gateway}/mcp", http_client=a_http)) as a_client,
        Client(streamable_http_client(f"{gateway}/mcp", http_client=b_http)) as b_client,
    ):
        cart = structured(await a_client.call_tool("create_cart", LINES))["cart"]
        mine = structured(await a_client.call_tool("get_cart", {"cart_id": cart["id"]}))
        assert mine["cart"]["total_quantity"] == 2
        theirs = structured(await b_client.call_tool("get_cart", {"cart_id": cart["id"]}))
        assert theirs["cart"] is None and theirs["errors"][0]["code"] == "forbidden"


async def test_invalid_bearer_gets_401_with_resource_metadata(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        resp = await http.post("/mcp", headers=bearer("not-a-token"), json={
            "jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert resp.status_code == 401
        challenge = resp.headers["www-authenticate"]
        assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
        url = challenge.split('resource_metadata="', 1)[1].split('"', 1)[0]
        meta = (await http.get(httpx.URL(url).path)).json()
    assert meta["resource"].endswith("/mcp")
    assert meta["authorization_servers"] and meta["bearer_methods_supported"] == ["header"]
