"""`POST /v1/events` → events.raw → user_events → Redis profiles, on the real Kafka and Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from redis.asyncio import Redis

from libs.auth.customer import CustomerAuthSettings, CustomerTokens, customer_secret
from libs.contracts.topics import TopicSpec
from libs.messaging.topics import ensure_topics
from services.user_events.__main__ import UserEventsApp, UserEventsSettings, build
from services.user_events.domain import Profile, from_redis
from tests.integration.helpers_platform import GatewayServer, poll, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


def product_viewed(client_id: str, product_id: str, *, at: datetime | None = None,
                   event_id: str | None = None) -> dict[str, Any]:
    """A `product_viewed` event exactly as a Shopify custom pixel sends it."""
    return {
        "id": event_id or f"sh-{uuid.uuid4()}",
        "name": "product_viewed",
        "type": "standard",
        "clientId": client_id,
        "timestamp": (at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "seq": 3,
        "context": {"document": {"location": {"pathname": f"/products/{product_id}"}}},
        "data": {"productVariant": {
            "id": f"gid://shopify/ProductVariant/{product_id}1",
            "price": {"amount": 2.95, "currencyCode": "GBP"},
            "product": {"id": f"gid://shopify/Product/{product_id}", "title": "Mug",
                        "type": "kitchen", "vendor": "Museo"},
            "sku": f"{product_id}-1", "title": "Default"}},
    }


def checkout_completed(client_id: str, customer_id: str, product_id: str) -> dict[str, Any]:
    line = {"quantity": 2, "title": "Mug", "variant": {
        "id": "gid://shopify/ProductVariant/1", "price": {"amount": 2.95, "currencyCode": "GBP"},
        "product": {"id": f"gid://shopify/Product/{product_id}", "type": "kitchen"}}}
    return {
        "id": f"sh-{uuid.uuid4()}", "name": "checkout_completed", "clientId": client_id,
        "timestamp": datetime.now(UTC).isoformat(), "data": {"checkout": {
            "token": "t1", "currencyCode": "GBP", "lineItems": [line],
            "totalPrice": {"amount": 5.90, "currencyCode": "GBP"},
            "order": {"id": "gid://shopify/Order/77",
                      "customer": {"id": f"gid://shopify/Customer/{customer_id}"}}}},
    }


@dataclass
class Ingest:
    gateway: GatewayServer
    worker: UserEventsApp
    redis: Redis

    async def profile(self, key: str) -> Profile | None:
        return from_redis(await self.redis.hgetall(f"profile:{key}"))  # type: ignore[misc]

    async def wait_count(self, key: str, count: int, timeout: float = 20) -> Profile | None:
        async def load() -> Profile | None:
            return await self.profile(key)
        return await poll(load, lambda p: p is not None and p.event_count >= count, timeout)  # type: ignore[no-any-return]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ingest(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[Ingest]:
    topic = unique("events-raw")
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=3),
                                          TopicSpec(f"{topic}.dlq", partitions=1)])
    settings = UserEventsSettings(
        kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url, events_topic=topic,
        events_group_id=unique("ue"), privacy_topic=unique("privacy"),
        requests_topic=unique("ue-req"), follow_catalog=False)
    await ensure_topics(kafka_bootstrap, [TopicSpec(settings.privacy_topic, partitions=1),
                                          TopicSpec(settings.requests_topic, partitions=1)])
    worker = build(settings)
    await worker.start()
    await worker.broker.start()
    gateway = GatewayServer(kafka_bootstrap, redis_url)
    await gateway.start()
    gateway.app.state.gw.settings.events_topic = topic
    redis = Redis.from_url(redis_url)
    try:
        yield Ingest(gateway, worker, redis)
    finally:
        await redis.aclose()
        await gateway.stop()
        await worker.broker.stop()
        await worker.stop()


async def post(ingest: Ingest, payload: Any, headers: dict[str, str] | None = None
               ) -> httpx.Response:
    async with httpx.AsyncClient(base_url=ingest.gateway.base_url, timeout=20,
                                 headers=headers) as client:
        return await client.post("/v1/events", json=payload, params={"market": "UK"})


@pytest_asyncio.fixture(loop_scope="module")
async def client_id() -> str:
    return unique("client")


async def test_batch_with_bad_events_keeps_the_good_ones(ingest: Ingest, client_id: str) -> None:
    good = [product_viewed(client_id, "21212"), product_viewed(client_id, "84879")]
    no_client = {**product_viewed(client_id, "1"), "clientId": ""}
    unknown_name = {**product_viewed(client_id, "2"), "name": "product_teleported"}
    no_variant = {**product_viewed(client_id, "3"), "data": {}}
    resp = await post(ingest, {"events": [good[0], no_client, unknown_name, good[1], no_variant]})
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["accepted"] == 2
    assert body["accepted_ids"] == [good[0]["id"], good[1]["id"]]
    assert [r["index"] for r in body["rejected"]] == [1, 2, 4]
    assert "clientId" in body["rejected"][0]["reason"]
    profile = await ingest.wait_count(client_id, 2)
    assert profile is not None and profile.event_count == 2
    assert profile.session.product_ids == ["21212", "84879"]
    assert profile.market == "UK"
    assert "kitchen" in profile.categories


async def test_single_event_and_all_bad_batch(ingest: Ingest, client_id: str) -> None:
    resp = await post(ingest, product_viewed(client_id, "22423"))
    assert resp.status_code == 202 and resp.json()["accepted"] == 1
    bad = await post(ingest, [{"name": "product_viewed"}, 42])
    assert bad.status_code == 422
    assert [r["index"] for r in bad.json()["rejected"]] == [0, 1]
    async with httpx.AsyncClient(base_url=ingest.gateway.base_url) as client:
        resp = await client.post("/v1/events", content=b"{not json")
    assert resp.status_code == 400


async def test_resent_event_is_counted_once(ingest: Ingest, client_id: str) -> None:
    event = product_viewed(client_id, "21212")
    for _ in range(3):
        assert (await post(ingest, event)).status_code == 202
    marker = product_viewed(client_id, "99999")
    await post(ingest, marker)
    profile = await ingest.wait_count(client_id, 2)
    assert profile is not None
    assert profile.event_count == 2
    assert profile.seen_event_ids == [event["id"], marker["id"]]


async def test_client_id_is_stitched_to_the_customer(ingest: Ingest, client_id: str) -> None:
    customer = unique("cust")
    key = f"customer:{customer}"
    await post(ingest, [product_viewed(client_id, "21212"), product_viewed(client_id, "84879")])
    await ingest.wait_count(client_id, 2)
    # the customer id counts only with proof: here the customer's own token (shop login)
    token = CustomerTokens(CustomerAuthSettings(), secret=customer_secret()).issue(customer, None)
    await post(ingest, checkout_completed(client_id, customer, "21212"),
               headers={"Authorization": f"Bearer {token}"})
    merged = await ingest.wait_count(key, 3)
    assert merged is not None and merged.event_count == 3
    assert merged.user_id == key and client_id in merged.visitor_ids
    assert [p.product_id for p in merged.purchases] == ["21212"]
    assert await ingest.profile(client_id) is None  # merged, not duplicated
    await post(ingest, product_viewed(client_id, "22423"))  # later anonymous event
    later = await ingest.wait_count(key, 4)
    assert later is not None and later.session.product_ids[-1] == "22423"


async def test_inactive_profiles_expire(ingest: Ingest, client_id: str) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    await post(ingest, product_viewed(client_id, "21212", at=old))
    await ingest.wait_count(client_id, 1)
    ttl = await ingest.redis.ttl(f"profile:{client_id}")
    assert 0 < ttl <= 90 * 86400
