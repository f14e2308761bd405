"""The gateway's storefront surface end to end over real Kafka and Redis: HTTP endpoints with
sessions, the checkout page, and the MCP Streamable HTTP endpoint at /mcp driven by the official
SDK client. The storefront runs as the mcp_workers process runs it (supervised stdio MCP server +
Kafka bridge), in-process, on a test-owned catalog topic."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from libs.catalog.samples import sample_products
from libs.contracts.topics import TopicSpec
from libs.messaging.broker import make_broker
from libs.messaging.topics import delete_topics, ensure_topics
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.mcp_workers.bridge import register_tool_bridge
from services.mcp_workers.settings import (
    McpServerConfig,
    McpWorkersSettings,
    policy_from,
    server_specs,
)
from services.mcp_workers.storefront.seed import seed
from services.mcp_workers.supervisor import McpSupervisor

SESSION = "X-Museo-Session"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def gateway(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[str]:
    tag, port = uuid.uuid4().hex[:8], free_port()
    base = f"http://127.0.0.1:{port}"
    catalog, orders = f"test.catalog.{tag}", f"test.orders.{tag}"
    # Its own request topic: a running system's storefront (the security suite's) must not
    # answer this gateway's calls from its own catalog and carts.
    requests = f"test.storefront.{tag}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(requests)])
    await seed(kafka_bootstrap, catalog, sample_products())
    os.environ.setdefault("MUSEO_SESSION_SECRET", "test-session-secret")
    settings = McpWorkersSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        redis_url=redis_url,
        mcp_servers=[
            McpServerConfig(
                name="storefront",
                module="services.mcp_workers.storefront.server",
                args=["--from-kafka"],
                env={
                    "MUSEO_CATALOG_TOPIC": catalog,
                    "MUSEO_ORDERS_TOPIC": orders,
                    "MUSEO_REDIS_PREFIX": f"test:{tag}:",
                    "MUSEO_CHECKOUT_SECRET": "test-checkout-secret",
                    "MUSEO_PUBLIC_BASE_URL": base,
                },
            )
        ],
    )
    broker = make_broker(settings, durable=False)
    supervisor = McpSupervisor(server_specs(settings), policy_from(settings))
    register_tool_bridge(broker, supervisor, group_id=f"test-storefront-{tag}", topic=requests)
    await supervisor.start()
    await broker.start()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(
                GatewaySettings(
                    kafka_bootstrap_servers=kafka_bootstrap,
                    redis_url=redis_url,
                    port=port,
                    instance_id=f"test-{tag}",
                    storefront_topic=requests,
                    rate_limits_enabled=False,  # shared Redis and client IP across tests
                )
            ),
            host="127.0.0.1",
            port=port,
            log_config=None,
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        await task
        await broker.stop()
        await supervisor.stop()
        await delete_topics(kafka_bootstrap, [catalog, orders, requests])


async def test_http_carts_are_per_session_and_checkout_makes_an_order(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=20) as http:
        found = (await http.get("/v1/catalog/search", params={"q": "mug"})).json()
        assert found["products"] and found["products"][0]["price"]["currency"] == "GBP"
        assert (await http.get("/v1/products/NOPE")).status_code == 404

        made = await http.post("/v1/carts", json={"lines": [{"sku": "H-1", "quantity": 1}]})
        assert made.status_code == 201
        session, cart_id = made.headers[SESSION], made.json()["cart"]["id"]
        mine = {SESSION: session}
        # no session (nor the cookie the answer set): a new anonymous shopper, not the owner
        http.cookies.clear()
        assert (await http.get(f"/v1/carts/{cart_id}")).status_code == 403
        http.cookies.clear()
        forged = session.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAAAA"
        assert (
            await http.get(f"/v1/carts/{cart_id}", headers={SESSION: forged})
        ).status_code == 401
        other = await http.post("/v1/carts", json={"lines": []})
        theirs = {SESSION: other.headers[SESSION]}
        assert (await http.get(f"/v1/carts/{cart_id}", headers=theirs)).status_code == 403
        assert (
            await http.put(f"/v1/carts/{cart_id}", headers=theirs, json={"lines": []})
        ).status_code == 403

        short = await http.put(
            f"/v1/carts/{cart_id}", headers=mine, json={"lines": [{"sku": "W-1", "quantity": 9}]}
        )
        assert short.status_code == 409
        assert short.json()["error"]["code"] == "insufficient_stock"
        unknown = await http.put(
            f"/v1/carts/{cart_id}", headers=mine, json={"lines": [{"sku": "NOPE", "quantity": 1}]}
        )
        assert unknown.status_code == 422
        updated = await http.put(
            f"/v1/carts/{cart_id}", headers=mine, json={"lines": [{"sku": "H-1", "quantity": 3}]}
        )
        assert updated.json()["cart"]["subtotal"] == {"amount": 885, "currency": "GBP"}

        link = (await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine)).json()
        url = httpx.URL(link["checkout_url"])
        page = await http.get(url.path, params=dict(url.params))
        assert (
            page.status_code == 200 and "£8.85" in page.text and "Pay (test mode)" in page.text
        )
        token = url.params["token"]
        bad = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        rejected = await http.get(url.path, params={"token": bad})
        assert rejected.status_code == 400 and "not valid" in rejected.text

        paid = await http.post(f"{url.path}/pay", data={"token": token})
        assert paid.status_code == 200
        match = re.search(r'id="order-id">([^<]+)<', paid.text)
        assert match is not None
        order_id = match.group(1)

        orders = (await http.get("/v1/orders", headers=mine)).json()["orders"]
        assert [o["order_id"] for o in orders] == [order_id]
        assert (await http.get(f"/v1/orders/{order_id}", headers=theirs)).status_code == 403
        cart = (await http.get(f"/v1/carts/{cart_id}", headers=mine)).json()["cart"]
        assert cart["status"] == "checked_out" and cart["lines"] == []
        answer = await http.post("/v1/ask", json={"question": "what is your returns policy?"})
        assert answer.status_code == 200 and answer.json()["kind"] in ("policy", "none")


async def structured(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def test_mcp_over_streamable_http_owner_is_the_mcp_session(gateway: str) -> None:
    async with (
        Client(f"{gateway}/mcp", mode="legacy") as alice,
        Client(f"{gateway}/mcp", mode="legacy") as bob,
    ):
        tools = {t.name for t in (await alice.list_tools()).tools}
        assert {
            "search_catalog",
            "create_cart",
            "update_cart",
            "get_checkout_url",
            "order_status",
            "ask_business",
        } <= tools
        schema = next(t for t in (await alice.list_tools()).tools if t.name == "create_cart")
        assert "owner" not in schema.input_schema.get("properties", {})
        # the storefront's own declarations: its atomic cart tools too, never its internal ones
        assert {"add_lines", "remove_lines", "get_recommendations"} <= tools
        assert not {"complete_checkout", "get_checkout", "stripe_webhook"} & tools
        internal = await alice.call_tool("complete_checkout", {"token": "x"})
        assert internal.is_error and "Unknown tool" in str(internal.content[0])

        found = await structured(alice, "search_catalog", {"query": "tazas", "language": "es"})
        assert found["products"][0]["id"] == "P2"
        cart = (
            await structured(
                alice, "create_cart", {"lines": [{"sku": "H-1", "quantity": 2}], "owner": "bob"}
            )
        )["cart"]
        again = await structured(alice, "get_cart", {"cart_id": cart["id"]})
        assert again["cart"]["total_quantity"] == 2
        stolen = await structured(bob, "get_cart", {"cart_id": cart["id"]})
        assert stolen["cart"] is None and stolen["errors"][0]["code"] == "forbidden"
        link = await structured(alice, "get_checkout_url", {"cart_id": cart["id"]})
        assert link["checkout_url"].startswith(gateway + "/checkout/")


async def test_mcp_sessionless_clients_share_the_http_session_header(gateway: str) -> None:
    import httpx2

    async with httpx.AsyncClient(base_url=gateway, timeout=20) as http:
        made = await http.post("/v1/carts", json={"lines": [{"sku": "H-1", "quantity": 1}]})
    session, cart_id = made.headers[SESSION], made.json()["cart"]["id"]
    async with Client(f"{gateway}/mcp") as anonymous:
        if anonymous.protocol_version.startswith("2025"):
            pytest.skip("negotiated a session-based protocol version")
        refused = await anonymous.call_tool("get_cart", {"cart_id": cart_id})
        assert refused.is_error
    async with (
        httpx2.AsyncClient(headers={SESSION: session}, timeout=20) as carrier,
        Client(streamable_http_client(f"{gateway}/mcp", http_client=carrier)) as agent,
    ):
        shared = await structured(agent, "get_cart", {"cart_id": cart_id})
        assert shared["cart"]["id"] == cart_id
