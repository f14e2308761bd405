"""A real gateway (uvicorn) with the real storefront MCP worker behind it, on real Kafka and
Redis, whose storefront runs with the payment environment a test chooses (dev test mode,
production without a provider, or Stripe against the official stripe-mock server), and the real
markets worker (on the shop's own topic) pricing checkouts in the buyer's currency."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from faststream.kafka import KafkaBroker
from redis.asyncio import Redis

from libs.catalog.samples import sample_products
from libs.contracts.topics import ALL_TOPICS, TopicSpec
from libs.messaging.broker import make_broker
from libs.messaging.topics import delete_topics, ensure_topics
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.markets.__main__ import MarketsSettings
from services.markets.__main__ import build as build_markets
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
CHECKOUT_SECRET = "test-checkout-secret"
WEBHOOK_SECRET = "whsec_test_museo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Shop:
    base: str
    prefix: str  # the storefront's Redis prefix
    redis: Redis
    markets: KafkaBroker  # the markets worker pricing checkouts (a test may stop it)


@asynccontextmanager
async def shop(kafka: str, redis_url: str, env: dict[str, str]) -> AsyncIterator[Shop]:
    tag, port = uuid.uuid4().hex[:8], free_port()
    base = f"http://127.0.0.1:{port}"
    catalog, orders, prefix = f"test.catalog.{tag}", f"test.orders.{tag}", f"test:{tag}:"
    # Its own request topic: a running system's storefront (secure_system) must not answer
    # this shop's calls from its own catalog and carts.
    requests, markets_topic = f"test.storefront.{tag}", f"test.markets.{tag}"
    await ensure_topics(kafka, [*ALL_TOPICS, TopicSpec(requests),  # the system's and this shop's
                                TopicSpec(markets_topic)])
    await seed(kafka, catalog, sample_products())
    os.environ.setdefault("MUSEO_SESSION_SECRET", "test-session-secret")
    settings = McpWorkersSettings(
        kafka_bootstrap_servers=kafka, redis_url=redis_url, mcp_start_timeout_s=180,
        mcp_call_timeout_s=20, mcp_health_timeout_s=30, mcp_health_interval_s=10,
        mcp_servers=[McpServerConfig(
            name="storefront", module="services.mcp_workers.storefront.server",
            args=["--from-kafka"],
            env={"MUSEO_CATALOG_TOPIC": catalog, "MUSEO_ORDERS_TOPIC": orders,
                 "MUSEO_REDIS_PREFIX": prefix, "MUSEO_CHECKOUT_SECRET": CHECKOUT_SECRET,
                 "MUSEO_PUBLIC_BASE_URL": base, "MUSEO_MARKETS_TOPIC": markets_topic,
                 **env})])  # fmt: skip
    markets = build_markets(MarketsSettings(kafka_bootstrap_servers=kafka, redis_url=redis_url,
                                            instance_id=f"test-markets-{tag}",
                                            markets_topic=markets_topic))
    await markets.start()
    broker = make_broker(settings, durable=False)
    supervisor = McpSupervisor(server_specs(settings), policy_from(settings))
    register_tool_bridge(broker, supervisor, group_id=f"test-storefront-{tag}", topic=requests)
    await supervisor.start(wait_s=180)  # a loaded machine starts the server slowly
    await broker.start()
    app = create_app(GatewaySettings(kafka_bootstrap_servers=kafka, redis_url=redis_url,
                                     port=port, instance_id=f"test-{tag}",
                                     storefront_topic=requests))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    redis = Redis.from_url(redis_url)
    try:
        yield Shop(base, prefix, redis, markets)
    finally:
        server.should_exit = True
        await task
        await broker.stop()
        await supervisor.stop()
        await markets.stop()
        await delete_topics(kafka, [catalog, orders, requests, markets_topic])
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def cart_with_link(http: httpx.AsyncClient) -> tuple[dict[str, str], str, httpx.Response]:
    """A new shopper's cart with one line, and the answer to asking for its payment link."""
    made = await http.post("/v1/carts", json={"lines": [{"sku": "H-1", "quantity": 1}]})
    assert made.status_code == 201, made.text
    mine, cart_id = {SESSION: made.headers[SESSION]}, made.json()["cart"]["id"]
    return mine, cart_id, await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine, json={})


def token_of(checkout_url: str) -> str:
    match = re.search(r"token=([^&]+)", checkout_url)
    assert match is not None, checkout_url
    return match.group(1)


def stripe_signature(payload: str, secret: str, at: int | None = None) -> str:
    """Stripe's documented scheme: `t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{payload}">`."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def completed_event(session: dict[str, Any], **overrides: Any) -> str:
    """A `checkout.session.completed` event as Stripe sends it (the fields we read and more)."""
    obj = {"object": "checkout.session", "payment_status": "paid", "status": "complete",
           "mode": "payment", "livemode": False, **session, **overrides}
    return json.dumps({
        "id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "api_version": "2025-01-27",
        "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "checkout.session.completed", "data": {"object": obj}})


async def stripe_session_of(shop: Shop, cart_id: str) -> dict[str, Any]:
    """What Stripe would echo back in the event for the cart's current Checkout Session: its id
    (as stripe-mock made it) and the metadata/amount the storefront sent with it."""
    sid = await shop.redis.get(f"{shop.prefix}stripe:cart:{cart_id}")
    assert sid is not None, "the storefront made no Checkout Session"
    async for key in shop.redis.scan_iter(match=f"{shop.prefix}stripe:link:*"):
        record = json.loads(await shop.redis.get(key) or b"{}")
        if record.get("session_id") == sid.decode():
            ref = key.decode().rsplit(":", 1)[1]
            return {"id": sid.decode(), "client_reference_id": cart_id,
                    "metadata": {"museo_ref": ref, "cart_id": cart_id},
                    "payment_intent": f"pi_{uuid.uuid4().hex[:20]}"}
    raise AssertionError("no link record for the session")
