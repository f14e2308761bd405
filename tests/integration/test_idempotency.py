"""IdempotencyGuard on the real Redis, and a fact consumer that counts a redelivered message once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, TypeAdapter
from redis.asyncio import Redis

from libs.contracts.base import H_MESSAGE_ID
from libs.contracts.topics import TopicSpec, dlq
from libs.messaging.facts import register_fact_handler
from libs.messaging.idempotency import IdempotencyGuard
from libs.messaging.topics import ensure_topics
from tests.integration.helpers_platform import unique, wait_until


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


async def test_first_time_claims_once(redis: Redis) -> None:
    guard = IdempotencyGuard(redis, unique("ns"), ttl_s=60)
    assert await guard.first_time("m1") is True
    assert await guard.first_time("m1") is False
    assert await guard.first_time("m2") is True


async def test_seen_then_mark(redis: Redis) -> None:
    guard = IdempotencyGuard(redis, unique("ns"), ttl_s=60)
    assert await guard.seen("m1") is False
    await guard.mark("m1")
    assert await guard.seen("m1") is True
    assert await guard.first_time("m1") is False  # mark and claim share one key


async def test_keys_expire_and_namespaces_are_separate(redis: Redis) -> None:
    ns = unique("ns")
    guard = IdempotencyGuard(redis, ns, ttl_s=60)
    await guard.mark("m1")
    await guard.first_time("m2")
    for mid in ("m1", "m2"):
        ttl = await redis.ttl(f"idem:{ns}:{mid}")
        assert 0 < ttl <= 60
    assert await IdempotencyGuard(redis, unique("other"), ttl_s=60).seen("m1") is False


async def test_short_ttl_forgets(redis: Redis) -> None:
    guard = IdempotencyGuard(redis, unique("ns"), ttl_s=1)
    await guard.mark("m1")
    assert await redis.pttl(guard._key("m1")) <= 1000
    await redis.pexpire(guard._key("m1"), 1)  # don't sleep a second in a test
    await asyncio.sleep(0.05)
    assert await guard.seen("m1") is False


class Order(BaseModel):
    id: str
    amount: int
    fail_once: bool = False


async def test_redelivered_message_has_its_effect_once(kafka_bootstrap: str, redis: Redis) -> None:
    topic = f"test.orders.{unique('idem')}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, 1), TopicSpec(dlq(topic), 1)])
    guard = IdempotencyGuard(redis, unique("orders"), ttl_s=60)
    effects: Counter[str] = Counter()
    attempts: Counter[str] = Counter()
    duplicates: list[str] = []

    async def on_order(order: Order, msg: KafkaMessage) -> None:
        """Count revenue once per order id, whatever Kafka redelivers."""
        message_id = dict(msg.headers).get(H_MESSAGE_ID, order.id)
        if await guard.seen(message_id):
            duplicates.append(message_id)
            return
        attempts[order.id] += 1
        if order.fail_once and attempts[order.id] == 1:
            raise ConnectionError("crashed before marking")  # unmarked, so retried
        effects[order.id] += order.amount
        await guard.mark(message_id)

    def start_consumer(group: str) -> KafkaBroker:
        broker = KafkaBroker(kafka_bootstrap, logger=None)
        register_fact_handler(broker, topic=topic, adapter=TypeAdapter(Order), handler=on_order,
                              group_id=group, fetch_max_wait_ms=20)
        return broker

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, linger_ms=0)
    await producer.start()
    broker = start_consumer(unique("orders"))
    await broker.start()
    try:
        async def publish(order: dict[str, object], message_id: str) -> None:
            await producer.send_and_wait(topic, json.dumps(order).encode(), key=b"u1",
                                         headers=[(H_MESSAGE_ID, message_id.encode())])

        await publish({"id": "o1", "amount": 100}, "o1")
        await publish({"id": "o1", "amount": 100}, "o1")  # the producer retried: same id twice
        await publish({"id": "o2", "amount": 50, "fail_once": True}, "o2")
        await publish({"id": "end", "amount": 0}, "end")
        assert await wait_until(lambda: "end" in effects, timeout=15)
        assert effects["o1"] == 100
        assert effects["o2"] == 50
        assert attempts["o2"] == 2
        assert duplicates == ["o1"]
    finally:
        await broker.stop()

    # A consumer that replays the whole topic (new group, e.g. after a lost commit) changes nothing.
    replay = start_consumer(unique("replay"))
    await replay.start()
    try:
        assert await wait_until(lambda: len(duplicates) == 5, timeout=15)
    finally:
        await replay.stop()
        await producer.stop()
    assert effects == Counter({"o1": 100, "o2": 50})
    assert sorted(duplicates) == ["end", "o1", "o1", "o1", "o2"]
