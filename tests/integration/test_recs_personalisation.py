"""Recommendations through the gateway: recommend service (batch consumer) + user_events, real
Kafka and Redis; a new pixel event changes the next recommendations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis

from libs.auth.api_keys import create_api_key
from libs.auth.scopes import EVENTS_WRITE, RECS_READ, USERS_ADMIN
from libs.catalog.demo import load_demo_catalog
from libs.contracts.topics import TopicSpec
from libs.messaging.topics import ensure_topics
from services.recommend.__main__ import RecommendApp, RecommendSettings
from services.recommend.__main__ import build as build_recommend
from services.user_events.__main__ import UserEventsApp, UserEventsSettings
from services.user_events.__main__ import build as build_user_events
from tests.integration.helpers_platform import GatewayServer, MarketsWorker, poll, unique
from tests.integration.test_events_ingest import product_viewed

pytestmark = pytest.mark.asyncio(loop_scope="module")
ROOT = Path(__file__).resolve().parents[2]
N_PRODUCTS = 400


@dataclass
class Stack:
    gateway: GatewayServer
    recommend: RecommendApp
    user_events: UserEventsApp
    redis: Redis
    product_ids: list[str]
    api_key: str  # the shop backend's credential (users:admin) for the privacy endpoints

    async def get(self, path: str, **params: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.gateway.base_url, timeout=20,
                                     headers={"x-api-key": self.api_key}) as c:
            return await c.get(path, params=params)

    async def send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.gateway.base_url, timeout=30,
                                     headers={"x-api-key": self.api_key}) as c:
            return await c.request(method, path, **kw)

    async def recs(self, **params: Any) -> dict[str, Any]:
        resp = await self.get("/v1/recommendations", **params)
        assert resp.status_code == 200, resp.text
        return resp.json()  # type: ignore[no-any-return]

    async def event_count(self, key: str) -> int:
        raw = await self.redis.hget(f"profile:{key}", "profile")  # type: ignore[misc]
        from services.user_events.domain import from_redis
        profile = from_redis(raw)
        return profile.event_count if profile else 0


async def _seed(bootstrap: str, topic: str) -> list[str]:
    products = list(islice(load_demo_catalog(ROOT / ".local" / "data" / "catalog"), N_PRODUCTS))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for p in products:
            await producer.send(topic, p.model_dump_json().encode(), key=p.id.encode())
        await producer.flush()
    finally:
        await producer.stop()
    return [p.id for p in products if p.in_stock and not p.markets]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[Stack]:
    t = {name: unique(name) for name in ("events", "privacy", "uereq", "recreq", "catalog")}
    await ensure_topics(kafka_bootstrap, [
        TopicSpec(t["catalog"], partitions=1, compacted=True),
        *(TopicSpec(t[n], partitions=3) for n in ("events", "recreq")),
        *(TopicSpec(t[n], partitions=1) for n in ("privacy", "uereq")),
        TopicSpec(f"{t['events']}.dlq", partitions=1), TopicSpec(f"{t['privacy']}.dlq", 1)])
    ids = await _seed(kafka_bootstrap, t["catalog"])
    common: dict[str, Any] = {"kafka_bootstrap_servers": kafka_bootstrap, "redis_url": redis_url}
    ue = build_user_events(UserEventsSettings(
        **common, events_topic=t["events"], events_group_id=unique("ue"),
        privacy_topic=t["privacy"], privacy_group_id=unique("uep"), requests_topic=t["uereq"],
        catalog_topic=t["catalog"]))
    # recommend asks the markets service for each market's privacy law at start-up
    markets = MarketsWorker(kafka_bootstrap, redis_url)
    await markets.start()
    rec = build_recommend(RecommendSettings(**common, requests_topic=t["recreq"],
                                            group_id=unique("rec"), catalog_topic=t["catalog"]))
    for app in (ue, rec):
        await app.start()
        await app.broker.start()
    gateway = GatewayServer(kafka_bootstrap, redis_url)
    await gateway.start()
    topics = gateway.app.state.gw.settings
    topics.events_topic, topics.privacy_topic = t["events"], t["privacy"]
    topics.user_events_topic, topics.recommend_topic = t["uereq"], t["recreq"]
    redis = Redis.from_url(redis_url)
    _, api_key = create_api_key(gateway.app.state.gw.auth.api_keys, unique("backend"),
                                [USERS_ADMIN, RECS_READ, EVENTS_WRITE])
    try:
        yield Stack(gateway, rec, ue, redis, ids, api_key)
    finally:
        await redis.aclose()
        await gateway.stop()
        for app in (rec, ue):
            await app.broker.stop()
            await app.stop()
        await markets.stop()


async def test_cold_start_answers_market_popularity(stack: Stack) -> None:
    body = await stack.recs(visitor_id=unique("new"), market="US", limit=5)
    assert body["strategy"] == "cold_start" and body["personalized"] is False
    assert len(body["items"]) == 5


async def test_a_new_event_changes_the_next_recommendations(stack: Stack) -> None:
    visitor = unique("visitor")
    before = await stack.recs(visitor_id=visitor, market="US", limit=8)
    viewed = stack.product_ids[7]
    resp = await stack.send("POST", "/v1/events", json=product_viewed(visitor, viewed),
                            params={"market": "US"})
    assert resp.status_code == 202
    await poll(lambda: stack.event_count(visitor), lambda n: n >= 1, 20)
    after = await stack.recs(visitor_id=visitor, market="US", limit=8)
    assert after["personalized"] is True
    assert after["strategy"].startswith("rfy:history")
    assert [i["product_id"] for i in after["items"]] != [i["product_id"] for i in before["items"]]


async def test_a_batch_of_concurrent_requests_is_answered_one_by_one(stack: Stack) -> None:
    users = [unique("u") for _ in range(30)]
    replies = await asyncio.gather(*(stack.recs(visitor_id=u, market="US", limit=3,
                                                kind="trending") for u in users))
    assert all(r["kind"] == "trending" and len(r["items"]) == 3 for r in replies)


async def test_similar_items_need_an_anchor(stack: Stack) -> None:
    resp = await stack.get("/v1/recommendations", kind="similar_items")
    assert resp.status_code == 400
    body = await stack.recs(kind="similar_items", product_id=stack.product_ids[0], limit=4)
    assert stack.product_ids[0] not in [i["product_id"] for i in body["items"]]
